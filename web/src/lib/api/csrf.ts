/** The readable cookie that carries the CSRF token, and the header that echoes it on writes. */
export const CSRF_COOKIE = 'csrf';
export const CSRF_HEADER = 'X-CSRF-Token';

/** The CSRF token from `document.cookie`, or undefined before login. */
export function readCsrfToken(cookies: string = typeof document === 'undefined' ? '' : document.cookie): string | undefined {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === CSRF_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
