/** A ballot: ordered by round, then by node id; unique because each node only uses its own id. */
export interface Ballot {
  readonly round: number;
  readonly nodeId: string;
}

/**
 * The highest round a ballot may carry: far beyond any real run (an election a millisecond for
 * thousands of years), and low enough that `round + 1` stays a safe integer when stored.
 */
export const BALLOT_ROUND_MAX = 2 ** 48;

/** The ballot below every real ballot: what a fresh acceptor has promised. */
export const BALLOT_ZERO: Ballot = Object.freeze({ round: 0, nodeId: '' });

/** Orders two ballots: negative when a < b, zero when equal, positive when a > b. */
export function compareBallots(a: Ballot, b: Ballot): number {
  if (a.round !== b.round) return a.round - b.round;
  if (a.nodeId === b.nodeId) return 0;
  return a.nodeId < b.nodeId ? -1 : 1;
}

/** True when both name the same ballot. */
export function ballotEquals(a: Ballot, b: Ballot): boolean {
  return compareBallots(a, b) === 0;
}

/** A short form for logs and status: `3.n2`. */
export function formatBallot(b: Ballot): string {
  return `${b.round}.${b.nodeId}`;
}
