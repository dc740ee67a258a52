import { NotFoundException } from '@nestjs/common';
import type { Actor } from '../domain';

/** Roles that may read any student. */
export const STAFF_ROLES = ['admin', 'teacher', 'club'] as const;

/**
 * Staff read any student; a student reads only the one they are bound to. Another student's id
 * answers 404, exactly as an unknown id does, so ids cannot be probed (BOLA).
 */
export function assertMayReadStudent(actor: Actor, studentId: string): void {
  if (actor.role !== 'student') return;
  if (actor.studentId !== studentId) throw studentNotFound(studentId);
}

/** The 404 of an unknown (or hidden) student. */
export function studentNotFound(studentId: string): NotFoundException {
  return new NotFoundException(`student ${studentId} not found`);
}
