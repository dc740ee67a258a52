import type { NatsConnection } from 'nats';
import { type NodeConfig, advertisedHttpUrl } from '../config/node-config';
import { internalCommandSubject } from './leader-forwarding';
import { NODE_STATUS_COMMAND } from './node-status.handler';

/** Where clients should send writes: the leader's id, and its HTTP base URL when known. */
export interface LeaderHint {
  readonly leaderId: string | null;
  readonly leaderUrl: string | null;
}

/** What the locator needs of the node's replica driver: who leads, and a call when that may change. */
export interface LeaderSource {
  status(): { readonly leaderId: string | null };
  onRoleChange(listener: () => void): void;
}

/** How long a status request to the leader waits, and how soon a failed one is tried again. */
const STATUS_TIMEOUT_MS = 1000;
const RETRY_AFTER_MS = 1000;

/**
 * Knows the leader's advertised HTTP URL, for the `X-Leader-Url` hint of write answers. It asks the
 * leader's status over NATS once per leader (lazily, on the first write that needs it) and forgets
 * what it learnt when the leadership changes: no timer, no traffic while idle.
 */
export class LeaderLocator {
  private readonly urls = new Map<string, string | null>();
  private asking: string | null = null;
  private failedAt = 0;

  constructor(
    private readonly nats: NatsConnection,
    private readonly config: Pick<NodeConfig, 'apiPrefix' | 'clusterName' | 'nodeId' | 'advertisedHttpUrl' | 'httpHost'>,
    private readonly driver: LeaderSource,
    private readonly ownPort: () => number | null,
  ) {
    driver.onRoleChange(() => this.urls.clear());
  }

  /** The leader as this node knows it now; the URL may be null the first time (it is being asked). */
  hint(): LeaderHint {
    const { leaderId } = this.driver.status();
    if (leaderId === null) return { leaderId: null, leaderUrl: null };
    if (leaderId === this.config.nodeId) return { leaderId, leaderUrl: advertisedHttpUrl(this.config, this.ownPort()) };
    const known = this.urls.get(leaderId);
    if (known === undefined) this.ask(leaderId);
    return { leaderId, leaderUrl: known ?? null };
  }

  private ask(leaderId: string): void {
    if (this.asking !== null || Date.now() - this.failedAt < RETRY_AFTER_MS) return;
    this.asking = leaderId;
    const subject = internalCommandSubject(this.config.apiPrefix, this.config.clusterName, leaderId, NODE_STATUS_COMMAND);
    this.nats
      .request(subject, new Uint8Array(0), { timeout: STATUS_TIMEOUT_MS })
      .then((msg) => {
        const body = msg.json<{ ok?: boolean; data?: { nodeId?: unknown; httpUrl?: unknown } }>();
        const url = body.data?.nodeId === leaderId && typeof body.data.httpUrl === 'string' ? body.data.httpUrl : null;
        this.urls.set(leaderId, url);
      })
      .catch(() => {
        this.failedAt = Date.now();
      })
      .finally(() => {
        this.asking = null;
      });
  }
}
