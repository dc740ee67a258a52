import { randomUUID } from 'node:crypto';
import { type NatsConnection, connect, headers as natsHeaders } from 'nats';
import { sleep } from '../bench/poll';
import { scopedCommandId } from '../application/idempotency';
import { LOCAL_ADMIN } from '../cluster/node-process';
import { inboxPrefixFor } from '../infra/nats/connection';
import type { Random } from '../shared/random';
import type { OpOutcome, OpRecord } from './history';

/** Where the workload sends: each node's REST base URL and each NATS server's URL. */
export interface WorkloadTargets {
  readonly rest: ReadonlyMap<string, string>;
  readonly nats: ReadonlyMap<string, string>;
  /** Password of the `api` user of deploy/nats/accounts.conf. */
  readonly natsApiPassword: string;
}

/** A write as the workload sends it: a REST path and its NATS subject, one body. */
export interface WriteRequest {
  readonly path: string;
  readonly subject: string;
  readonly body: Record<string, unknown>;
  readonly role: 'admin' | 'teacher';
}

/** What an op kind may read and remember between operations. */
export interface WorkloadState {
  readonly students: readonly string[];
  /** Applications submitted and acknowledged, not yet picked for review. */
  readonly pendingApplications: string[];
}

/**
 * One kind of operation. `next` draws the request (or null to let another kind go); `onOk`
 * learns from an acknowledged answer. Adding a kind (e.g. batches once POST /api/scores/batch
 * exists) is one more entry in WORKLOAD_OPS.
 */
export interface OpKind {
  readonly name: string;
  readonly weight: number;
  next(state: WorkloadState, random: Random): WriteRequest | null;
  onOk?(state: WorkloadState, answer: Record<string, unknown>): void;
}

const pick = <T>(items: readonly T[], random: Random): T => items[random.int(items.length)];
const delta = (random: Random): number => (random.int(2) === 0 ? -1 : 1) * (1 + random.int(5));

/** The class the archive sagas of the workload archive: a few students, also changed by the other kinds. */
export const ARCHIVE_CLASS = 'chaos-archive';
const ARCHIVE_STUDENTS = 4;
/** One draw of the archive kind in this many sends an archive (a modification otherwise): a few a minute. */
const ARCHIVE_ONE_IN = 10;

/** Students in one batch of the workload: a few, so batches end in seconds even under faults. */
const BATCH_STUDENTS_MAX = 8;

/** `count` distinct students, in a random order. */
function pickDistinct(students: readonly string[], count: number, random: Random): string[] {
  const pool = [...students];
  const picked: string[] = [];
  while (picked.length < count && pool.length > 0) picked.push(pool.splice(random.int(pool.length), 1)[0]);
  return picked;
}

/** The workload's mix: direct modifications, applications and their reviews, batch and archive sagas. */
export const WORKLOAD_OPS: readonly OpKind[] = [
  {
    name: 'modify',
    weight: 5,
    next: (state, random) => ({
      path: '/api/scores/modify',
      subject: 'behavior.cmd.scores.modify',
      body: { studentId: pick(state.students, random), delta: delta(random), reason: 'chaos modification' },
      role: 'admin',
    }),
  },
  {
    name: 'apply',
    weight: 3,
    next: (state, random) => ({
      path: '/api/applications',
      subject: 'behavior.cmd.applications.submit',
      body: { studentId: pick(state.students, random), delta: delta(random), reason: 'chaos application' },
      role: 'teacher',
    }),
    onOk: (state, answer) => {
      if (typeof answer.applicationId === 'string' && state.pendingApplications.length < 1000) state.pendingApplications.push(answer.applicationId);
    },
  },
  {
    name: 'review',
    weight: 2,
    next: (state, random) => {
      if (state.pendingApplications.length === 0) return null;
      const id = state.pendingApplications.splice(random.int(state.pendingApplications.length), 1)[0];
      const decision = random.int(3) === 0 ? 'reject' : 'approve';
      return {
        path: `/api/applications/${id}/review`,
        subject: 'behavior.cmd.applications.review',
        body: { decision, comment: 'chaos review' },
        role: 'admin',
      };
    },
  },
  {
    // A batch saga (POST /api/scores/batch): it completes, or compensates when one student cannot
    // take its change (out of range); the sagas verdict checks it ended all or nothing.
    name: 'batch',
    weight: 1,
    next: (state, random) => {
      const changes = pickDistinct(state.students, 2 + random.int(BATCH_STUDENTS_MAX - 1), random).map((studentId) => ({ studentId, delta: delta(random) }));
      // One batch in four ends with a student who does not exist: its last chunk fails and the
      // chunks before it are compensated.
      if (random.int(4) === 0) changes.push({ studentId: `chaos-missing-${random.int(1_000_000)}`, delta: 1 });
      return { path: '/api/scores/batch', subject: 'behavior.cmd.scores.batch', body: { changes, reason: 'chaos batch' }, role: 'admin' };
    },
  },
  {
    // A semester archive saga (POST /api/archives) of ARCHIVE_CLASS: it freezes the class,
    // hands the archive to the records service, resets the scores and thaws the class; the sagas
    // verdict checks no score was reset before the archive was stored. Rare: archives of one
    // class in a row refuse each other's frozen students (and compensate).
    name: 'archive',
    weight: 1,
    next: (_state, random) =>
      random.int(ARCHIVE_ONE_IN) !== 0
        ? null
        : { path: '/api/archives', subject: 'behavior.cmd.archives.start', body: { semester: `chaos-${random.int(1_000_000_000)}`, className: ARCHIVE_CLASS }, role: 'admin' },
  },
];

/** Timeout of one request: longer than the node's own 10 s proposal timeout, so a 504 comes first. */
const REQUEST_TIMEOUT_MS = 15_000;
/**
 * Operations in flight at most; a tick that finds this many sends nothing (counted in
 * `skippedTicks`). Far above what the rate and the request timeout need (20/s x 15 s = 300), so a
 * node that holds its requests (a one-way cut) cannot starve the others of new operations, which
 * would read as unavailability of the whole cluster.
 */
const INFLIGHT_MAX = 1000;
const TEACHER = { username: 'chaos-teacher', password: 'chaos-teacher-password' };

/**
 * Sends operations at a steady rate over REST and NATS to every node until `stop()`, recording
 * each as ok / failed / unknown with its Idempotency-Key. Never retries: a retry would hide an
 * unknown outcome the checker must see.
 */
export class Workload {
  readonly ops: OpRecord[] = [];
  private readonly state: WorkloadState;
  private readonly tokens: Record<'admin' | 'teacher', string>;
  private readonly natsConnections = new Map<string, NatsConnection>();
  private inflight = new Set<Promise<void>>();
  private running = false;
  private loop: Promise<void> | null = null;
  private seq = 0;
  skippedTicks = 0;

  private constructor(
    private readonly targets: WorkloadTargets,
    private readonly random: Random,
    private readonly startedAt: number,
    students: string[],
    tokens: Record<'admin' | 'teacher', string>,
    private readonly kinds: readonly OpKind[],
  ) {
    this.state = { students, pendingApplications: [] };
    this.tokens = tokens;
  }

  /**
   * Logs in, creates the teacher and `studentCount` students (retrying until acknowledged), and
   * connects to every NATS server as the `api` user.
   */
  static async prepare(targets: WorkloadTargets, random: Random, startedAt: number, studentCount: number, kinds = WORKLOAD_OPS): Promise<Workload> {
    const firstUrl = [...targets.rest.values()];
    const admin = await retryUntilOk('admin login', firstUrl, (url) => post(url, '/api/auth/login', LOCAL_ADMIN));
    const adminToken = String(admin.accessToken);
    await retryUntilOk('teacher user', firstUrl, (url) =>
      post(url, '/api/users', { ...TEACHER, role: 'teacher', displayName: 'Chaos Teacher' }, adminToken, 'chaos-teacher-user'),
    );
    const teacher = await retryUntilOk('teacher login', firstUrl, (url) => post(url, '/api/auth/login', TEACHER));
    const students = Array.from({ length: studentCount }, (_, i) => `chaos-s${i + 1}`);
    const archived = Array.from({ length: ARCHIVE_STUDENTS }, (_, i) => `chaos-a${i + 1}`);
    for (const studentId of [...students, ...archived]) {
      const className = studentId.startsWith('chaos-a') ? ARCHIVE_CLASS : 'chaos';
      await retryUntilOk(`student ${studentId}`, firstUrl, (url) =>
        post(url, '/api/students', { studentId, name: `Student ${studentId}`, className }, adminToken, `register-${studentId}`),
      );
    }
    students.push(...archived);
    const workload = new Workload(targets, random, startedAt, students, { admin: adminToken, teacher: String(teacher.accessToken) }, kinds);
    for (const [id, url] of targets.nats) {
      workload.natsConnections.set(id, await connect({
        servers: url, user: 'api', pass: targets.natsApiPassword, inboxPrefix: inboxPrefixFor('api'), name: `chaos-client-${id}`,
        reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 250, waitOnFirstConnect: true,
      }));
    }
    return workload;
  }

  /** Starts sending `ratePerSecond` operations per second. */
  start(ratePerSecond: number): void {
    this.running = true;
    const everyMs = 1000 / ratePerSecond;
    this.loop = (async () => {
      let next = performance.now();
      while (this.running) {
        if (this.inflight.size >= INFLIGHT_MAX) this.skippedTicks++;
        else this.launch();
        next += everyMs;
        await sleep(Math.max(0, next - performance.now()));
      }
    })();
  }

  /** Stops sending and waits (bounded by the request timeout) for the operations in flight. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await Promise.allSettled([...this.inflight]);
    await Promise.allSettled([...this.natsConnections.values()].map((nc) => nc.close()));
  }

  private now(): number {
    return Date.now() - this.startedAt;
  }

  private launch(): void {
    // A kind with nothing to do now (a review with no pending application) sends a modification.
    const drawn = this.drawKind();
    const first = drawn.next(this.state, this.random);
    const used = first === null ? WORKLOAD_OPS[0] : drawn;
    const request = first ?? used.next(this.state, this.random)!;
    const via = this.random.int(4) === 0 ? 'nats' : 'rest';
    const targets = [...(via === 'rest' ? this.targets.rest.keys() : this.targets.nats.keys())];
    const target = pick(targets, this.random);
    const key = `chaos-${randomUUID()}`;
    const sender = request.role === 'admin' ? LOCAL_ADMIN.username : TEACHER.username;
    const record: OpRecord = {
      seq: ++this.seq, kind: used.name, via, target, key, logId: scopedCommandId(sender, key),
      startedAt: this.now(), endedAt: 0, outcome: 'unknown', status: 'pending',
    };
    this.ops.push(record);
    const work = (async () => {
      const answer = via === 'rest' ? await this.sendRest(target, request, record.key) : await this.sendNats(target, request, record.key);
      record.endedAt = this.now();
      record.outcome = answer.outcome;
      record.status = answer.status;
      if (answer.detail) record.detail = answer.detail.slice(0, 200);
      if (answer.outcome === 'ok' && answer.body) {
        record.commandId = typeof answer.body.commandId === 'string' ? answer.body.commandId : record.key;
        if (typeof answer.body.position === 'number') record.position = answer.body.position;
        used.onOk?.(this.state, answer.body);
      }
    })();
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work));
  }

  private drawKind(): OpKind {
    const total = this.kinds.reduce((s, k) => s + k.weight, 0);
    let draw = this.random.int(total);
    for (const kind of this.kinds) {
      if (draw < kind.weight) return kind;
      draw -= kind.weight;
    }
    return this.kinds[this.kinds.length - 1]; // not reached: draw < total
  }

  private async sendRest(target: string, request: WriteRequest, key: string): Promise<Answer> {
    try {
      const response = await fetch(`${this.targets.rest.get(target)}${request.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.tokens[request.role]}`, 'idempotency-key': key },
        body: JSON.stringify(request.body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      return classifyStatus(response.status, text);
    } catch (error) {
      return classifyTransportError(error);
    }
  }

  private async sendNats(target: string, request: WriteRequest, key: string): Promise<Answer> {
    const nc = this.natsConnections.get(target)!;
    const h = natsHeaders();
    h.set('Authorization', `Bearer ${this.tokens[request.role]}`);
    h.set('Idempotency-Key', key);
    const body = request.subject.endsWith('.review')
      ? { applicationId: request.path.split('/')[3], ...request.body }
      : request.body;
    try {
      const msg = await nc.request(request.subject, Buffer.from(JSON.stringify(body)), { timeout: REQUEST_TIMEOUT_MS, headers: h });
      const reply = JSON.parse(Buffer.from(msg.data).toString('utf8')) as { ok: boolean; data?: Record<string, unknown>; error?: { statusCode: number; message?: string } };
      if (reply.ok) return { outcome: 'ok', status: 200, body: reply.data ?? {} };
      return classifyStatus(reply.error?.statusCode ?? 500, reply.error?.message ?? '');
    } catch (error) {
      const code = (error as { code?: string }).code;
      // No responders: no node subscribed, so nothing received it.
      if (code === '503') return { outcome: 'failed', status: 'no-responders' };
      return { outcome: 'unknown', status: code === 'TIMEOUT' ? 'timeout' : String(code ?? 'error'), detail: String(error) };
    }
  }
}

interface Answer {
  readonly outcome: OpOutcome;
  readonly status: number | string;
  readonly body?: Record<string, unknown>;
  readonly detail?: string;
}

/** 2xx ok; 503/504 and other 5xx unknown (a no-quorum write may still be chosen later); 4xx failed. */
export function classifyStatus(status: number, text: string): Answer {
  if (status >= 200 && status < 300) {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // an ok without a body still counts as acknowledged
    }
    return { outcome: 'ok', status, body };
  }
  if (status >= 500) return { outcome: 'unknown', status, detail: text };
  return { outcome: 'failed', status, detail: text };
}

/** A refused connection never reached the node; anything else (reset, timeout) may have. */
export function classifyTransportError(error: unknown): Answer {
  const cause = (error as { cause?: { code?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return { outcome: 'failed', status: 'ECONNREFUSED' };
  const name = (error as { name?: string }).name;
  return { outcome: 'unknown', status: name === 'TimeoutError' ? 'timeout' : (cause?.code ?? String(name)), detail: String(error) };
}

async function post(base: string, path: string, body: unknown, token?: string, key?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
}

/** Sends a set-up request to the nodes in turn until one acknowledges it (409 = done before), bounded. */
async function retryUntilOk(
  what: string,
  urls: readonly string[],
  send: (url: string) => Promise<{ status: number; body: Record<string, unknown> }>,
): Promise<Record<string, unknown>> {
  let last = '';
  for (let attempt = 0; attempt < 120; attempt++) {
    try {
      const answer = await send(urls[attempt % urls.length]);
      if (answer.status < 300 || answer.status === 409) return answer.body;
      last = `${answer.status} ${JSON.stringify(answer.body)}`;
    } catch (error) {
      last = String(error);
    }
    await sleep(500);
  }
  throw new Error(`workload set-up: ${what} not acknowledged: ${last}`);
}
