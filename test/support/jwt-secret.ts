import { randomBytes } from 'node:crypto';

/** A random JWT signing secret of 48 bytes (64 base64 characters), as a node requires one. */
export function randomJwtSecret(): string {
  return randomBytes(48).toString('base64');
}
