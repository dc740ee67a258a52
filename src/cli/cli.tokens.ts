/** Injection token of the CLI's CliConfig. */
export const CLI_CONFIG = Symbol('CLI_CONFIG');
