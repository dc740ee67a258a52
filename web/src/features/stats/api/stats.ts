import { useQuery } from '@tanstack/react-query';
import { getJson, seg } from '@/lib/api/client';

/** The admin start page's figures (`GET /api/stats/overview`). */
export interface Overview {
  pendingApplications: number;
  todayChanges: number;
  classes: { className: string; students: number; averageScore: number }[];
  nearBounds: { studentId: string; name: string; className: string; score: number }[];
}

/** One day of a class (`GET /api/stats/classes/:className/daily`). */
export interface ClassDay {
  day: string;
  changes: number;
  awarded: number;
  deducted: number;
  averageScore?: number;
}

/** Admin start page figures. */
export function useOverview() {
  return useQuery({ queryKey: ['stats', 'overview'], queryFn: () => getJson<Overview>('/api/stats/overview') });
}

/** Per-day figures of a class. */
export function useClassDaily(className: string | undefined) {
  return useQuery({
    queryKey: ['stats', 'daily', className],
    queryFn: async () => {
      const body = await getJson<ClassDay[] | { days?: ClassDay[]; items?: ClassDay[] }>(`/api/stats/classes/${seg(className!)}/daily`);
      return Array.isArray(body) ? body : (body.days ?? body.items ?? []);
    },
    enabled: className !== undefined && className !== '',
  });
}
