import type { NatsConnection } from 'nats';
import type { ExternalAnswer } from '../../sagas';
import type { ArchivePayload } from '../../application/sagas/saga-runtime';

/** The subject the student-records service answers archives on (request/reply). */
export const RECORDS_STORE_SUBJECT = 'records.archive.store';
/** A pause before asking again when no records service listens. */
const ABSENT_RETRY_MS = 200;

/**
 * Hands an archive to the student-records service over NATS request/reply. Answers the service's
 * verdict; null when it did not answer within `timeoutMs`, no service listens (after a short
 * pause, so the caller may ask again until its deadline), or the answer is not one the service
 * gives for this archive (see `recordsVerdict`): a forged or stray reply never counts as stored.
 */
export async function storeArchive(nats: NatsConnection, subject: string, archive: ArchivePayload, timeoutMs: number): Promise<ExternalAnswer | null> {
  let text: string;
  try {
    const reply = await nats.request(subject, JSON.stringify(archive), { timeout: Math.max(1, Math.floor(timeoutMs)) });
    text = new TextDecoder().decode(reply.data);
  } catch (error) {
    // A timeout used the time up already; anything else (no responders, a reconnecting client)
    // answers at once, so pause before the caller asks again.
    if ((error as { code?: unknown }).code !== 'TIMEOUT') await new Promise((r) => setTimeout(r, Math.min(ABSENT_RETRY_MS, timeoutMs)));
    return null;
  }
  return recordsVerdict(text, archive.archiveId);
}

const REASON_LENGTH_MAX = 500;

/**
 * The verdict in a records service's answer about archive `archiveId`, or null when the answer is
 * not one: the service answers `{ok: true, data: {archiveId, ...}}` or
 * `{ok: false, error: {archiveId, message}}`, always naming the archive it was asked about.
 *
 * @example recordsVerdict('{"ok":true,"data":{"archiveId":"a-1"}}', 'a-1') // { ok: true }
 * @example recordsVerdict('{"ok":true}', 'a-1') // null
 */
export function recordsVerdict(text: string, archiveId: string): ExternalAnswer | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof body !== 'object' || body === null) return null;
  const { ok, data, error } = body as { ok?: unknown; data?: unknown; error?: unknown };
  const named = (part: unknown): part is { archiveId: string; message?: unknown } =>
    typeof part === 'object' && part !== null && (part as { archiveId?: unknown }).archiveId === archiveId;
  if (ok === true) return named(data) ? { ok: true } : null;
  if (ok !== false || !named(error) || typeof error.message !== 'string') return null;
  return { ok: false, message: `the records service refused the archive: ${error.message.slice(0, REASON_LENGTH_MAX)}` };
}
