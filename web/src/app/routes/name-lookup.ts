import type { Student } from '@/lib/api/types';

/** "Name (id)" for a student id, or the id alone when the roster does not know it. */
export function nameLookup(students: Student[] | undefined): (id: string) => string {
  const names = new Map((students ?? []).map((s) => [s.studentId, s.name]));
  return (id) => {
    const name = names.get(id);
    return name === undefined ? id : `${name} (${id})`;
  };
}
