import { createHash, timingSafeEqual } from 'node:crypto';
import type { CookieOptions, Request, Response } from 'express';
import { assert } from '../../shared/assert';

/** The HttpOnly cookie that holds the web app's access token. */
export const SESSION_COOKIE = 'session';
/** The readable cookie holding the CSRF token the web app echoes in X-CSRF-Token. */
export const CSRF_COOKIE = 'csrf';
/**
 * The HttpOnly cookie that holds the token of a web logout the cluster could not record yet (503):
 * sent to the logout route only (its path), so it authenticates nothing, and lets the web app's
 * retry record the logout although the session cookie is gone.
 */
export const LOGOUT_PENDING_COOKIE = 'logout_pending';
/** The route the pending-logout cookie is sent to. */
const LOGOUT_PATH = '/api/auth/logout';
/**
 * The most logouts the pending-logout cookie holds (each a token of a few hundred bytes; a browser
 * keeps a cookie of 4 KiB at most): a user who signs in and out again while the cluster still
 * cannot record it adds one each time.
 */
export const PENDING_LOGOUTS_MAX = 4;
/** Between the tokens of the pending-logout cookie (a JWT has no comma). */
const PENDING_LOGOUTS_SEPARATOR = ',';
/** The header a cookie-authenticated write must carry (the CSRF token). */
export const CSRF_HEADER = 'x-csrf-token';
/** Cookie values longer than this are ignored (a JWT of ours is a few hundred bytes). */
const SESSION_COOKIE_MAX = 4096;
/** Methods that change nothing: no CSRF token needed. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The CSRF token of a session: a hash of its access token, so it is bound to the session (a
 * token planted by another site for another session never matches), needs no server-side state,
 * and every node computes the same one. Only a page that can read the `csrf` cookie (same origin)
 * can send it; the access token itself stays in the HttpOnly cookie.
 *
 * @example csrfTokenFor(accessToken) // 'q3v1…' (base64url, 43 characters)
 */
export function csrfTokenFor(accessToken: string): string {
  return createHash('sha256').update(`csrf:${accessToken}`).digest('base64url');
}

/** True when `header` is the CSRF token of the session `accessToken` (constant time). */
export function csrfTokenMatches(accessToken: string, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(accessToken));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** True for a method that needs no CSRF token. */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** The access token of the session cookie, or undefined when there is none. */
export function sessionToken(request: Request): string | undefined {
  return cookieToken(request, SESSION_COOKIE);
}

/** The tokens of the logouts not yet recorded (the pending-logout cookie): none when there is no such cookie. */
export function pendingLogoutTokens(request: Request): string[] {
  const value = cookieToken(request, LOGOUT_PENDING_COOKIE);
  if (value === undefined) return [];
  return value.split(PENDING_LOGOUTS_SEPARATOR).filter((token) => token.length > 0).slice(0, PENDING_LOGOUTS_MAX);
}

function cookieToken(request: Request, name: string): string | undefined {
  const cookies = (request as Request & { cookies?: Record<string, unknown> }).cookies;
  const value = cookies?.[name];
  return typeof value === 'string' && value.length > 0 && value.length <= SESSION_COOKIE_MAX ? value : undefined;
}

function cookieOptions(request: Request, httpOnly: boolean, maxAgeSeconds?: number, path = '/'): CookieOptions {
  return {
    httpOnly,
    sameSite: 'strict',
    secure: request.secure,
    path,
    ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds * 1000 }),
  };
}

/**
 * Sets the session cookie (HttpOnly, SameSite=Strict, Secure over https) and the readable CSRF
 * cookie, both living as long as the token. Answers the CSRF token.
 */
export function setSessionCookies(request: Request, response: Response, accessToken: string, expiresInSeconds: number): string {
  const csrf = csrfTokenFor(accessToken);
  response.cookie(SESSION_COOKIE, accessToken, cookieOptions(request, true, expiresInSeconds));
  response.cookie(CSRF_COOKIE, csrf, cookieOptions(request, false, expiresInSeconds));
  return csrf;
}

/** Clears both cookies (logout). */
export function clearSessionCookies(request: Request, response: Response): void {
  response.clearCookie(SESSION_COOKIE, cookieOptions(request, true));
  response.clearCookie(CSRF_COOKIE, cookieOptions(request, false));
}

/** A web logout the cluster has not recorded yet: its token, and when the token expires anyway. */
export interface PendingLogout {
  readonly token: string;
  readonly expiresAt: string;
}

/**
 * Keeps the tokens of web logouts the cluster could not record (503) in the pending-logout cookie
 * (HttpOnly, SameSite=Strict, sent to the logout route only) until the last of them expires, so
 * that the web app's next logout, or its retry, records them. `pending` is oldest first, the
 * session's own last: past PENDING_LOGOUTS_MAX it keeps the latest (whatever second each token was
 * issued in, the session the user just left is always among them).
 */
export function setPendingLogoutCookie(request: Request, response: Response, pending: readonly PendingLogout[]): void {
  assert(pending.length > 0, 'a pending-logout cookie needs a logout to hold');
  const kept = pending.slice(-PENDING_LOGOUTS_MAX);
  const lastExpiry = Math.max(...kept.map((logout) => Date.parse(logout.expiresAt)));
  const seconds = Math.max(1, Math.ceil((lastExpiry - Date.now()) / 1000));
  const value = kept.map((logout) => logout.token).join(PENDING_LOGOUTS_SEPARATOR);
  response.cookie(LOGOUT_PENDING_COOKIE, value, cookieOptions(request, true, seconds, LOGOUT_PATH));
}

/** Clears the pending-logout cookie (the logout is recorded, or there is nothing left to record). */
export function clearPendingLogoutCookie(request: Request, response: Response): void {
  response.clearCookie(LOGOUT_PENDING_COOKIE, cookieOptions(request, true, undefined, LOGOUT_PATH));
}
