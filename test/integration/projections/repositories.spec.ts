import { type DomainEvent, domainEvent } from '../../../src/domain';
import {
  ApplicationsRepository,
  Projector,
  READ_MODELS,
  ScoreRecordsRepository,
  StudentsRepository,
  UsersRepository,
} from '../../../src/projections';
import {
  NOW,
  admin,
  applicationRejected,
  club,
  ref,
  scoreModified,
  studentRegistered,
  teacher,
} from '../../domain/fixtures';
import { type ProjectionTestDatabase, TestEventLog, createProjectionTestDatabase } from './projection-test-support';

function registered(studentId: string, className: string): DomainEvent {
  const e = studentRegistered(100, studentId);
  return { ...e, data: { ...e.data, name: `Student ${studentId}`, className } };
}

function submitted(applicationId: string, by: typeof teacher): DomainEvent {
  const data = { applicationId, studentId: 's-1', delta: 3, reason: 'helped', actor: ref(by), at: NOW };
  return domainEvent('application', applicationId, 'ApplicationSubmitted', data);
}

describe('read repositories (real MySQL)', () => {
  let test: ProjectionTestDatabase;

  beforeAll(async () => {
    test = await createProjectionTestDatabase();
    const log = new TestEventLog(test.db);
    await log.append([
      ...['s-1', 's-2', 's-3', 's-4', 's-5'].map((id, i) => [registered(id, i % 2 === 0 ? '7A' : '7B')]),
      ...Array.from({ length: 7 }, (_, i) => [scoreModified(1, 100 + i)]),
      [submitted('app-1', teacher)],
      [submitted('app-2', club)],
      [submitted('app-3', teacher)],
      [
        {
          ...applicationRejected(),
          streamId: 'app-1',
          data: { ...applicationRejected().data, applicationId: 'app-1' },
        },
      ],
    ]);
    await new Projector(test.db, READ_MODELS).catchUp();
  });
  afterAll(() => test.drop());

  it('lists students by id, paged, optionally of one class, with the total', async () => {
    const students = new StudentsRepository(test.db);
    const page2 = await students.listStudents({ page: 2, pageSize: 2 });
    expect(page2).toMatchObject({ page: 2, pageSize: 2, total: 5 });
    expect(page2.items.map((s) => s.studentId)).toEqual(['s-3', 's-4']);
    const sevenA = await students.listStudents({ className: '7A' });
    expect(sevenA).toMatchObject({ page: 1, pageSize: 20, total: 3 });
    expect(sevenA.items.map((s) => s.studentId)).toEqual(['s-1', 's-3', 's-5']);
    expect(await students.listStudents({ className: 'nope' })).toEqual({ items: [], page: 1, pageSize: 20, total: 0, totalCapped: false });
  });

  it('answers undefined for what does not exist, and an empty history for an unknown student', async () => {
    expect(await new StudentsRepository(test.db).getStudent('s-404')).toBeUndefined();
    expect(await new ApplicationsRepository(test.db).getApplication('app-404')).toBeUndefined();
    expect(await new UsersRepository(test.db).getUser(admin.username)).toBeUndefined();
    expect(await new ScoreRecordsRepository(test.db).listRecords('s-404')).toEqual({
      items: [],
      page: 1,
      pageSize: 20,
      total: 0,
      totalCapped: false,
    });
  });

  it("pages a student's records newest first", async () => {
    const records = new ScoreRecordsRepository(test.db);
    const all = await records.listRecords('s-1', { pageSize: 100 });
    expect(all.total).toBe(7);
    expect(all.items.map((r) => r.newScore)).toEqual([107, 106, 105, 104, 103, 102, 101]);
    const last = await records.listRecords('s-1', { page: 3, pageSize: 3 });
    expect(last.items.map((r) => r.position)).toEqual([all.items[6].position]);
  });

  it('lists applications newest first, by status and/or submitter (a teacher sees only their own)', async () => {
    const applications = new ApplicationsRepository(test.db);
    const ids = async (request: Parameters<ApplicationsRepository['listApplications']>[0]) =>
      (await applications.listApplications(request)).items.map((a) => a.applicationId);
    expect(await ids({})).toEqual(['app-3', 'app-2', 'app-1']);
    expect(await ids({ status: 'pending' })).toEqual(['app-3', 'app-2']);
    expect(await ids({ status: 'rejected' })).toEqual(['app-1']);
    expect(await ids({ submittedBy: teacher.username })).toEqual(['app-3', 'app-1']);
    expect(await ids({ status: 'pending', submittedBy: teacher.username })).toEqual(['app-3']);
    expect((await applications.listApplications({ status: 'approved' })).total).toBe(0);
  });
});
