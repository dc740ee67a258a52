import type { DomainEvent } from '../../../src/domain';
import { Projector, READ_MODELS, StudentsRepository, readCheckpoints } from '../../../src/projections';
import { scoreModified, studentRegistered } from '../../domain/fixtures';
import { type ProjectionTestDatabase, TestEventLog, createProjectionTestDatabase } from './projection-test-support';

/**
 * Synthetic events projected; `PROJECTION_RATE_EVENTS=100000` for the figure in the notes. The rate
 * is printed, not asserted (the machine is shared; speed is the bench's): the test asserts what the
 * projector wrote.
 */
const EVENTS = Number(process.env.PROJECTION_RATE_EVENTS ?? 20_000);
const STUDENTS = 1000;

/** STUDENTS registrations, then score changes spread over them: the shape of a real log. */
function syntheticLog(): DomainEvent[][] {
  const commands: DomainEvent[][] = [];
  const scores = new Array<number>(STUDENTS).fill(100);
  for (let s = 0; s < STUDENTS; s += 1) commands.push([studentRegistered(100, `s-${s}`)]);
  for (let i = commands.length; i < EVENTS; i += 1) {
    const s = (i * 7919) % STUDENTS;
    const delta = (i % 2) * 2 - 1;
    const change = scoreModified(delta, scores[s], { studentId: `s-${s}`, reason: `synthetic change ${i}` });
    scores[s] += delta;
    commands.push([change]);
  }
  return commands;
}

describe('projector rate (real MySQL)', () => {
  let test: ProjectionTestDatabase;
  let log: TestEventLog;

  beforeAll(async () => {
    test = await createProjectionTestDatabase();
    log = new TestEventLog(test.db);
    await log.append(syntheticLog());
  }, 300_000);
  afterAll(() => test.drop());

  it.each([
    ['live batches', 1000],
    ['rebuild batches', 10_000],
  ])(
    `projects ${EVENTS} student events (%s of %i)`,
    async (label, batchEventsMax) => {
      for (const table of ['students', 'score_records', 'projection_checkpoints'] as const)
        await test.db.deleteFrom(table).execute();
      const projector = new Projector(test.db, READ_MODELS, { batchEventsMax });
      const started = process.hrtime.bigint();
      expect(await projector.catchUp()).toBe(EVENTS);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const rate = Math.round(EVENTS / seconds);
      process.stdout.write(
        `projector (${label}, ${batchEventsMax}/batch): ${EVENTS} events in ${seconds.toFixed(2)} s = ${rate} events/s\n`,
      );
      expect(await readCheckpoints(test.db)).toEqual([{ name: 'read-models', position: EVENTS }]);
      const count = await test.db
        .selectFrom('score_records')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(EVENTS - STUDENTS);
      const last = log.rows[log.rows.length - 1];
      const expected = (JSON.parse(last.data) as { newScore: number }).newScore;
      expect((await new StudentsRepository(test.db).getStudent(last.stream_id))?.score).toBe(expected);
    },
    300_000,
  );
});
