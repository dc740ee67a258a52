import { BadRequestException } from '@nestjs/common';
import { InputInvalidError } from './api-error';

/**
 * Nesting depth a request body, query or NATS payload may have at most. No DTO of the API nests
 * deeper than 3 (a batch: body, changes array, change); class-transformer recurses once per level,
 * so an unbounded depth is a stack overflow, not a validation error.
 */
export const JSON_DEPTH_MAX = 16;

/** The message of a body nested deeper than JSON_DEPTH_MAX. */
export const TOO_DEEP_MESSAGE = `body is nested too deeply (at most ${JSON_DEPTH_MAX} levels of arrays and objects)`;

/** What a walk over a parsed JSON value found wrong with its shape. */
export interface JsonShape {
  /** True when arrays or objects nest more than the maximum depth. */
  readonly tooDeep: boolean;
  /** Paths (`changes.0.constructor`) of keys named like Object.prototype members, at any level. */
  readonly inheritedKeys: string[];
}

/**
 * Walks `value` iteratively (an explicit stack, so it never overflows the call stack on the inputs
 * it exists to refuse), stopping at the first level past `max`.
 *
 * @example inspectJson({ a: [[1]] }, 2).tooDeep // true: object, array, array
 * @example inspectJson({ changes: [{ constructor: 1 }] }).inheritedKeys // ['changes.0.constructor']
 */
export function inspectJson(value: unknown, max: number = JSON_DEPTH_MAX): JsonShape {
  const inheritedKeys: string[] = [];
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const { value: current, depth, path } = stack.pop() as { value: unknown; depth: number; path: string };
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > max) return { tooDeep: true, inheritedKeys };
    for (const [key, child] of Object.entries(current)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      // class-transformer drops these silently or, nested, throws: refuse them by name instead.
      if (!Array.isArray(current) && key in Object.prototype) inheritedKeys.push(childPath);
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1, path: childPath });
    }
  }
  return { tooDeep: false, inheritedKeys };
}

/**
 * Refuses a value nested deeper than JSON_DEPTH_MAX, or holding a key named like an
 * Object.prototype member (`__proto__`, `constructor`, `toString`) at any level.
 * @throws BadRequestException (400) with TOO_DEEP_MESSAGE; InputInvalidError (400) naming the keys
 */
export function assertPlainJson(value: unknown): void {
  const shape = inspectJson(value);
  if (shape.tooDeep) throw new BadRequestException(TOO_DEEP_MESSAGE);
  if (shape.inheritedKeys.length > 0)
    throw new InputInvalidError(shape.inheritedKeys.map((field) => ({ field, messages: [`property ${field} should not exist`] })));
}
