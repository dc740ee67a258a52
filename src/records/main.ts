import { connect } from 'nats';
import { recordsServiceEnvOf } from '../config/tool-env';
import { inboxPrefixFor } from '../infra/nats/connection';
import { serveRecords } from './records-service';

/**
 * `npm run records-service`: the student-records service for local use. Env (docs/configuration.md):
 * NATS_URL, NATS_USER, NATS_PASSWORD, RECORDS_DIR (default data/records, git-ignored),
 * RECORDS_SUBJECT (default records.archive.store), RECORDS_MODE (ok | fail | slow) and
 * RECORDS_DELAY_MS (slow mode's delay, default 10000).
 */
async function main(): Promise<void> {
  const env = recordsServiceEnvOf(process.env);
  const options = { subject: env.RECORDS_SUBJECT, dir: env.RECORDS_DIR, mode: env.RECORDS_MODE, delayMs: env.RECORDS_DELAY_MS };
  const nats = await connect({
    servers: env.NATS_URL.split(','),
    name: 'student-records',
    user: env.NATS_USER,
    pass: env.NATS_PASSWORD,
    inboxPrefix: inboxPrefixFor(env.NATS_USER ?? 'records'),
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
