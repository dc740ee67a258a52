/**
 * An intention addressed to one aggregate (imperative name), decided into events or refused.
 * Commands are never stored: only the events they decide are.
 *
 * @example type FreezeStudent = Command<'FreezeStudent', { studentId: string }>;
 */
export interface Command<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}
