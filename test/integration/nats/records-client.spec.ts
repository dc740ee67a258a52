import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NatsConnection, connect } from 'nats';
import { storeArchive } from '../../../src/infra/nats/records-client';
import type { ArchivePayload } from '../../../src/application/sagas/saga-runtime';
import { serveRecords } from '../../../src/records/records-service';
import { NATS_URL } from './nats-test-support';

/**
 * The archive saga's records client on the real NATS: only an answer that names the archive it
 * asked about counts; a stray or forged "ok" is no answer at all.
 */
describe('storeArchive', () => {
  let nats: NatsConnection;
  let service: NatsConnection;
  const archive: ArchivePayload = { archiveId: 'archive-1', semester: 's1', className: '7a', students: [] };

  beforeAll(async () => {
    nats = await connect({ servers: NATS_URL });
    service = await connect({ servers: NATS_URL });
  });

  afterAll(async () => {
    await nats.close();
    await service.close();
  });

  /** A responder on a fresh subject that answers every request with `answer`. */
  async function answering(answer: unknown): Promise<string> {
    const subject = `test.records.${randomBytes(6).toString('hex')}`;
    service.subscribe(subject, { max: 1, callback: (_e, msg) => msg.respond(JSON.stringify(answer)) });
    await service.flush();
    return subject;
  }

  it.each([
    ['a bare ok', { ok: true }],
    ['an ok about another archive', { ok: true, data: { archiveId: 'archive-2' } }],
    ['an ok with the id in the wrong place', { ok: true, archiveId: 'archive-1' }],
    ['a refusal naming no archive', { ok: false, error: { message: 'no' } }],
    ['not an answer at all', 'stored'],
  ])('takes %s as no answer', async (_name, answer) => {
    const subject = await answering(answer);
    await expect(storeArchive(nats, subject, archive, 5000)).resolves.toBeNull();
  });

  it('takes the answers that name the archive', async () => {
    await expect(storeArchive(nats, await answering({ ok: true, data: { archiveId: 'archive-1' } }), archive, 5000)).resolves.toEqual({ ok: true });
    await expect(storeArchive(nats, await answering({ ok: false, error: { archiveId: 'archive-1', message: 'full' } }), archive, 5000)).resolves.toEqual({
      ok: false,
      message: 'the records service refused the archive: full',
    });
  });

  it('is answered by the records service', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'records-client-'));
    const subject = `test.records.${randomBytes(6).toString('hex')}`;
    const options = { subject, dir, mode: 'ok' as const, delayMs: 0 };
    const subscriptions = serveRecords(service, options, () => undefined);
    try {
      await service.flush();
      await expect(storeArchive(nats, subject, archive, 5000)).resolves.toEqual({ ok: true });
      Object.assign(options, { mode: 'fail' });
      await expect(storeArchive(nats, subject, archive, 5000)).resolves.toMatchObject({ ok: false });
    } finally {
      for (const s of subscriptions) s.unsubscribe();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
