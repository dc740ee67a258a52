import { writeSync } from 'node:fs';
import { AssertionError } from './assert';

/** The exit code of a node that stopped on a broken invariant (EX_SOFTWARE: an internal error). */
export const FAIL_STOP_EXIT_CODE = 70;

/** What happens on a broken invariant; the process default logs a fatal line and exits. */
export type FatalHandler = (where: string, error: AssertionError) => void;

/**
 * The fatal line, then exit: written with a synchronous write to stderr, so it is out before the
 * process ends (the node's logger buffers). Nothing else runs after it: no handler, no shutdown
 * hook, no further message, as etcd and TigerBeetle crash rather than serve after a violation.
 */
const exitProcess: FatalHandler = (where, error) => {
  const line = { level: 'fatal', time: new Date().toISOString(), pid: process.pid, msg: fatalMessage(where, error), stack: error.stack };
  try {
    writeSync(2, `${JSON.stringify(line)}\n`);
  } finally {
    process.exit(FAIL_STOP_EXIT_CODE);
  }
};

let handler: FatalHandler = exitProcess;

/** The text of the fatal line. */
export function fatalMessage(where: string, error: AssertionError): string {
  return `FATAL: invariant broken in ${where}: ${error.message}; stopping the node (fail-stop)`;
}

/**
 * Stops the process at once on a broken invariant (STYLE.md rule 3): logs a fatal line and exits
 * with FAIL_STOP_EXIT_CODE. Under a test's handler (setFatalHandler) it returns after calling it;
 * callers stop their own work either way.
 */
export function failStop(where: string, error: AssertionError): void {
  handler(where, error);
}

/**
 * Stops the process when `error` is a broken invariant (an AssertionError) and returns true;
 * returns false for any other error, which the caller handles as an operating error.
 */
export function failStopOnAssertion(where: string, error: unknown): boolean {
  if (!(error instanceof AssertionError)) return false;
  failStop(where, error);
  return true;
}

/**
 * Replaces what a broken invariant does, for tests of the units that report one; returns a
 * function that restores the previous handler. The running node never calls it.
 */
export function setFatalHandler(next: FatalHandler): () => void {
  const previous = handler;
  handler = next;
  return () => {
    handler = previous;
  };
}
