import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { headers as natsHeaders } from 'nats';
import type { ConsensusNode } from '../../node/consensus-node';
import { CONSENSUS_NODE } from '../../node/node.tokens';
import { readModelDb } from '../../projections/read-model-database';
import { readPublicEvents } from './public-events';
import { failStopOnAssertion } from '../../shared/fail-stop';

/** Events read from `event_log` per query while catching up. */
export const EVENT_FEED_BATCH = 500;
/** How often leadership is checked (to start from the written head on becoming leader). */
/** A safety-net look at the role; the driver reports each role change within a tick. */
const ROLE_CHECK_MS = 1000;

/**
 * The public event feed: the leader publishes each applied event of a public stream (student,
 * application, user) once on `<prefix>.events.<streamType>.<eventType>` with `Nats-Msg-Id:
 * <position>`, after its batch is written, secrets stripped. It reads the node's log tail (else
 * `event_log`) in bounded batches from the last position it published (kept in memory; on becoming leader it starts at the
 * written head). Subscribers that missed events read them with `query.events.read`.
 */
@Injectable()
export class EventFeedPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventFeedPublisher.name);
  /** The last position published, or null while not leading. */
  private lastPublished: number | null = null;
  private target = 0;
  private draining = false;
  private running = false;
  private listening = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(@Inject(CONSENSUS_NODE) private readonly node: ConsensusNode) {}

  onApplicationBootstrap(): void {
    this.start();
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  /** The last position published (null while not leading). */
  get published(): number | null {
    return this.lastPublished;
  }

  /** Starts following leadership and written batches (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.checkRole();
    this.timer = setInterval(() => this.checkRole(), ROLE_CHECK_MS);
    this.timer.unref();
    if (!this.listening) {
      // The event store cannot unsubscribe a listener: a stopped publisher ignores it.
      this.listening = true;
      this.node.events.onWritten((head) => this.onWritten(head));
      this.node.driver.onRoleChange(() => this.checkRole());
    }
  }

  /** Stops publishing. */
  stop(): void {
    this.running = false;
    this.lastPublished = null;
    clearInterval(this.timer);
  }

  private isLeader(): boolean {
    return this.node.driver.status().role === 'leader';
  }

  private checkRole(): void {
    if (!this.running) return;
    if (!this.isLeader()) {
      this.lastPublished = null;
    } else if (this.lastPublished === null) {
      this.lastPublished = this.node.events.writtenHead;
      this.target = this.lastPublished;
    }
  }

  private onWritten(head: number): void {
    if (!this.running) return;
    this.checkRole();
    if (this.lastPublished === null) return;
    this.target = Math.max(this.target, head);
    void this.drain();
  }

  /** Publishes (lastPublished, target] in bounded batches; one drain at a time. Never rejects. */
  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    let failed = false;
    try {
      while (this.running && this.lastPublished !== null && this.lastPublished < this.target && this.isLeader()) {
        const from = this.lastPublished;
        const { events, coveredTo } = await readPublicEvents(readModelDb(this.node.db), from, this.target, EVENT_FEED_BATCH, this.node.logTail);
        // Leadership (or the publisher) may have changed while reading: publish only what is still ours.
        if (!this.running || this.lastPublished !== from) break;
        const prefix = this.node.config.apiPrefix;
        for (const event of events) {
          const h = natsHeaders();
          h.set('Nats-Msg-Id', String(event.position));
          h.set('Content-Type', 'application/json');
          this.node.nats.publish(
            `${prefix}.events.${event.streamType}.${event.type}`,
            Buffer.from(JSON.stringify(event)),
            { headers: h },
          );
        }
        this.lastPublished = coveredTo;
      }
    } catch (error) {
      failed = true;
      failStopOnAssertion('event feed', error);
      this.logger.warn(
        `event feed: ${error instanceof Error ? error.message : String(error)}; retrying on the next written batch`,
      );
    } finally {
      this.draining = false;
    }
    // A batch written while the last read ran: go on.
    if (!failed && this.running && this.lastPublished !== null && this.lastPublished < this.target && this.isLeader())
      setImmediate(() => void this.drain());
  }
}
