import { keepPreviousData, type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getJson, isQueued, seg, sendJson } from '@/lib/api/client';
import type { Application, ApplicationStatus, Page } from '@/lib/api/types';

/** The query of a page of applications (all for an admin, own for a teacher or club), newest first. */
function applicationsQuery(status: ApplicationStatus | undefined, page: number, pageSize: number) {
  return {
    queryKey: ['applications', status ?? 'all', page, pageSize],
    queryFn: () => getJson<Page<Application>>('/api/applications', { status, page, pageSize }),
  };
}

/** Applications (all for an admin, own for a teacher or club), newest first. */
export function useApplications(status: ApplicationStatus | undefined, page = 1, pageSize = 50) {
  return useQuery({ ...applicationsQuery(status, page, pageSize), placeholderData: keepPreviousData });
}

/** Pending applications the review queue shows at once. */
export const REVIEW_QUEUE_SIZE = 100;

/** The review queue's pending applications, the one place their query is named. */
export function usePendingQueue() {
  return useApplications('pending', 1, REVIEW_QUEUE_SIZE);
}

/** Starts fetching the review queue (while its code loads), so that it opens with its rows. */
export function prefetchPendingQueue(queryClient: QueryClient): void {
  void queryClient.prefetchQuery(applicationsQuery('pending', 1, REVIEW_QUEUE_SIZE));
}

/** One change to ask for, for each selected student. */
export interface AwardRequest {
  studentIds: string[];
  delta: number;
  reason: string;
  reasonCode?: string;
}

/** How many applications are sent at once. */
export const SUBMIT_CONCURRENCY = 4;

/** Runs `work` over `items`, `limit` at a time; answers each outcome in order. */
export async function settleAll<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await work(items[i]!) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Submits one application per selected student; answers how many went in, queued, failed. */
export function useSubmitApplications() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (request: AwardRequest) => {
      const results = await settleAll(request.studentIds, SUBMIT_CONCURRENCY, (studentId) =>
        sendJson('POST', '/api/applications', { studentId, delta: request.delta, reason: request.reason, ...(request.reasonCode ? { reasonCode: request.reasonCode } : {}) }, `application ${studentId}`),
      );
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      const queued = results.filter((r) => r.status === 'fulfilled' && isQueued(r.value)).length;
      return { submitted: results.length - failed.length, queued, failed: failed.length, firstError: failed[0]?.reason as Error | undefined };
    },
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['applications'] }),
  });
}

/** Reviews one or many applications with one comment. */
export function useReview() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ ids, decision, comment }: { ids: string[]; decision: 'approve' | 'reject'; comment: string }) => {
      const results = await settleAll(ids, SUBMIT_CONCURRENCY, (id) => sendJson('POST', `/api/applications/${seg(id)}/review`, { decision, comment }, `${decision} ${id}`));
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      return { reviewed: results.length - failed.length, failed: failed.length, firstError: failed[0]?.reason as Error | undefined };
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['applications'] });
      void queryClient.invalidateQueries({ queryKey: ['students'] });
      void queryClient.invalidateQueries({ queryKey: ['stats'] });
    },
  });
}
