import {
  ProjectionTimeoutError,
  Projector,
  ProjectorStoppedError,
  READ_MODELS,
  StudentsRepository,
} from '../../../src/projections';
import { scoreModified, studentRegistered } from '../../domain/fixtures';
import {
  type ProjectionTestDatabase,
  TestEventLog,
  clearAll,
  createProjectionTestDatabase,
} from './projection-test-support';

describe('Projector run loop and waitFor (real MySQL)', () => {
  let test: ProjectionTestDatabase;
  let log: TestEventLog;
  let projector: Projector | undefined;

  beforeAll(async () => {
    test = await createProjectionTestDatabase();
  });
  afterAll(() => test.drop());
  beforeEach(async () => {
    await clearAll(test.db);
    log = new TestEventLog(test.db);
  });
  afterEach(async () => {
    await projector?.stop();
    projector = undefined;
  });

  it('given a running projector that only polls every minute, then notify(position) makes it apply at once and waitFor resolves (read-your-writes)', async () => {
    projector = new Projector(test.db, READ_MODELS, { pollIntervalMs: 60_000 });
    void projector.run();
    await projector.load(); // queued behind the loop's first (empty) batch
    await log.append([[studentRegistered(100)], [scoreModified(5, 100)]]);
    const started = Date.now();
    projector.notify(log.head);
    await projector.waitFor(log.head, 5000);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await new StudentsRepository(test.db).getStudent('s-1'))?.score).toBe(105);
  });

  it('given no notify at all, then the bounded poll fallback catches up', async () => {
    projector = new Projector(test.db, READ_MODELS, { pollIntervalMs: 20 });
    void projector.run();
    await log.append([[studentRegistered(100)]]);
    const waiting = projector.waitFor(1, 5000);
    await expect(waiting).resolves.toBeUndefined();
    expect(projector.position).toBe(1);
  });

  it('waitFor resolves at once for an applied position and rejects with a typed timeout for one never written', async () => {
    await log.append([[studentRegistered(100)]]);
    projector = new Projector(test.db, READ_MODELS, { pollIntervalMs: 20 });
    await projector.catchUp();
    await expect(projector.waitFor(1, 0)).resolves.toBeUndefined();
    void projector.run();
    const error = await projector.waitFor(99, 100).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectionTimeoutError);
    expect(error).toMatchObject({ position: 99, reached: 1, timeoutMs: 100 });
  });

  it('stop() ends the loop and rejects the reads still waiting', async () => {
    projector = new Projector(test.db, READ_MODELS, { pollIntervalMs: 60_000 });
    const loop = projector.run();
    const waiting = projector.waitFor(50, 10_000);
    await projector.stop();
    await expect(loop).resolves.toBeUndefined();
    await expect(waiting).rejects.toBeInstanceOf(ProjectorStoppedError);
  });

  it('given a batch that fails, then the loop reports it, backs off, retries and applies it exactly once', async () => {
    let failures = 1;
    const errors: unknown[] = [];
    projector = new Projector(test.db, READ_MODELS, {
      pollIntervalMs: 20,
      onError: (e) => errors.push(e),
      hooks: {
        afterUpsert: () => {
          if (failures-- > 0) throw new Error('flaky disk');
        },
      },
    });
    await log.append([[studentRegistered(100)], [scoreModified(1, 100)], [scoreModified(1, 101)]]);
    void projector.run();
    projector.notify(3);
    await projector.waitFor(3, 5000);
    expect(errors).toEqual([new Error('flaky disk')]);
    expect((await new StudentsRepository(test.db).getStudent('s-1'))?.score).toBe(102);
  });
});
