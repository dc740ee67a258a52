import { Inject, Injectable } from '@nestjs/common';
import type { Msg } from 'nats';
import type { ConsensusNode } from '../../node/consensus-node';
import { CONSENSUS_NODE } from '../../node/node.tokens';
import { forwardHopsOf } from '../leader-forwarding';
import type { PublicReply } from './envelope';

/** The Retry-After (seconds) of a request refused because the node is at its cap. */
export const BUSY_RETRY_AFTER_SECONDS = 1;

/**
 * Caps the public NATS requests this node serves at once (`publicRequestsMax`, env
 * PUBLIC_REQUESTS_MAX): past it a request is answered at once with 503 and `retryAfter`, so a
 * flood queues no unbounded work. Also refuses (400) a request whose `Behavior-Forward-Hops`
 * header is not a small integer. One gate per node, shared by every public subject.
 */
@Injectable()
export class PublicRequestGate {
  private inFlight = 0;
  readonly max: number;

  constructor(@Inject(CONSENSUS_NODE) node: Pick<ConsensusNode, 'config'>) {
    this.max = node.config.publicRequestsMax;
  }

  /** Requests being served now. */
  get busy(): number {
    return this.inFlight;
  }

  /**
   * Admits `msg`: returns a release function to call once it is answered, or the refusal to
   * answer it with instead.
   */
  admit(msg: Msg): { release: () => void } | { refusal: PublicReply & { ok: false } } {
    if (forwardHopsOf(msg.headers) === null) return { refusal: badHops() };
    if (this.inFlight >= this.max) return { refusal: busy(this.max) };
    this.inFlight++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.inFlight--;
      },
    };
  }
}

function badHops(): PublicReply & { ok: false } {
  return { ok: false, error: { statusCode: 400, error: 'Bad Request', message: 'Behavior-Forward-Hops must be a small non-negative integer' } };
}

function busy(max: number): PublicReply & { ok: false } {
  return {
    ok: false,
    error: {
      statusCode: 503,
      error: 'Service Unavailable',
      message: `this node is serving its maximum of ${max} requests at once; retry later`,
      details: { retryAfter: BUSY_RETRY_AFTER_SECONDS },
    },
  };
}
