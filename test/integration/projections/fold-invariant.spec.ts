import fc from 'fast-check';
import { Projector, READ_MODELS, dumpReadModels, foldReadModels } from '../../../src/projections';
import { PASSWORD_HASH_MARK, commandsArb } from '../../unit/projections/event-arbitraries';
import {
  type ProjectionTestDatabase,
  TestEventLog,
  clearAll,
  createProjectionTestDatabase,
  plain,
} from './projection-test-support';

/** Fast-check runs against the database; each empties it first. */
const RUNS = Number(process.env.PROJECTION_PROPERTY_RUNS ?? 40);

describe('every read model equals the fold of the log up to its checkpoint (property, real MySQL)', () => {
  let test: ProjectionTestDatabase;

  beforeAll(async () => {
    test = await createProjectionTestDatabase();
  });
  afterAll(() => test.drop());

  it('for random logs (any order, any text, other streams mixed in), appended and projected in random steps and batch sizes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(commandsArb(12), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 4, maxLength: 4 }),
        async (appends, batchEventsMax, stops) => {
          await clearAll(test.db);
          const log = new TestEventLog(test.db);
          const projector = new Projector(test.db, READ_MODELS, { batchEventsMax });
          for (const [i, commands] of appends.entries()) {
            await log.append(commands);
            // sometimes stop part way (catchUp(upto)), then always finish the step
            const upto = Math.min(log.head, projector.position + stops[i]);
            for (const target of [upto, log.head]) {
              expect(await projector.catchUp(target)).toBe(target);
              const tables = await dumpReadModels(test.db);
              expect(plain(tables)).toEqual(plain(foldReadModels(log.eventsUpTo(projector.position))));
              expect(JSON.stringify(plain(tables))).not.toContain(PASSWORD_HASH_MARK);
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
