import { Module } from '@nestjs/common';
import { cliConfigFromEnv } from './cli-config';
import { CLI_CONFIG } from './cli.tokens';
import { BackupCommand } from './commands/backup.command';
import { ClusterStatusCommand } from './commands/cluster-status.command';
import { ClusterAddNodeCommand, ClusterPromoteCommand, ClusterRemoveNodeCommand, ClusterReplaceNodeCommand } from './commands/membership.command';
import { LogVerifyCommand } from './commands/log-verify.command';
import { ProjectionsRebuildCommand } from './commands/projections-rebuild.command';
import { ProjectionsStatusCommand } from './commands/projections-status.command';
import { RestoreCommand } from './commands/restore.command';

/** The operations CLI: its commands and the configuration they read from the environment. */
@Module({
  providers: [
    { provide: CLI_CONFIG, useFactory: () => cliConfigFromEnv(process.env) },
    ProjectionsRebuildCommand,
    ProjectionsStatusCommand,
    ClusterStatusCommand,
    LogVerifyCommand,
    BackupCommand,
    RestoreCommand,
    ClusterAddNodeCommand,
    ClusterPromoteCommand,
    ClusterRemoveNodeCommand,
    ClusterReplaceNodeCommand,
  ],
})
export class CliModule {}
