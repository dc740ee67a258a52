import type { DomainEvent } from '../../../src/domain';
import {
  type Logged,
  READ_MODEL_PROJECTIONS,
  dailyScoreChange,
  dayOf,
  foldReadModels,
  projectionsTimeZone,
  readModelProjections,
  studentDailyScoresProjection,
} from '../../../src/projections';
import { scoreModified, studentRegistered } from '../../domain/fixtures';

const at = <E extends DomainEvent>(event: E, position: number): Logged<E> => ({ ...event, position });
const changedAt = (time: string, previousScore: number, delta = 1) => scoreModified(delta, previousScore, { at: time });

describe('student_daily_scores with a school time zone', () => {
  it('counts a change at 23:30 UTC for the next day in Asia/Shanghai, and for its own day in UTC', () => {
    const event = at(changedAt('2025-03-01T23:30:00.000Z', 100), 2);
    expect(dailyScoreChange(event, 'Asia/Shanghai')).toEqual({
      table: 'student_daily_scores',
      key: 's-1/2025-03-02',
      set: { student_id: 's-1', day: '2025-03-02', score: 101, position: 2 },
    });
    expect(dailyScoreChange(event, 'UTC')?.key).toBe('s-1/2025-03-01');
    expect(dailyScoreChange(event)?.key).toBe('s-1/2025-03-01');
    expect(dayOf('2025-03-01T23:30:00Z', 'Asia/Shanghai')).toBe('2025-03-02');
  });

  it('keeps the last change of each local day: two changes of one UTC day fall on two days in Shanghai', () => {
    const log = [
      at(studentRegistered(100), 1), // 2025-03-01T08:00Z: 16:00 in Shanghai
      at(changedAt('2025-03-01T10:00:00.000Z', 100), 2), // 18:00, 1 March
      at(changedAt('2025-03-01T17:00:00.000Z', 101), 3), // 01:00, 2 March
      at(changedAt('2025-03-01T20:00:00.000Z', 102), 4), // 04:00, 2 March
    ];
    const rows = (zone: string) => [...foldReadModels(log, readModelProjections(zone)).student_daily_scores.values()];
    expect(rows('Asia/Shanghai')).toEqual([
      { entry_id: 's-1/2025-03-01', student_id: 's-1', day: '2025-03-01', score: 101, position: 2 },
      { entry_id: 's-1/2025-03-02', student_id: 's-1', day: '2025-03-02', score: 103, position: 4 },
    ]);
    expect(rows('UTC')).toEqual([{ entry_id: 's-1/2025-03-01', student_id: 's-1', day: '2025-03-01', score: 103, position: 4 }]);
  });

  it('is a projection of its zone, given when it is made (the default set counts UTC days)', () => {
    expect(studentDailyScoresProjection('Europe/Berlin').timeZone).toBe('Europe/Berlin');
    expect(projectionsTimeZone(readModelProjections('Asia/Shanghai'))).toBe('Asia/Shanghai');
    expect(projectionsTimeZone(READ_MODEL_PROJECTIONS)).toBe('UTC');
    expect(projectionsTimeZone(READ_MODEL_PROJECTIONS.filter((p) => p.name === 'students'))).toBeUndefined();
    expect(() => studentDailyScoresProjection('Nowhere/Land')).toThrow(/not an IANA time zone/);
  });

  it('follows Europe/Berlin across its spring DST change', () => {
    const projection = studentDailyScoresProjection('Europe/Berlin');
    const day = (time: string) => (projection.project(at(changedAt(time, 100), 1))[0] as { set: { day: string } }).set.day;
    expect(day('2025-03-29T22:59:59.999Z')).toBe('2025-03-29'); // 23:59 CET
    expect(day('2025-03-29T23:00:00.000Z')).toBe('2025-03-30'); // 00:00 CET
    expect(day('2025-03-30T21:59:59.999Z')).toBe('2025-03-30'); // 23:59 CEST
    expect(day('2025-03-30T22:00:00.000Z')).toBe('2025-03-31'); // 00:00 CEST
  });
});
