import { type ReactNode, useState } from 'react';
import type { Student } from '@/lib/api/types';

/** A student as the node lists them: at the initial score of 100, neither frozen nor archived. */
export function student(studentId: string, name: string, className = '7A'): Student {
  return { studentId, name, className, score: 100, initialScore: 100, frozen: false, archived: false, updatedAt: '2026-01-01T00:00:00Z', position: 1 };
}

/** The node's answer to `GET /api/students` listing `items` on one page (a fakeServer route's answer). */
export function studentsPage(items: readonly Student[]) {
  return { body: { items, page: 1, pageSize: 100, total: items.length } };
}

/** A roster's selection and its setter, as the page that holds the roster passes them. */
export interface Selection {
  selected: string[];
  onSelect: (ids: string[]) => void;
}

/**
 * Holds a roster's selection as its page does and shows it in an output named "selected", for the
 * test to read what a click selected; `children` renders the roster with it.
 *
 * @example renderWithProviders(<WithSelection>{(selection) => <RosterTable students={students} loading={false} {...selection} />}</WithSelection>)
 */
export function WithSelection({ children }: { children: (selection: Selection) => ReactNode }) {
  const [selected, setSelected] = useState<string[]>([]);
  return (
    <>
      <output aria-label="selected">{selected.join(',')}</output>
      {children({ selected, onSelect: setSelected })}
    </>
  );
}
