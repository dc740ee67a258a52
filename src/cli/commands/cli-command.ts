import { Inject } from '@nestjs/common';
import { CommandRunner, Option } from 'nest-commander';
import type { CliConfig } from '../cli-config';
import { CLI_CONFIG } from '../cli.tokens';
import { CliFailure, CliUsageError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../cli-errors';
import { type CliOutput, processOutput } from '../cli-output';

/** nest-commander's own commander Command. */
type Commander = Parameters<CommandRunner['setCommand']>[0];

/** Options every command takes. */
export interface CommonOptions {
  readonly json?: boolean;
}

/**
 * A CLI command: `--json` on every command, exit codes 0 (success), 1 (failure: a server out of
 * reach, a divergence found) and 2 (bad usage: unknown option, missing value, unknown node).
 * Subclasses implement `execute` and return its exit code.
 */
export abstract class CliCommand<O extends CommonOptions = CommonOptions> extends CommandRunner {
  constructor(@Inject(CLI_CONFIG) protected readonly config: CliConfig) {
    super();
  }

  override setCommand(command: Commander): this {
    command.exitOverride(exitOnCommanderError);
    return super.setCommand(command);
  }

  @Option({ flags: '--json', description: 'machine-readable output: one JSON document on stdout' })
  parseJson(): boolean {
    return true;
  }

  async run(_params: string[], options: O = {} as O): Promise<void> {
    const out = processOutput(options.json === true);
    try {
      process.exitCode = await this.execute(out, options);
    } catch (error) {
      process.exitCode = error instanceof CliUsageError ? EXIT_USAGE : EXIT_FAILURE;
      const kind = error instanceof CliUsageError ? 'usage' : 'failure';
      const message = error instanceof CliUsageError || error instanceof CliFailure ? error.message : describe(error);
      const details = error instanceof CliFailure && error.details !== undefined ? { details: error.details } : {};
      if (out.json) process.stdout.write(`${JSON.stringify({ ok: false, error: { kind, message, ...details } }, null, 2)}\n`);
      process.stderr.write(`error: ${message}\n`);
    }
  }

  protected abstract execute(out: CliOutput, options: O): Promise<number>;
}

/** Commander's own exits: help and version exit 0, every parse error exits 2. */
export function exitOnCommanderError(error: Error & { readonly code?: string }): never {
  const helpOrVersion = error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version';
  process.exit(helpOrVersion ? EXIT_OK : EXIT_USAGE);
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

export { EXIT_FAILURE, EXIT_OK };
