import {
  PAGE_SIZE_MAX,
  PositionWaiters,
  ProjectionTimeoutError,
  ProjectionWaitersFullError,
  isoFromSql,
  pageWindow,
  prefixedTables,
  sqlDatetime,
} from '../../../src/projections';

describe('sql values', () => {
  it('writes an ISO time as DATETIME(3) text and reads a Date or that text back to the same ISO time', () => {
    const iso = '2025-03-01T08:00:00.123Z';
    expect(sqlDatetime(iso)).toBe('2025-03-01 08:00:00.123');
    expect(isoFromSql(new Date(iso))).toBe(iso);
    expect(isoFromSql('2025-03-01 08:00:00.123')).toBe(iso);
    expect(isoFromSql('2025-03-01 08:00:00')).toBe('2025-03-01T08:00:00.000Z');
  });

  it('asserts on a row time that is not canonical', () => {
    expect(() => sqlDatetime('2025-03-01T08:00:00Z')).toThrow(/ISO-8601/);
  });
});

describe('paging and table names', () => {
  it('fills defaults and computes the offset; asserts on nonsense', () => {
    expect(pageWindow({})).toEqual({ page: 1, pageSize: 20, offset: 0 });
    expect(pageWindow({ page: 3, pageSize: 10 })).toEqual({ page: 3, pageSize: 10, offset: 20 });
    expect(() => pageWindow({ page: 0 })).toThrow();
    expect(() => pageWindow({ pageSize: PAGE_SIZE_MAX + 1 })).toThrow();
  });

  it('prefixes table names, and refuses a prefix that is not a plain identifier', () => {
    expect(prefixedTables('shadow_')('students')).toBe('shadow_students');
    expect(() => prefixedTables('x`; DROP TABLE students; --')).toThrow();
  });
});

describe('PositionWaiters', () => {
  it('resolves at once when reached, on advance otherwise, and times out with a typed error', async () => {
    const waiters = new PositionWaiters(2);
    let reached = 5;
    await expect(waiters.wait(5, 10, () => reached)).resolves.toBeUndefined();
    const later = waiters.wait(7, 1000, () => reached);
    reached = 7;
    waiters.advance(7);
    await expect(later).resolves.toBeUndefined();
    const error = await waiters.wait(9, 5, () => reached).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectionTimeoutError);
    expect(error).toMatchObject({ position: 9, reached: 7, timeoutMs: 5 });
    expect(waiters.size).toBe(0);
  });

  it('refuses more than its maximum of waiting reads', async () => {
    const waiters = new PositionWaiters(1);
    const first = waiters.wait(10, 1000, () => 0);
    await expect(waiters.wait(11, 1000, () => 0)).rejects.toBeInstanceOf(ProjectionWaitersFullError);
    waiters.rejectAll(new Error('stopped'));
    await expect(first).rejects.toThrow('stopped');
  });
});
