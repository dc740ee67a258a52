import { NotFoundException } from '@nestjs/common';
import type { Actor } from '../domain';
import type { ApplicationView } from '../projections';

/** Whose applications a list shows: all for an admin, a teacher's or club's own otherwise. */
export function submitterFilter(actor: Actor): string | undefined {
  return actor.role === 'admin' ? undefined : actor.username;
}

/**
 * An admin reads any application, its submitter their own. Someone else's answers 404, exactly as
 * an unknown id does, so ids cannot be probed.
 */
export function visibleApplication(actor: Actor, id: string, application: ApplicationView | undefined): ApplicationView {
  if (application === undefined || (actor.role !== 'admin' && application.submittedBy !== actor.username))
    throw new NotFoundException(`application ${id} not found`);
  return application;
}
