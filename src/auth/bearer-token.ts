import { InvalidTokenError } from './auth-errors';

/** Authorization header values longer than this are refused before any parsing. */
export const AUTHORIZATION_HEADER_MAX = 4096;

/**
 * The token of an `Authorization: Bearer <token>` header value (the scheme in any case, as RFC
 * 7235 allows).
 *
 * @example bearerToken('Bearer eyJhbGciOi...') // 'eyJhbGciOi...'
 * @throws InvalidTokenError when the value is missing, too long or not a bearer credential.
 */
export function bearerToken(header: string | readonly string[] | undefined | null): string {
  if (header === undefined || header === null) throw new InvalidTokenError('missing bearer token');
  if (typeof header !== 'string') throw new InvalidTokenError('expected one Authorization header');
  if (header.length > AUTHORIZATION_HEADER_MAX) throw new InvalidTokenError('Authorization header too long');
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (match === null) throw new InvalidTokenError('expected Authorization: Bearer <token>');
  return match[1];
}
