import { sql } from 'kysely';
import { PAGE_ROWS_MAX, StudentsRepository } from '../../../src/projections';
import { AssertionError } from '../../../src/shared/assert';
import { type ProjectionTestDatabase, createProjectionTestDatabase } from './projection-test-support';

/**
 * Deep OFFSET paging and COUNT(*) over a whole table cost time that grows with the table (and
 * would hold the node's MySQL while accepts wait): lists page through their first PAGE_ROWS_MAX
 * rows only, and count up to that bound.
 */
describe('list paging is bounded (real MySQL)', () => {
  let test: ProjectionTestDatabase;
  const more = PAGE_ROWS_MAX + 5;

  beforeAll(async () => {
    test = await createProjectionTestDatabase();
    // More students than the bound, in class 7A; two in 7B. MariaDB's sequence engine makes the rows.
    await sql`INSERT INTO students (student_id, name, class_name, score, initial_score, frozen, archived, updated_at, position)
      SELECT CONCAT('s-', LPAD(seq, 6, '0')), 'Student', '7A', 100, 100, 0, 0, '2025-01-01 00:00:00.000', seq FROM ${sql.raw(`seq_1_to_${more}`)}`.execute(test.db);
    await sql`INSERT INTO students (student_id, name, class_name, score, initial_score, frozen, archived, updated_at, position)
      VALUES ('t-1', 'T', '7B', 100, 100, 0, 0, '2025-01-01 00:00:00.000', ${more + 1}), ('t-2', 'T', '7B', 100, 100, 0, 0, '2025-01-01 00:00:00.000', ${more + 2})`.execute(test.db);
  }, 120_000);
  afterAll(() => test.drop());

  it('given more matching rows than the bound, then the total stops at the bound and says it is a lower bound', async () => {
    const students = new StudentsRepository(test.db);
    const first = await students.listStudents({ className: '7A', pageSize: 100 });
    expect(first).toMatchObject({ page: 1, pageSize: 100, total: PAGE_ROWS_MAX, totalCapped: true });
    expect(first.items).toHaveLength(100);
  });

  it('given fewer matching rows than the bound, then the total is exact', async () => {
    const students = new StudentsRepository(test.db);
    expect(await students.listStudents({ className: '7B' })).toMatchObject({ total: 2, totalCapped: false });
  });

  it('the last page within the bound is served; a page past it is never read', async () => {
    const students = new StudentsRepository(test.db);
    const last = await students.listStudents({ page: PAGE_ROWS_MAX / 100, pageSize: 100 });
    expect(last.items.map((s) => s.studentId)).toEqual(Array.from({ length: 100 }, (_, i) => `s-${String(PAGE_ROWS_MAX - 99 + i).padStart(6, '0')}`));
    // The API refuses such a page with a 400 before any read; a read that still asks is a bug.
    await expect(students.listStudents({ page: PAGE_ROWS_MAX / 100 + 1, pageSize: 100 })).rejects.toThrow(AssertionError);
    await expect(students.listStudents({ page: 1_000_000, pageSize: 20 })).rejects.toThrow(AssertionError);
  });
});
