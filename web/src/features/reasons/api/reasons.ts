import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getJson, seg, sendJson } from '@/lib/api/client';
import type { Reason } from '@/lib/api/types';

/** The school's reason catalogue. */
export function useReasons() {
  return useQuery({
    queryKey: ['reasons'],
    queryFn: async () => {
      const body = await getJson<Reason[] | { items: Reason[] }>('/api/reasons');
      return Array.isArray(body) ? body : body.items;
    },
    staleTime: 60_000,
  });
}

/** A reason's label in the current language. */
export function reasonLabel(reason: Reason, language: string): string {
  return language.startsWith('zh') ? reason.labelZh : reason.labelEn;
}

/** Active reasons as choices (code, label in `language`, default change). */
export function reasonChoices(reasons: Reason[] | undefined, language: string) {
  return (reasons ?? []).filter((r) => r.active).map((r) => ({ code: r.code, label: reasonLabel(r, language), defaultDelta: r.defaultDelta }));
}

/** Adds or edits a reason (admin). */
export function useSaveReason() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ reason, isNew }: { reason: Reason; isNew: boolean }) => {
      const { code, ...rest } = reason;
      return isNew ? sendJson('POST', '/api/reasons', reason, `reason ${code}`) : sendJson('PATCH', `/api/reasons/${seg(code)}`, rest, `reason ${code}`);
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['reasons'] }),
  });
}
