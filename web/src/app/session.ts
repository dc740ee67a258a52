import type { Role } from '@/lib/api/types';

/** Each role's home page. */
export function homeOf(role: Role): string {
  switch (role) {
    case 'admin':
      return '/admin';
    case 'student':
      return '/student';
    default:
      return '/teacher';
  }
}

/** Where the app was when the session expired: the login page returns there. */
export const RETURN_TO_KEY = 'return-to';
