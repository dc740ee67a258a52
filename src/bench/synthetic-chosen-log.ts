import type { Kysely } from 'kysely';
import { AggregateStore, DEFAULT_AGGREGATE_STORE_OPTIONS } from '../application/aggregate-store';
import type { CommandRecord } from '../application/command-log';
import type { ChosenEntry, ClientValue } from '../consensus';
import { MysqlAggregateSource } from '../infra/mysql/aggregate-source';
import type { Database } from '../infra/mysql/database';
import { EventStore } from '../infra/mysql/event-store';
import { assert } from '../shared/assert';
import { type SyntheticCommand, type SyntheticLogOptions, syntheticCommands } from './synthetic-log';

/** The shape of a chosen log: the synthetic commands, `commandsPerSlot` to a slot. */
export interface SyntheticChosenLogOptions extends SyntheticLogOptions {
  /** Commands per slot (default 1: a cluster with one write at a time, the most slots per event). */
  readonly commandsPerSlot?: number;
}

/** What was written. */
export interface SyntheticChosenLog {
  readonly slots: number;
  readonly commands: number;
  readonly events: number;
}

/** Commands per slot at most: what a leader batches at most (batchCommandsMax). */
export const COMMANDS_PER_SLOT_MAX = 256;
/** Slots planned and stored per round (one stored-procedure call, as the driver writes a run of chosen slots). */
const SLOTS_PER_ROUND = 500;

/**
 * The command record a leader would have proposed for a synthetic command: its events, the
 * versions of their streams it decided against, and the metadata the command service writes.
 * `versions` holds each stream's version before the command and is moved past it.
 */
export function commandRecordOf(command: SyntheticCommand, commandId: string, versions: Map<string, number>): CommandRecord {
  const expected: Record<string, number> = {};
  for (const e of command.events) {
    const key = `${e.streamType}/${e.streamId}`;
    if (!(key in expected)) expected[key] = versions.get(key) ?? 0;
    versions.set(key, (versions.get(key) ?? 0) + 1);
  }
  const { actor, at } = command.events[0];
  return {
    events: command.events.map((e) => ({ streamType: e.streamType, streamId: e.streamId, type: e.type, schemaVersion: 1, data: e.data })),
    expected,
    metadata: { actor, correlationId: commandId, causationId: commandId, decidedAt: at },
    result: {},
  };
}

/**
 * The chosen log of the synthetic commands (syntheticCommands): slot 1 on, `commandsPerSlot`
 * commands (client values `bench-<n>`) per slot, each value a command record as a leader
 * proposes it.
 *
 * @example [...syntheticChosenEntries({ events: 4, students: 2, commandsPerSlot: 2 })].map((e) => e.slot) // [1, 2]
 */
export function* syntheticChosenEntries(options: SyntheticChosenLogOptions): Generator<ChosenEntry> {
  const perSlot = options.commandsPerSlot ?? 1;
  assert(Number.isInteger(perSlot) && perSlot >= 1 && perSlot <= COMMANDS_PER_SLOT_MAX, `commandsPerSlot must be 1..${COMMANDS_PER_SLOT_MAX}, got ${perSlot}`);
  const versions = new Map<string, number>();
  let values: ClientValue[] = [];
  let slot = 0;
  for (const command of syntheticCommands(options)) {
    const id = `bench-${command.index}`;
    values.push({ id, payload: JSON.stringify(commandRecordOf(command, id, versions)) });
    if (values.length < perSlot) continue;
    slot += 1;
    yield { slot, value: { kind: 'batch', values } };
    values = [];
  }
  if (values.length > 0) yield { slot: slot + 1, value: { kind: 'batch', values } };
}

/**
 * Writes the chosen log of `syntheticChosenEntries` into a node's (migrated, empty) database as
 * the node applies chosen slots: the event store plans each run of slots and stores the chosen
 * entries, idempotency records and events in one call, and the aggregate store folds them and
 * takes its checkpoints. No consensus runs; a node started on the database has every slot chosen.
 */
export async function writeSyntheticChosenLog(
  db: Kysely<Database>,
  options: SyntheticChosenLogOptions,
  onProgress: (written: SyntheticChosenLog) => void = () => undefined,
): Promise<SyntheticChosenLog> {
  const events = new EventStore(db);
  const aggregates = new AggregateStore(new MysqlAggregateSource(db), DEFAULT_AGGREGATE_STORE_OPTIONS);
  let checkpointError: unknown = null;
  aggregates.onCheckpointError = (e) => (checkpointError ??= e);
  events.onPlanned((batch) => aggregates.onPlanned(batch));
  events.onReload(() => aggregates.load());
  events.onWritten((head) => aggregates.onWritten(head));
  await events.load();
  assert(events.head === 0, `the database already holds a log (head ${events.head})`);
  const written = { slots: 0, commands: 0, events: 0 };
  const storeRound = async (entries: ChosenEntry[]) => {
    const batch = await events.plan(entries);
    await events.store([batch]);
    events.written(batch);
    written.slots = entries[entries.length - 1].slot;
    written.commands += batch.outcomes.length;
    written.events = batch.head;
    const rejected = batch.outcomes.find((o) => o.status !== 'applied');
    assert(rejected === undefined, `synthetic command ${rejected?.commandId} was rejected: ${rejected?.reason}`);
    onProgress({ ...written });
  };
  let round: ChosenEntry[] = [];
  for (const entry of syntheticChosenEntries(options)) {
    round.push(entry);
    if (round.length < SLOTS_PER_ROUND) continue;
    await storeRound(round);
    round = [];
  }
  if (round.length > 0) await storeRound(round);
  await aggregates.settled();
  if (checkpointError !== null) throw checkpointError;
  return written;
}
