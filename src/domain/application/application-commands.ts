import type { Command } from '../shared';

/** An admin's verdict on an application. */
export type ReviewVerdict = 'approve' | 'reject';

/** Submits a request to change a student's score by `delta`; teachers and clubs do. */
export type SubmitApplication = Command<
  'SubmitApplication',
  { readonly applicationId: string; readonly studentId: string; readonly delta: number; readonly reason: string; readonly reasonCode?: string }
>;

/** Approves or rejects a pending application, once, with a comment (which may be empty). */
export type ReviewApplication = Command<
  'ReviewApplication',
  { readonly applicationId: string; readonly decision: ReviewVerdict; readonly comment: string }
>;

/** Every command the application aggregate decides. */
export type ApplicationCommand = SubmitApplication | ReviewApplication;
