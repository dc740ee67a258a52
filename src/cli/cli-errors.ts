/** Exit codes of `npm run cli`. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Bad usage: an unknown option value, a node that is not a member (exit 2). */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** A failure the operator can act on: a server out of reach, a divergent log (exit 1). */
export class CliFailure extends Error {
  override readonly name = 'CliFailure';

  constructor(
    message: string,
    /** Machine-readable facts for `--json` (e.g. the SQL to run), besides the message. */
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
  }
}
