import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CliUsageError, EXIT_FAILURE, EXIT_USAGE } from './cli-errors';
import { CliModule } from './cli.module';
import { exitOnCommanderError } from './commands/cli-command';

/**
 * `npm run cli -- <command> [options]`: projections:rebuild, projections:status, cluster:status,
 * log:verify, backup, restore. Exit codes: 0 success, 1 failure, 2 bad usage.
 */
async function main(): Promise<void> {
  try {
    await CommandFactory.run(CliModule, {
      logger: false,
      cliName: 'npm run cli --',
      errorHandler: exitOnCommanderError,
      serviceErrorHandler: (error) => {
        process.stderr.write(`error: ${error.message}\n`);
        process.exitCode = EXIT_FAILURE;
      },
    });
  } catch (error) {
    // A configuration error (a bad variable) surfaces while the module is created.
    const usage = error instanceof CliUsageError;
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = usage ? EXIT_USAGE : EXIT_FAILURE;
  }
  process.exit(process.exitCode ?? 0);
}

void main();
