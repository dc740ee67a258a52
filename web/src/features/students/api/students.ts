import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { getJson, seg, sendJson } from '@/lib/api/client';
import type { Page, ScoreRecord, Student } from '@/lib/api/types';

/** The largest page the API serves. */
export const PAGE_SIZE_MAX = 100;
/** Pages of students read for a roster at most (a roster of 2,000 students). */
export const ROSTER_PAGES_MAX = 20;

/** The query of every student (of one class, when given), read page by page up to ROSTER_PAGES_MAX. */
function rosterQuery(className?: string) {
  return {
    queryKey: ['students', 'roster', className ?? ''],
    queryFn: async () => {
      const all: Student[] = [];
      for (let page = 1; page <= ROSTER_PAGES_MAX; page++) {
        const answer = await getJson<Page<Student>>('/api/students', { className, page, pageSize: PAGE_SIZE_MAX });
        all.push(...answer.items);
        if (all.length >= answer.total || answer.items.length === 0) break;
      }
      return all;
    },
  };
}

/** Every student (of one class, when given), read page by page up to ROSTER_PAGES_MAX. */
export function useRoster(className?: string, enabled = true) {
  return useQuery({ ...rosterQuery(className), placeholderData: keepPreviousData, enabled });
}

/**
 * The students of each of `classNames` (one query per class, shared with useRoster of that
 * class), in the order of the classes given; nothing is read when `classNames` is empty.
 */
export function useClassRosters(classNames: readonly string[]) {
  return useQueries({
    queries: classNames.map((className) => rosterQuery(className)),
    combine: (results) => ({
      data: results.every((r) => r.data !== undefined) ? results.flatMap((r) => r.data ?? []) : undefined,
      isLoading: results.some((r) => r.isLoading),
      isFetching: results.some((r) => r.isFetching),
      error: results.find((r) => r.error !== null)?.error ?? null,
      refetch: () => Promise.all(results.map((r) => r.refetch())),
    }),
  });
}

/** One student. */
export function useStudent(studentId: string | undefined) {
  return useQuery({
    queryKey: ['students', 'one', studentId],
    queryFn: () => getJson<Student>(`/api/students/${seg(studentId!)}`),
    enabled: studentId !== undefined,
  });
}

/** A student's records, newest first. */
export function useRecords(studentId: string | undefined, page = 1, pageSize = 20) {
  return useQuery({
    queryKey: ['records', studentId, page, pageSize],
    queryFn: () => getJson<Page<ScoreRecord>>(`/api/students/${seg(studentId!)}/records`, { page, pageSize }),
    enabled: studentId !== undefined,
    placeholderData: keepPreviousData,
  });
}

/** A point of a student's score over time. */
export interface ScorePoint {
  at: string;
  score: number;
}

/** A student's score over time (`GET /api/students/:id/score-history`). */
export function useScoreHistory(studentId: string | undefined) {
  return useQuery({
    queryKey: ['history', studentId],
    queryFn: async () => normalizeHistory(await getJson<unknown>(`/api/students/${seg(studentId!)}/score-history`)),
    enabled: studentId !== undefined,
  });
}

/** Accepts the history as a list or `{points|items}` of `{at, score|newScore}`. */
export function normalizeHistory(body: unknown): ScorePoint[] {
  const list = Array.isArray(body) ? body : ((body as { points?: unknown[]; items?: unknown[] })?.points ?? (body as { items?: unknown[] })?.items ?? []);
  return (list as Record<string, unknown>[])
    .map((p) => ({ at: String(p.at ?? p.day ?? p.date ?? ''), score: Number(p.score ?? p.newScore) }))
    .filter((p) => p.at !== '' && Number.isFinite(p.score));
}

/** Admin writes on students; each refreshes the students' queries. */
export function useStudentWrites() {
  const queryClient = useQueryClient();
  const done = () => void queryClient.invalidateQueries({ queryKey: ['students'] });
  return {
    register: useMutation({
      mutationFn: (body: { studentId: string; name: string; className: string; initialScore?: number }) => sendJson('POST', '/api/students', body, `register ${body.studentId}`),
      onSuccess: done,
    }),
    correct: useMutation({
      mutationFn: ({ studentId, ...body }: { studentId: string; name?: string; className?: string }) =>
        sendJson('PATCH', `/api/students/${seg(studentId)}`, body, `correct ${studentId}`),
      onSuccess: done,
    }),
    freeze: useMutation({
      mutationFn: ({ studentId, frozen }: { studentId: string; frozen: boolean }) =>
        sendJson('POST', `/api/students/${seg(studentId)}/${frozen ? 'freeze' : 'unfreeze'}`, {}, `${frozen ? 'freeze' : 'unfreeze'} ${studentId}`),
      onSuccess: done,
    }),
    modify: useMutation({
      mutationFn: (body: { studentId: string; delta: number; reason: string; reasonCode?: string }) => sendJson('POST', '/api/scores/modify', body, `modify ${body.studentId}`),
      onSuccess: () => {
        done();
        void queryClient.invalidateQueries({ queryKey: ['records'] });
      },
    }),
  };
}
