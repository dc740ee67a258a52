import type { Request } from 'express';
import type { Actor } from '../../domain';

/** An HTTP request once JwtAuthGuard has run: `actor` is set on every route that is not @Public. */
export interface AuthenticatedRequest extends Request {
  actor?: Actor;
  /** The verified access token (from the Authorization header or the session cookie). */
  accessToken?: string;
}
