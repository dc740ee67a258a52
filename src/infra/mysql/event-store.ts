import type { Kysely, Transaction } from 'kysely';
import type { ChosenEntry } from '../../consensus';
import type { Database } from './database';
import { parseCommandRecord, type CommandOutcome, type EventRow, planCommand } from './command-record';

/** A batch of outcomes the applier announces once its transaction committed. */
export type AppliedListener = (outcomes: readonly CommandOutcome[]) => void;

/** Command ids whose outcome is kept in memory; older ones are read from `applied_commands`. */
const RECENT_OUTCOMES_MAX = 100_000;

/**
 * The node's event log and idempotency records. Applies chosen slots in slot order: every
 * command id is applied once for ever (a repeat gets the first outcome), events get gap-free
 * global positions, and stream versions are checked the same way on every node.
 */
export class EventStore {
  private nextPosition = 1;
  private readonly streamVersions = new Map<string, number>();
  private readonly recent = new Map<string, CommandOutcome>();
  private staged: CommandOutcome[] = [];
  private staging: { nextPosition: number; versions: Map<string, number> } | null = null;
  private readonly listeners: AppliedListener[] = [];

  constructor(private readonly db: Kysely<Database>) {}

  /** Loads the log head and stream versions. Call before the driver starts and after a failed transaction. */
  async reload(): Promise<void> {
    this.staging = null;
    this.staged = [];
    const head = await this.db.selectFrom('event_log').select((eb) => eb.fn.max('position').as('head')).executeTakeFirst();
    this.nextPosition = Number(head?.head ?? 0) + 1;
    this.streamVersions.clear();
    const streams = await this.db
      .selectFrom('event_log')
      .select(['stream_type', 'stream_id', (eb) => eb.fn.max('stream_version').as('version')])
      .groupBy(['stream_type', 'stream_id'])
      .execute();
    for (const s of streams) this.streamVersions.set(`${s.stream_type}/${s.stream_id}`, Number(s.version));
  }

  /** The position of the last applied event (0 when the log is empty). */
  get head(): number {
    return this.nextPosition - 1;
  }

  /** The version of a stream after every applied event (0 when it has none). */
  streamVersion(streamType: string, streamId: string): number {
    return this.streamVersions.get(`${streamType}/${streamId}`) ?? 0;
  }

  /** Subscribes to committed outcomes. */
  onApplied(listener: AppliedListener): void {
    this.listeners.push(listener);
  }

  /** The first outcome of a command id if it is among the recent ones kept in memory. */
  recentOutcome(commandId: string): CommandOutcome | undefined {
    return this.recent.get(commandId);
  }

  /** The first outcome of a command id, if it was ever applied here. */
  async outcome(commandId: string): Promise<CommandOutcome | undefined> {
    const cached = this.recent.get(commandId);
    if (cached) return cached;
    const row = await this.db.selectFrom('applied_commands').selectAll().where('command_id', '=', commandId).executeTakeFirst();
    return row ? (JSON.parse(row.outcome) as CommandOutcome) : undefined;
  }

  /** Applies chosen entries inside the transaction that stores them (ChosenApplier). */
  async applyInTransaction(trx: Transaction<Database>, entries: readonly ChosenEntry[]): Promise<void> {
    const commands = entries.flatMap((e) => (e.value.kind === 'batch' ? e.value.values.map((v) => ({ slot: e.slot, value: v })) : []));
    if (commands.length === 0) return;
    const known = await this.knownOutcomes(trx, commands.map((c) => c.value.id));
    const versions = new Map<string, number>();
    const version = (key: string) => versions.get(key) ?? this.streamVersions.get(key) ?? 0;
    let next = this.nextPosition;
    const events: EventRow[] = [];
    const outcomes: CommandOutcome[] = [];
    for (const { slot, value } of commands) {
      const first = known.get(value.id);
      if (first) {
        outcomes.push({ ...first, duplicate: true });
        continue;
      }
      const outcome = planCommand(slot, value.id, parseCommandRecord(value.payload), next, version);
      for (const row of outcome.rows) versions.set(`${row.stream_type}/${row.stream_id}`, row.stream_version);
      next += outcome.rows.length;
      events.push(...outcome.rows);
      known.set(value.id, outcome.outcome);
      outcomes.push(outcome.outcome);
    }
    if (events.length > 0) await trx.insertInto('event_log').values(events).execute();
    const fresh = outcomes.filter((o) => !o.duplicate);
    if (fresh.length > 0) {
      await trx
        .insertInto('applied_commands')
        .values(fresh.map((o) => ({ command_id: o.commandId, slot: o.slot, outcome: JSON.stringify(o) })))
        .execute();
    }
    this.staging = { nextPosition: next, versions };
    this.staged = outcomes;
  }

  /** Makes the staged batch visible once its transaction committed (ChosenApplier). */
  afterCommit(): void {
    if (this.staging) {
      this.nextPosition = this.staging.nextPosition;
      for (const [key, v] of this.staging.versions) this.streamVersions.set(key, v);
    }
    const outcomes = this.staged;
    this.staging = null;
    this.staged = [];
    for (const o of outcomes) if (!o.duplicate) this.remember(o);
    if (outcomes.length > 0) for (const listener of this.listeners) listener(outcomes);
  }

  private remember(outcome: CommandOutcome): void {
    this.recent.set(outcome.commandId, outcome);
    if (this.recent.size > RECENT_OUTCOMES_MAX) {
      const oldest = this.recent.keys().next().value as string;
      this.recent.delete(oldest);
    }
  }

  private async knownOutcomes(trx: Transaction<Database>, ids: string[]): Promise<Map<string, CommandOutcome>> {
    const known = new Map<string, CommandOutcome>();
    const unknown = ids.filter((id) => {
      const cached = this.recent.get(id);
      if (cached) known.set(id, cached);
      return !cached;
    });
    if (unknown.length === 0) return known;
    const rows = await trx.selectFrom('applied_commands').select(['command_id', 'outcome']).where('command_id', 'in', unknown).execute();
    for (const row of rows) known.set(row.command_id, JSON.parse(row.outcome) as CommandOutcome);
    return known;
  }
}
