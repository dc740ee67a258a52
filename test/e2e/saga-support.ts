import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { inboxPrefixFor } from '../../src/infra/nats/connection';
import { localAdminEnv } from '../../src/cluster/node-process';
import { createKysely } from '../../src/infra/mysql/database';
import { type LoggedEvent, dumpReadModels, foldReadModels, loggedEvent, readEventRows, readModelDb } from '../../src/projections';
import { plain } from '../integration/projections/projection-test-support';
import { type E2eCluster, REPO_ROOT, waitFor } from './cluster-harness';

/** One HTTP answer. */
export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const REQUEST_TIMEOUT_MS = 15_000;

/** REST calls to the nodes of a cluster, as the bootstrap admin unless a token is given. */
export class SagaApi {
  adminToken = '';

  constructor(private readonly cluster: E2eCluster) {}

  /** Logs the bootstrap admin in (retrying until the leader created it). */
  async login(): Promise<void> {
    const admin = localAdminEnv();
    await waitFor(
      'the bootstrap admin logs in',
      async () => {
        const id = this.cluster.aliveIds()[0];
        const answer = await this.call(id, 'POST', '/api/auth/login', { username: admin.ADMIN_USERNAME, password: admin.ADMIN_PASSWORD }, '');
        if (answer.status === 200) this.adminToken = String(answer.body.accessToken);
        return answer.status === 200;
      },
      30_000,
      200,
    );
  }

  /** One call to node `id` (any live node when null). */
  async call(id: string | null, method: string, path: string, body?: unknown, token = this.adminToken): Promise<Answer> {
    const node = id ?? this.cluster.aliveIds()[0];
    const headers: Record<string, string> = {};
    if (token !== '') headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`http://127.0.0.1:${this.cluster.port(node)}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      parsed = { text };
    }
    return { status: response.status, body: parsed };
  }

  /** Expects `status`, quoting the answer otherwise. */
  async expect(status: number, id: string | null, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const answer = await this.call(id, method, path, body);
    if (answer.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** Registers students, `parallel` at a time. */
  async registerStudents(students: readonly { studentId: string; className: string; initialScore?: number }[], parallel = 16): Promise<void> {
    for (let i = 0; i < students.length; i += parallel) {
      await Promise.all(
        students.slice(i, i + parallel).map((s) => this.expect(201, null, 'POST', '/api/students', { ...s, name: `Student ${s.studentId}` })),
      );
    }
  }

  /** The saga's view from a live node. */
  async saga(sagaId: string): Promise<Record<string, unknown>> {
    return this.expect(200, null, 'GET', `/api/sagas/${sagaId}`);
  }

  /** Waits until the saga's status is one of `statuses` (or it needs an operator, when asked). */
  async waitForSaga(sagaId: string, done: (view: Record<string, unknown>) => boolean, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    let last: Record<string, unknown> = {};
    await waitFor(
      `saga ${sagaId} to reach the expected state`,
      async () => {
        const answer = await this.call(null, 'GET', `/api/sagas/${sagaId}`).catch(() => null);
        if (answer?.status === 200) last = answer.body;
        return answer?.status === 200 && done(answer.body);
      },
      timeoutMs,
      50,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; last view ${JSON.stringify(last).slice(0, 2000)}`);
    });
    return last;
  }
}

/** Steps of a saga view that are done. */
export function doneSteps(view: Record<string, unknown>, prefix: string): number {
  return (view.steps as { step: string; status: string }[]).filter((s) => s.step.startsWith(prefix) && s.status === 'done').length;
}

/** Stream types some read model projects (a saga's own events change no row). */
const PROJECTED_STREAMS = ['student', 'application', 'user', 'archive'];

/**
 * A node's read models once they hold every projected event of its log: their rows, the fold of
 * the log up to their checkpoint, each student's score, and the log.
 */
export async function readModelsOf(cluster: E2eCluster, id: string): Promise<{ tables: unknown; fold: unknown; scores: Map<string, number>; events: LoggedEvent[] }> {
  const db = createKysely(cluster.mysqlUrl, cluster.db.names.get(id)!, 2);
  try {
    const rdb = readModelDb(db);
    let checkpoint = 0;
    await waitFor(
      `the read models of ${id} to catch up with its log`,
      async () => {
        const head = await db.selectFrom('event_log').select((eb) => eb.fn.max('position').as('head')).where('stream_type', 'in', PROJECTED_STREAMS).executeTakeFirst();
        const row = await rdb.selectFrom('projection_checkpoints').select('position').where('name', '=', 'read-models').executeTakeFirst();
        checkpoint = Number(row?.position ?? 0);
        return checkpoint >= Number(head?.head ?? 0);
      },
      30_000,
      100,
    );
    // Read under one snapshot would be nicer; the checkpoint is re-read after the tables instead.
    const tables = plain(await dumpReadModels(rdb));
    const events = (await readEventRows(rdb, 0, 1_000_000)).map(loggedEvent);
    const row = await rdb.selectFrom('projection_checkpoints').select('position').where('name', '=', 'read-models').executeTakeFirst();
    const upTo = Number(row?.position ?? 0);
    const scores = new Map([...(await rdb.selectFrom('students').select(['student_id', 'score']).execute())].map((r) => [r.student_id, Number(r.score)]));
    return { tables, fold: plain(foldReadModels(events.filter((e) => e.position <= upTo))), scores, events };
  } finally {
    await db.destroy();
  }
}

/** The student-records service as a child process on the cluster's NATS, storing into a temporary directory. */
export class RecordsProcess {
  private child: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'records-'));
  private nats: NatsConnection | null = null;

  constructor(
    private readonly natsUrl: string,
    readonly subject: string,
    /** More environment, e.g. the service's own NATS user. */
    private readonly env: Readonly<Record<string, string>> = {},
  ) {}

  async start(): Promise<void> {
    this.child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'records', 'main.js')], {
      env: { ...process.env, NATS_URL: this.natsUrl, RECORDS_SUBJECT: this.subject, RECORDS_DIR: this.dir, RECORDS_MODE: 'ok', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let ready = false;
    this.child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('storing archives')) ready = true;
    });
    await waitFor('the records service to listen', () => ready, 10_000, 50);
  }

  /** Switches how the service answers. */
  async setMode(mode: 'ok' | 'fail' | 'slow', delayMs = 0): Promise<void> {
    this.nats ??= await connect({ servers: this.natsUrl, inboxPrefix: inboxPrefixFor('e2e') });
    await this.nats.request(`${this.subject}.control`, JSON.stringify({ mode, delayMs }), { timeout: 5000 });
  }

  /** Kills the service (SIGKILL) and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    await this.nats?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
