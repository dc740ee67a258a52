import type { Migration } from 'kysely';
import * as paxosAcceptor from './0001-paxos-acceptor';
import * as eventLog from './0002-event-log';
import * as writeChosen from './0003-write-chosen-procedure';
import * as readModels from './0004-read-models';
import * as userCredentials from './0005-user-credentials';
import * as archives from './0006-archives';
import * as queuedCommands from './0007-queued-commands';
import * as reasonsAndDailyScores from './0008-reasons-and-daily-scores';
import * as aggregateSnapshots from './0009-aggregate-snapshots';
import * as nodeIdentity from './0010-node-identity';
import * as userClasses from './0011-user-classes';
import * as chosenKindIndex from './0012-chosen-kind-index';
import * as checkpointTimeZone from './0013-checkpoint-time-zone';
import * as revokedTokens from './0014-revoked-tokens';
import * as storeChosen from './0015-store-chosen-procedure';
import * as logInTheAcceptedTable from './0016-log-in-the-accepted-table';
import * as commandKeyInTheEventLog from './0017-command-key-in-the-event-log';

/**
 * Every migration, by name; Kysely runs them in name order. Listed in code rather than found
 * on disk, so they run the same from `dist/`, from ts sources and under jest.
 * Append new ones with the next number; never edit or rename one that has shipped.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_paxos_acceptor': paxosAcceptor,
  '0002_event_log': eventLog,
  '0003_write_chosen_procedure': writeChosen,
  '0004_read_models': readModels,
  '0005_user_credentials': userCredentials,
  '0006_archives': archives,
  '0007_queued_commands': queuedCommands,
  '0008_reasons_and_daily_scores': reasonsAndDailyScores,
  '0009_aggregate_snapshots': aggregateSnapshots,
  '0010_node_identity': nodeIdentity,
  '0011_user_classes': userClasses,
  '0012_chosen_kind_index': chosenKindIndex,
  '0013_checkpoint_time_zone': checkpointTimeZone,
  '0014_revoked_tokens': revokedTokens,
  '0015_store_chosen_procedure': storeChosen,
  '0016_log_in_the_accepted_table': logInTheAcceptedTable,
  '0017_command_key_in_the_event_log': commandKeyInTheEventLog,
};
