import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getJson, isQueued, seg, sendJson } from '@/lib/api/client';
import type { Page, Saga, Student, WriteAnswer } from '@/lib/api/types';

/** How often a running saga is read again. */
export const SAGA_POLL_MS = 1_000;
/** Students of one class read for a batch at most (the API takes 5,000 per batch). */
export const CLASS_PAGES_MAX = 50;

/** True while the saga may still change by itself. */
export function sagaRunning(saga: Saga | undefined): boolean {
  return saga === undefined || saga.status === 'running' || saga.status === 'compensating';
}

/** A saga, read again every second while it runs (and while it waits for an operator). */
export function useSaga(sagaId: string | null) {
  return useQuery({
    queryKey: ['sagas', sagaId],
    queryFn: () => getJson<Saga>(`/api/sagas/${seg(sagaId!)}`),
    enabled: sagaId !== null,
    retry: (count) => count < 10,
    retryDelay: 500,
    refetchInterval: (query) => (sagaRunning(query.state.data) || query.state.data?.needsOperator ? SAGA_POLL_MS : false),
  });
}

/** The ids of a class's students. */
export async function classStudentIds(className: string): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; page <= CLASS_PAGES_MAX; page++) {
    const answer = await getJson<Page<Student>>('/api/students', { className, page, pageSize: 100 });
    ids.push(...answer.items.map((s) => s.studentId));
    if (ids.length >= answer.total || answer.items.length === 0) break;
  }
  return ids;
}

function sagaIdOf(answer: WriteAnswer | { queued: true; commandId: string }): string {
  if (isQueued(answer)) return answer.commandId;
  return String(answer.sagaId ?? answer.commandId);
}

/** Starts a batch adjustment; answers the saga id. */
export function useStartBatch() {
  return useMutation({
    mutationFn: async (body: { changes: { studentId: string; delta: number }[]; reason: string }) => sagaIdOf(await sendJson<WriteAnswer>('POST', '/api/scores/batch', body, 'batch')),
  });
}

/** Starts a semester archive; answers the saga id. */
export function useStartArchive() {
  return useMutation({
    mutationFn: async (body: { semester: string; className?: string }) => sagaIdOf(await sendJson<WriteAnswer>('POST', '/api/archives', body, `archive ${body.semester}`)),
  });
}

/** Retries a saga waiting for an operator. */
export function useRetrySaga() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (sagaId: string) => sendJson('POST', `/api/sagas/${seg(sagaId)}/retry`, undefined, `retry ${sagaId}`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['sagas'] }),
  });
}
