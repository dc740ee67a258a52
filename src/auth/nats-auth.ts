import type { Actor } from '../domain';
import type { AuthService } from './auth.service';
import { bearerToken } from './bearer-token';

/** The part of NATS message headers this reads (a `MsgHdrs` of the nats client fits). */
export interface HeaderReader {
  get(name: string): string;
}

/**
 * The actor of a NATS request, from its `Authorization: Bearer <token>` header: the same check as
 * REST's JwtAuthGuard.
 *
 * @example const actor = await actorFromHeaders(msg.headers, auth);
 * @throws InvalidTokenError when the header is missing or the token refused (answer 401).
 */
export async function actorFromHeaders(headers: HeaderReader | undefined, auth: AuthService): Promise<Actor> {
  // The nats client answers '' for a missing header.
  const value = headers?.get('Authorization') || undefined;
  return auth.verify(bearerToken(value));
}
