import { randomUUID } from 'node:crypto';
import type { ApiCommand } from './command-gateway';
import { DomainRefusal } from './domain-refusal';
import { NoQuorumError, UnknownOutcomeError } from './proposal-errors';

/**
 * Where a write came from, a metric label with a fixed set of values: the REST API, the public
 * NATS subjects, the `Prefer: respond-async` queue, a saga step, the node itself (the bootstrap
 * admin) and raw log appends.
 */
export type WriteSource = 'rest' | 'nats' | 'queue' | 'saga' | 'system' | 'append';

/** What a write is, a metric label: the API command's name, or the kind of a write that is not one. */
export type WriteKind = ApiCommand['name'] | 'saga.step' | 'log.append';

/** How a write that got an answer ended: its entry applied, or a refusal (the domain's, or recorded in the log). */
export type WriteOutcome = 'applied' | 'refused';

/** Why a write got no answer: no quorum (503), outcome unknown (504), or anything else (500). */
export type WriteFailure = 'no-quorum' | 'timeout' | 'error';

/** Who asked for a write: its source, and the request id that follows it to the leader (logs). */
export interface WriteContext {
  readonly source: WriteSource;
  /** `X-Request-Id` of the HTTP request, or the NATS header of the same name. */
  readonly requestId?: string;
}

/** Told of every write that goes through the command service (the node's metrics implement it). */
export interface WriteObserver {
  /** A write answered: its latency from arrival on this node to its outcome, in seconds. */
  answered(source: WriteSource, kind: WriteKind, outcome: WriteOutcome, seconds: number): void;
  /** A write that got no answer (no quorum, unknown outcome, an error). */
  failed(source: WriteSource, kind: WriteKind, reason: WriteFailure): void;
}

/** An observer that records nothing (tests, tools). */
export const NO_WRITE_OBSERVER: WriteObserver = { answered: () => undefined, failed: () => undefined };

/**
 * Runs one write and tells `observer` how it ended: answered (applied, or refused by the domain)
 * with its latency, or failed with the reason its error maps to. The write's own result or error
 * passes through unchanged.
 */
export async function observeWrite<T>(
  observer: WriteObserver,
  source: WriteSource,
  kind: WriteKind,
  work: () => Promise<T>,
  outcomeOf: (result: T) => WriteOutcome = () => 'applied',
): Promise<T> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  let result: T;
  try {
    result = await work();
  } catch (error) {
    if (error instanceof DomainRefusal) observer.answered(source, kind, 'refused', seconds());
    else observer.failed(source, kind, failureOf(error));
    throw error;
  }
  observer.answered(source, kind, outcomeOf(result), seconds());
  return result;
}

/** The failure label of an error a write ended with. */
export function failureOf(error: unknown): WriteFailure {
  if (error instanceof NoQuorumError) return 'no-quorum';
  if (error instanceof UnknownOutcomeError) return 'timeout';
  return 'error';
}

/** A request id a client may choose: short, and free of anything a log line could be forged with. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's request id when it is well formed (`X-Request-Id`), else a new one. */
export function requestIdOf(header: unknown): string {
  return typeof header === 'string' && REQUEST_ID_PATTERN.test(header) ? header : randomUUID();
}
