import { connect } from 'nats';
import { inboxPrefixFor } from '../infra/nats/connection';
import { RECORDS_STORE_SUBJECT } from '../infra/nats/records-client';
import { type RecordsMode, recordsDirOf, serveRecords } from './records-service';

/**
 * `npm run records-service`: the student-records service for local use. Env: NATS_URL,
 * RECORDS_DIR (default data/records, git-ignored), RECORDS_SUBJECT (default records.archive.store),
 * RECORDS_MODE (ok | fail | slow) and RECORDS_DELAY_MS (slow mode's delay, default 10000).
 */
async function main(): Promise<void> {
  const mode = (process.env.RECORDS_MODE ?? 'ok') as RecordsMode;
  if (!['ok', 'fail', 'slow'].includes(mode)) throw new Error(`RECORDS_MODE must be ok, fail or slow, got ${mode}`);
  const options = {
    subject: process.env.RECORDS_SUBJECT || RECORDS_STORE_SUBJECT,
    dir: recordsDirOf(process.env),
    mode,
    delayMs: Number(process.env.RECORDS_DELAY_MS ?? 10_000),
  };
  const nats = await connect({
    servers: (process.env.NATS_URL ?? 'nats://127.0.0.1:4222').split(','),
    name: 'student-records',
    user: process.env.NATS_USER || undefined,
    pass: process.env.NATS_PASSWORD || undefined,
    inboxPrefix: inboxPrefixFor(process.env.NATS_USER || 'records'),
    maxReconnectAttempts: -1,
  });
  const log = (line: string) => process.stdout.write(`records: ${line}\n`);
  serveRecords(nats, options, log);
  await nats.flush();
  log(`storing archives from ${options.subject} in ${options.dir} (mode ${options.mode})`);
  const stop = () => void nats.drain().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`records: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
