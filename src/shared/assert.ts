/** A broken invariant: a programmer error that must stop the process with a clear message. */
export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

/**
 * Asserts that `condition` holds; throws an AssertionError naming what broke otherwise.
 *
 * @example assert(slot > 0, `slot must be positive, got ${slot}`)
 */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Marks a branch that the type system proves unreachable. */
export function unreachable(value: never, what: string): never {
  throw new AssertionError(`unreachable ${what}: ${JSON.stringify(value)}`);
}
