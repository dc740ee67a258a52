import type { Message } from '../consensus';
import type { Random } from '../shared/random';

/** How the simulated network misbehaves while faults are on. */
export interface NetworkFaults {
  /** Probability that a message is lost. */
  loss: number;
  /** Probability that a message is delivered twice. */
  duplication: number;
  /** Messages take 1..delayMax ticks, so they also arrive out of order. */
  delayMax: number;
  /** Probability that a message is held much longer (up to `longDelayMax` ticks), as a buffering client would. */
  longDelay: number;
  longDelayMax: number;
}

/** A network in simulated time: delays, loss, duplication and one-way cuts between nodes. */
export class SimNetwork {
  private readonly inFlight = new Map<number, Message[]>();
  private readonly cut = new Set<string>();
  sent = 0;
  delivered = 0;

  constructor(
    private readonly random: Random,
    public faults: NetworkFaults,
  ) {}

  /** Queues a message sent at tick `now`, unless the link is cut or the message is lost. */
  send(message: Message, now: number): void {
    this.sent += 1;
    if (this.cut.has(link(message.from, message.to))) return;
    if (this.random.float() < this.faults.loss) return;
    const copies = this.random.float() < this.faults.duplication ? 2 : 1;
    for (let i = 0; i < copies; i++) this.enqueue(message, now + 1 + this.delay());
  }

  private delay(): number {
    if (this.random.float() < this.faults.longDelay) return this.random.int(this.faults.longDelayMax);
    return this.random.int(this.faults.delayMax);
  }

  /** Puts a message back for a later tick (its receiver is paused). */
  enqueue(message: Message, at: number): void {
    const bucket = this.inFlight.get(at);
    if (bucket) bucket.push(message);
    else this.inFlight.set(at, [message]);
  }

  /** Takes every message due at tick `now`. */
  due(now: number): Message[] {
    const bucket = this.inFlight.get(now) ?? [];
    this.inFlight.delete(now);
    this.delivered += bucket.length;
    return bucket;
  }

  /** Cuts the link from one node to another (one way). */
  block(from: string, to: string): void {
    this.cut.add(link(from, to));
  }

  /** Cuts both ways between every node of `a` and every node of `b`. */
  split(a: readonly string[], b: readonly string[]): void {
    for (const x of a) for (const y of b) {
      this.block(x, y);
      this.block(y, x);
    }
  }

  /** Restores every link. */
  heal(): void {
    this.cut.clear();
  }

  get cutLinks(): number {
    return this.cut.size;
  }
}

function link(from: string, to: string): string {
  return `${from}>${to}`;
}
