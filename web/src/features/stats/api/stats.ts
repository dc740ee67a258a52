import { useQuery } from '@tanstack/react-query';
import { ApiError, getJson, seg } from '@/lib/api/client';
import type { components } from '@/lib/api/schema';
import type { Application, Page, Student } from '@/lib/api/types';

/** The admin start page's figures (`GET /api/stats/overview`); todayChanges null when computed here. */
export type Overview = Omit<components['schemas']['StatsOverviewDto'], 'todayChanges' | 'nearBounds'> & {
  todayChanges: number | null;
  nearBounds: Pick<Student, 'studentId' | 'name' | 'className' | 'score'>[];
};

/** One day of a class (`GET /api/stats/classes/:className/daily`). */
export type ClassDay = components['schemas']['ClassDayDto'];

/** Admin start page figures. */
export function useOverview() {
  return useQuery({
    queryKey: ['stats', 'overview'],
    queryFn: async () => {
      try {
        return await getJson<Overview>('/api/stats/overview');
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return overviewFromLists();
        throw error;
      }
    },
  });
}

/** Pages of students read at most to compute the overview without the statistics read model. */
const OVERVIEW_PAGES_MAX = 20;

/** The overview from the students and applications lists, for a node without statistics. */
async function overviewFromLists(): Promise<Overview> {
  const pending = await getJson<Page<Application>>('/api/applications', { status: 'pending', pageSize: 1 });
  const range = await getJson<{ scoreRange?: { min: number; max: number } }>('/api/config').catch(() => ({ scoreRange: undefined }));
  const scoreRange = range.scoreRange ?? { min: 0, max: 200 };
  const students: Student[] = [];
  for (let page = 1; page <= OVERVIEW_PAGES_MAX; page++) {
    const answer = await getJson<Page<Student>>('/api/students', { page, pageSize: 100 });
    students.push(...answer.items);
    if (students.length >= answer.total || answer.items.length === 0) break;
  }
  const margin = (scoreRange.max - scoreRange.min) * NEAR_BOUNDS_SHARE;
  return { pendingReviews: pending.total, todayChanges: null, scoreRange, margin, ...summarize(students, scoreRange) };
}

/** Share of the score range near either bound that counts as "near the bounds". */
export const NEAR_BOUNDS_SHARE = 0.1;

/** Each class's average and the students within NEAR_BOUNDS_SHARE of the range's ends. */
export function summarize(students: Student[], range: { min: number; max: number }): Pick<Overview, 'classes' | 'nearBounds'> {
  const byClass = new Map<string, { students: number; total: number }>();
  for (const s of students) {
    const c = byClass.get(s.className) ?? { students: 0, total: 0 };
    byClass.set(s.className, { students: c.students + 1, total: c.total + s.score });
  }
  const margin = (range.max - range.min) * NEAR_BOUNDS_SHARE;
  return {
    classes: [...byClass.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([className, c]) => ({ className, students: c.students, averageScore: c.total / c.students })),
    nearBounds: students
      .filter((s) => s.score <= range.min + margin || s.score >= range.max - margin)
      .map(({ studentId, name, className, score }) => ({ studentId, name, className, score })),
  };
}

/** Per-day figures of a class. */
export function useClassDaily(className: string | undefined) {
  return useQuery({
    queryKey: ['stats', 'daily', className],
    queryFn: async () => {
      const body = await getJson<components['schemas']['ClassDailyDto']>(`/api/stats/classes/${seg(className!)}/daily`);
      return body.days;
    },
    enabled: className !== undefined && className !== '',
  });
}
