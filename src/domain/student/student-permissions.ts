import { type Actor, type DomainError, type Role, domainError, hasRole } from '../shared';
import type { ScoreSource, StudentCommand } from './student-commands';

/** Who may issue each student command other than ModifyScore: managing students is for admins. */
const COMMAND_ROLES: Readonly<Record<Exclude<StudentCommand['type'], 'ModifyScore'>, readonly Role[]>> = {
  RegisterStudent: ['admin'],
  CorrectStudentDetails: ['admin'],
  FreezeStudent: ['admin'],
  UnfreezeStudent: ['admin'],
  ArchiveStudent: ['admin'],
};

/**
 * Who may change a score, by source: admins modify directly, approve applications and archive;
 * clubs may run batch adjustments too, and a batch's compensation runs as whoever started it.
 */
const SOURCE_ROLES: Readonly<Record<ScoreSource, readonly Role[]>> = {
  direct: ['admin'],
  application: ['admin'],
  batch: ['admin', 'club'],
  compensation: ['admin', 'club'],
  'archive-reset': ['admin'],
};

/** A `forbidden` error when the actor's role may not issue the command, else null. */
export function checkStudentPermission(command: StudentCommand, actor: Actor): DomainError | null {
  const roles =
    command.type === 'ModifyScore' ? (SOURCE_ROLES[command.data.source] ?? ['admin']) : COMMAND_ROLES[command.type];
  if (hasRole(actor, roles)) return null;
  const what = command.type === 'ModifyScore' ? `ModifyScore (${command.data.source})` : command.type;
  return domainError('forbidden', `role ${actor.role} may not ${what}`);
}
