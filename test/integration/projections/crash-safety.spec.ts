import { sql } from 'kysely';
import { createConnection } from 'mysql2/promise';
import type { DomainEvent } from '../../../src/domain';
import { parseMysqlUrl } from '../../../src/infra/mysql/mysql-url';
import {
  CheckpointMovedError,
  Projector,
  READ_MODELS,
  type ReadModelTable,
  dumpReadModels,
  foldReadModels,
  readCheckpoints,
} from '../../../src/projections';
import {
  applicationApproved,
  applicationSubmitted,
  scoreModified,
  studentRegistered,
  userCreated,
  userDisabled,
} from '../../domain/fixtures';
import { MYSQL_URL } from '../mysql/test-database';
import {
  type ProjectionTestDatabase,
  TestEventLog,
  clearAll,
  createProjectionTestDatabase,
  plain,
} from './projection-test-support';

/** 40 events touching every table, so every batch of 10 writes several tables. */
function schoolLog(): DomainEvent[][] {
  const commands: DomainEvent[][] = [[studentRegistered(100)], [userCreated('kim', 'student', 's-1')]];
  for (let i = 0; i < 34; i += 1) commands.push([scoreModified(1, 100 + i)]);
  commands.push(
    [applicationSubmitted(5)],
    [applicationApproved(5, 139), scoreModified(5, 134, { source: 'application', applicationId: 'app-1' })],
  );
  commands.push([userDisabled('kim')]);
  return commands;
}

describe('crash safety: a batch and its checkpoint commit together (real MySQL)', () => {
  let test: ProjectionTestDatabase;
  let log: TestEventLog;

  beforeAll(async () => {
    test = await createProjectionTestDatabase();
  });
  afterAll(() => test.drop());
  beforeEach(async () => {
    await clearAll(test.db);
    log = new TestEventLog(test.db);
    await log.append(schoolLog());
    expect(log.head).toBe(40);
  });

  async function expectFoldAt(position: number): Promise<void> {
    expect(await readCheckpoints(test.db)).toEqual([{ name: 'read-models', position }]);
    expect(plain(await dumpReadModels(test.db))).toEqual(plain(foldReadModels(log.eventsUpTo(position))));
  }

  it('given a failure after the first table of a batch was written, then rows and checkpoint are as before; a re-run ends equal to the fold', async () => {
    let failing = true;
    const written: ReadModelTable[] = [];
    const projector = new Projector(test.db, READ_MODELS, {
      batchEventsMax: 10,
      hooks: {
        afterUpsert: (_trx, table) => {
          written.push(table);
          if (failing && projector.position === 10) throw new Error('injected crash mid-batch');
        },
      },
    });
    expect(await projector.catchUp(10)).toBe(10);
    await expect(projector.catchUp()).rejects.toThrow('injected crash mid-batch');
    expect(written.at(-1)).toBe('students'); // the batch had written rows when it failed
    expect(projector.position).toBe(10);
    await expectFoldAt(10);

    failing = false;
    expect(await projector.catchUp()).toBe(40);
    await expectFoldAt(40);
  });

  it('given the connection killed mid-transaction (the server rolls back), then nothing of the batch remains; a new projector resumes', async () => {
    const killer = await createConnection({ ...parseMysqlUrl(MYSQL_URL), database: undefined });
    try {
      let killed = false;
      const crashing = new Projector(test.db, READ_MODELS, {
        batchEventsMax: 15,
        hooks: {
          afterUpsert: async (trx) => {
            if (killed || crashing.position !== 15) return;
            killed = true;
            const { rows } = await sql<{ id: number }>`SELECT CONNECTION_ID() AS id`.execute(trx);
            await killer.query(`KILL CONNECTION ${Number(rows[0].id)}`);
          },
        },
      });
      expect(await crashing.catchUp(15)).toBe(15);
      await expect(crashing.catchUp()).rejects.toThrow();
      expect(killed).toBe(true);
      await expectFoldAt(15);

      expect(await new Projector(test.db, READ_MODELS, { batchEventsMax: 15 }).catchUp()).toBe(40);
      await expectFoldAt(40);
    } finally {
      await killer.end();
    }
  });

  it('given two projectors of one set, then a stale one is refused (CheckpointMovedError), reloads, and nothing is applied twice or skipped', async () => {
    const stale = new Projector(test.db, READ_MODELS, { batchEventsMax: 10 });
    expect(await stale.catchUp(10)).toBe(10);
    const other = new Projector(test.db, READ_MODELS, { batchEventsMax: 10 });
    expect(await other.catchUp(30)).toBe(30);

    const error = await stale.catchUp().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointMovedError);
    expect(error).toMatchObject({ checkpoint: 'read-models', expected: 10 });
    await expectFoldAt(30);
    expect(await stale.catchUp()).toBe(40);
    await expectFoldAt(40);
  });

  it('given two projectors racing batch for batch, then the tables still end equal to the fold', async () => {
    const a = new Projector(test.db, READ_MODELS, { batchEventsMax: 3 });
    const b = new Projector(test.db, READ_MODELS, { batchEventsMax: 4 });
    for (let round = 0; round < 20; round += 1) {
      await Promise.allSettled([a.catchUp(), b.catchUp()]);
      if (a.position === 40 || b.position === 40) break;
    }
    const last = new Projector(test.db, READ_MODELS);
    expect(await last.catchUp()).toBe(40);
    await expectFoldAt(40);
  });
});
