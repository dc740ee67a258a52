import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
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

/**
 * How a record's or an application's reason reads in `language`: the catalogue label of its
 * reason code, followed by the submitter's own words when they are more than a label of that
 * reason; the stored reason as it is when it names no code, or one the catalogue (not yet
 * loaded, or not readable) lacks.
 *
 * @example reasonText({ reason: '帮助同学', reasonCode: 'helped' }, catalogue, 'en') // 'Helped a classmate'
 */
export function reasonText(item: { reason: string; reasonCode?: string | null }, reasons: readonly Reason[] | undefined, language: string): string {
  const r = item.reasonCode ? reasons?.find((x) => x.code === item.reasonCode) : undefined;
  if (r === undefined) return item.reason;
  const label = reasonLabel(r, language);
  const own = item.reason.trim();
  return own === '' || own === r.labelZh || own === r.labelEn ? label : `${label}: ${own}`;
}

/** `reasonText` bound to the catalogue and the current language. */
export function useReasonText(): (item: { reason: string; reasonCode?: string | null }) => string {
  const reasons = useReasons();
  const { i18n } = useTranslation();
  const language = i18n.language;
  const data = reasons.data;
  return useCallback((item) => reasonText(item, data, language), [data, language]);
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
