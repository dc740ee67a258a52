import type { NatsConnection } from 'nats';
import type { ExternalAnswer } from '../../sagas';
import type { ArchivePayload } from './saga-runtime';

/** The subject the student-records service answers archives on (request/reply). */
export const RECORDS_STORE_SUBJECT = 'records.archive.store';
/** A pause before asking again when no records service listens. */
const ABSENT_RETRY_MS = 200;

/**
 * Hands an archive to the student-records service over NATS request/reply. Answers the service's
 * verdict; null when it did not answer within `timeoutMs`, or no service listens (after a short
 * pause, so the caller may ask again until its deadline).
 */
export async function storeArchive(nats: NatsConnection, subject: string, archive: ArchivePayload, timeoutMs: number): Promise<ExternalAnswer | null> {
  try {
    const reply = await nats.request(subject, JSON.stringify(archive), { timeout: Math.max(1, Math.floor(timeoutMs)) });
    const body = JSON.parse(new TextDecoder().decode(reply.data)) as { ok?: unknown; error?: { message?: unknown } };
    if (body.ok === true) return { ok: true };
    return { ok: false, message: `the records service refused the archive: ${String(body.error?.message ?? 'no reason given')}` };
  } catch (error) {
    // A timeout used the time up already; anything else (no responders, a reconnecting client)
    // answers at once, so pause before the caller asks again.
    if ((error as { code?: unknown }).code !== 'TIMEOUT') await new Promise((r) => setTimeout(r, Math.min(ABSENT_RETRY_MS, timeoutMs)));
    return null;
  }
}
