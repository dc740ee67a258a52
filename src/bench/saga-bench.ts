import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { inboxPrefixFor } from '../infra/nats/connection';
import { serveRecords } from '../records/records-service';
import { startBenchCluster } from './our-cluster';

/** What `--only sagas` measures. */
export interface SagaBenchResult {
  readonly batch: { readonly students: number; readonly chunkSize: number; readonly seconds: number; readonly status: string };
  readonly archive: { readonly students: number; readonly chunkSize: number; readonly seconds: number; readonly status: string };
  readonly registerSeconds: number;
}

const REGISTER_IN_FLIGHT = 64;
const POLL_MS = 20;
const SAGA_WAIT_MS = 600_000;

/**
 * A 5,000-student batch adjustment and a 2,000-student semester archive through a fresh 3-node
 * cluster (real MySQL, NATS and the records service): seconds from the POST to the saga's end
 * as GET /api/sagas/:id reports it.
 */
export async function benchSagas(mysqlUrl: string, natsUrl: string, out: (line: string) => void, batchStudents = 5000, archiveStudents = 2000): Promise<SagaBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-records-'));
  const cluster = await startBenchCluster(mysqlUrl, natsUrl, (name) => ({ RECORDS_SUBJECT: `${name}.records.store`, RECORDS_TIMEOUT_MS: '30000' }));
  const recordsNats = await connect({ servers: natsUrl.split(','), inboxPrefix: inboxPrefixFor('records') });
  try {
    serveRecords(recordsNats, { subject: `${cluster.name}.records.store`, dir, mode: 'ok', delayMs: 0 }, () => undefined);
    const ids = Array.from({ length: batchStudents }, (_, i) => `s-${i + 1}`);
    const started = Date.now();
    for (let i = 0; i < ids.length; i += REGISTER_IN_FLIGHT) {
      await Promise.all(
        ids.slice(i, i + REGISTER_IN_FLIGHT).map((studentId, j) =>
          cluster.post('/api/students', { studentId, name: `Student ${studentId}`, className: i + j < archiveStudents ? 'archive-me' : 'other' }),
        ),
      );
    }
    const registerSeconds = (Date.now() - started) / 1000;
    out(`registered ${ids.length} students in ${registerSeconds.toFixed(1)} s`);
    const changes = ids.map((studentId, i) => ({ studentId, delta: i % 2 === 0 ? 2 : -1 }));
    const batch = await timeSaga(() => cluster.post('/api/scores/batch', { changes, reason: 'bench' }), (path) => cluster.get(path));
    out(`batch of ${ids.length}: ${batch.status} in ${batch.seconds.toFixed(2)} s (chunks of ${batch.chunkSize})`);
    const archive = await timeSaga(() => cluster.post('/api/archives', { semester: 'bench', className: 'archive-me' }), (path) => cluster.get(path));
    out(`archive of ${archiveStudents}: ${archive.status} in ${archive.seconds.toFixed(2)} s (chunks of ${archive.chunkSize})`);
    return { batch: { students: ids.length, ...batch }, archive: { students: archiveStudents, ...archive }, registerSeconds };
  } finally {
    await recordsNats.close();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timeSaga(
  start: () => Promise<Record<string, unknown>>,
  get: (path: string) => Promise<Record<string, unknown>>,
): Promise<{ seconds: number; status: string; chunkSize: number }> {
  const began = Date.now();
  const { sagaId } = await start();
  for (let i = 0; Date.now() - began < SAGA_WAIT_MS && i < SAGA_WAIT_MS / POLL_MS; i++) {
    const view = await get(`/api/sagas/${String(sagaId)}`);
    if (view.status === 'completed' || view.status === 'compensated') {
      return { seconds: (Date.now() - began) / 1000, status: String(view.status), chunkSize: Number((view.input as { chunkSize: number }).chunkSize) };
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`saga ${String(sagaId)} did not end within ${SAGA_WAIT_MS / 1000} s`);
}
