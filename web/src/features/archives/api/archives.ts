import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { getJson, seg } from '@/lib/api/client';
import type { Archive, ArchivedStudent, Page } from '@/lib/api/types';

/** Completed archives, newest first (admin). */
export function useArchives(page = 1) {
  return useQuery({
    queryKey: ['archives', page],
    queryFn: () => getJson<Page<Archive>>('/api/archives', { page, pageSize: 50 }),
    placeholderData: keepPreviousData,
  });
}

/** A student's archived score of a semester (admin, or that student); null when not archived. */
export function useArchivedStudent(semester: string | null, studentId: string | undefined) {
  return useQuery({
    queryKey: ['archives', 'student', semester, studentId],
    queryFn: () => getJson<ArchivedStudent>(`/api/archives/${seg(semester!)}/students/${seg(studentId!)}`),
    enabled: semester !== null && semester !== '' && studentId !== undefined && studentId !== '',
    retry: false,
  });
}

/** Semesters named by a student's archive-reset records ("semester X archive"). */
export function semestersFromRecords(records: { source: string; reason: string }[]): string[] {
  const found = new Set<string>();
  for (const r of records) {
    const m = r.source === 'archive-reset' ? /^semester (.+) archive$/.exec(r.reason) : null;
    if (m) found.add(m[1]!);
  }
  return [...found];
}
