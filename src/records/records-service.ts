import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NatsConnection, Subscription } from 'nats';
import { type EnvSource, parseEnv, pickEnv } from '../config/env-schema';
import { DEFAULT_RECORDS_DIR, RECORDS_MODES, RECORDS_SERVICE_ENV } from '../config/tool-env';

/** How the service answers: store normally, refuse every archive, or answer only after `delayMs`. */
export type RecordsMode = (typeof RECORDS_MODES)[number];

/** The service's settings. */
export interface RecordsOptions {
  readonly subject: string;
  readonly dir: string;
  mode: RecordsMode;
  delayMs: number;
}

const ID = /^[A-Za-z0-9._-]{1,128}$/;

export { DEFAULT_RECORDS_DIR };

/** The archives' folder: RECORDS_DIR when set, else DEFAULT_RECORDS_DIR (relative to the working directory). */
export function recordsDirOf(env: EnvSource): string {
  return parseEnv(pickEnv(RECORDS_SERVICE_ENV, ['RECORDS_DIR']), env).RECORDS_DIR;
}

/**
 * A small student-records service: answers `records.archive.store` (always naming the archive it
 * was asked about: `{ok: true, data: {archiveId, path, students}}` or `{ok: false, error: {archiveId, message}}`) by writing the archive as JSON
 * to `<dir>/<semester>/<archiveId>.json` (written to a temporary file, then renamed: a retry of the
 * same archive overwrites it whole). `<subject>.control` `{mode, delayMs}` switches how it answers,
 * so tests can make it fail or slow without a restart.
 */
export function serveRecords(nats: NatsConnection, options: RecordsOptions, log: (line: string) => void): Subscription[] {
  const store = nats.subscribe(options.subject, {
    callback: (error, msg) => {
      if (error !== null) return;
      const archiveId = archiveIdOf(msg.data);
      void handleStore(options, msg.data)
        .then((reply) => msg.respond(JSON.stringify(reply)))
        .catch((e: unknown) => msg.respond(JSON.stringify({ ok: false, error: { archiveId, message: e instanceof Error ? e.message : String(e) } })));
    },
  });
  const control = nats.subscribe(`${options.subject}.control`, {
    callback: (error, msg) => {
      if (error !== null) return;
      const body = JSON.parse(new TextDecoder().decode(msg.data)) as { mode?: RecordsMode; delayMs?: number };
      if (body.mode === 'ok' || body.mode === 'fail' || body.mode === 'slow') options.mode = body.mode;
      if (typeof body.delayMs === 'number' && body.delayMs >= 0) options.delayMs = body.delayMs;
      log(`mode ${options.mode}, delay ${options.delayMs} ms`);
      msg.respond(JSON.stringify({ ok: true, data: { mode: options.mode, delayMs: options.delayMs } }));
    },
  });
  return [store, control];
}

/** The archive id a request names (null when none): every answer names it, so the node can check what it is told about. */
function archiveIdOf(data: Uint8Array): string | null {
  try {
    const id = (JSON.parse(new TextDecoder().decode(data)) as { archiveId?: unknown } | null)?.archiveId;
    return typeof id === 'string' && ID.test(id) ? id : null;
  } catch {
    return null;
  }
}

async function handleStore(options: RecordsOptions, data: Uint8Array): Promise<unknown> {
  const archive = JSON.parse(new TextDecoder().decode(data)) as { archiveId?: unknown; semester?: unknown; students?: unknown };
  if (options.mode === 'slow') await new Promise((r) => setTimeout(r, options.delayMs));
  const named = archiveIdOf(data);
  if (options.mode === 'fail') return { ok: false, error: { archiveId: named, message: 'the records service is failing (mode fail)' } };
  const { archiveId, semester } = archive;
  if (typeof archiveId !== 'string' || !ID.test(archiveId) || typeof semester !== 'string' || !ID.test(semester) || !Array.isArray(archive.students)) {
    return { ok: false, error: { archiveId: named, message: 'an archive needs an archiveId, a semester and students' } };
  }
  const dir = join(options.dir, semester);
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${archiveId}.json`);
  await writeFile(`${path}.tmp`, JSON.stringify({ ...archive, storedAt: new Date().toISOString() }, null, 1));
  await rename(`${path}.tmp`, path);
  return { ok: true, data: { archiveId, path, students: archive.students.length } };
}
