/** Settings of one replica of the core. Every limit is named; validation refuses nonsense. */
export interface ConsensusConfig {
  readonly nodeId: string;
  /**
   * The founding members' ids. Later configurations are decided by the log; a node that joins
   * later is not among them.
   */
  readonly members: readonly string[];
  /** How many promises a candidate needs (Phase 1). Default: a majority. */
  readonly phase1Quorum: number;
  /** How many accepts choose a slot (Phase 2). Default: a majority. */
  readonly phase2Quorum: number;
  /** Ticks between the leader's heartbeats. */
  readonly heartbeatTicks: number;
  /** A follower that hears no leader for a random count of ticks in [min, max) campaigns. */
  readonly electionTicksMin: number;
  readonly electionTicksMax: number;
  /** Ticks before an unanswered Phase1a, Phase2a or catch-up request is sent again. */
  readonly retransmitTicks: number;
  /** Slots the leader keeps in flight at once (pipelining). */
  readonly inflightSlotsMax: number;
  /** Client values one slot carries at most (batching). */
  readonly batchCommandsMax: number;
  /** Payload bytes one slot carries at most. */
  readonly batchBytesMax: number;
  /** Client values the leader queues before it refuses more. */
  readonly pendingCommandsMax: number;
  /** An acceptor accepts slots up to this far past its own chosen watermark. */
  readonly acceptWindowSlots: number;
  /** Chosen entries one catch-up reply carries at most. */
  readonly catchupBatchMax: number;
  /** Bytes of entries one Phase1b carries at most; past it the promise says it is truncated. */
  readonly phase1bBytesMax: number;
}

/** The settings a caller must give; the rest have defaults. */
export type ConsensusConfigInput = Pick<ConsensusConfig, 'nodeId' | 'members'> &
  Partial<Omit<ConsensusConfig, 'nodeId' | 'members'>>;

/** Raised when a configuration must not run. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Options of validation; only the simulator's mutation test turns the quorum check off. */
export interface ValidateOptions {
  readonly allowNonIntersectingQuorums?: boolean;
}

/**
 * Fills defaults and validates.
 *
 * @throws ConfigError naming the first setting that is wrong, e.g. quorums that need not
 * intersect (`phase1Quorum + phase2Quorum <= members`).
 */
export function consensusConfig(input: ConsensusConfigInput, options: ValidateOptions = {}): ConsensusConfig {
  const n = input.members.length;
  const majority = Math.floor(n / 2) + 1;
  const config: ConsensusConfig = {
    phase1Quorum: majority,
    phase2Quorum: majority,
    heartbeatTicks: 5,
    electionTicksMin: 30,
    electionTicksMax: 60,
    retransmitTicks: 20,
    inflightSlotsMax: 16,
    batchCommandsMax: 512,
    batchBytesMax: 24 * 1024,
    pendingCommandsMax: 100_000,
    acceptWindowSlots: 32,
    catchupBatchMax: 500,
    phase1bBytesMax: 800_000,
    ...definedOnly(input),
  } as ConsensusConfig;
  validateConsensusConfig(config, options);
  return config;
}

/** Checks every rule; throws ConfigError on the first broken one. */
export function validateConsensusConfig(c: ConsensusConfig, options: ValidateOptions = {}): void {
  const n = c.members.length;
  check(n >= 1, 'members must name at least one node');
  check(new Set(c.members).size === n, `members must be distinct: ${c.members.join(',')}`);
  check(c.members.every((m) => /^[A-Za-z0-9_-]{1,32}$/.test(m)), 'member ids must match [A-Za-z0-9_-]{1,32}');
  check(/^[A-Za-z0-9_-]{1,32}$/.test(c.nodeId), 'nodeId must match [A-Za-z0-9_-]{1,32}');
  for (const key of ['phase1Quorum', 'phase2Quorum'] as const) {
    check(Number.isInteger(c[key]) && c[key] >= 1 && c[key] <= n, `${key} must be an integer in 1..${n}`);
  }
  if (!options.allowNonIntersectingQuorums) {
    check(
      c.phase1Quorum + c.phase2Quorum > n,
      `phase1Quorum (${c.phase1Quorum}) + phase2Quorum (${c.phase2Quorum}) must exceed members (${n}) so that every two quorums intersect`,
    );
    check(2 * c.phase1Quorum > n, `phase1Quorum (${c.phase1Quorum}) must be a majority of ${n} so two leaders cannot both win`);
  }
  for (const key of [
    'heartbeatTicks',
    'electionTicksMin',
    'electionTicksMax',
    'retransmitTicks',
    'inflightSlotsMax',
    'batchCommandsMax',
    'batchBytesMax',
    'pendingCommandsMax',
    'acceptWindowSlots',
    'catchupBatchMax',
    'phase1bBytesMax',
  ] as const) {
    check(Number.isInteger(c[key]) && c[key] >= 1, `${key} must be a positive integer, got ${c[key]}`);
  }
  check(c.electionTicksMin > 2 * c.heartbeatTicks, 'electionTicksMin must exceed twice heartbeatTicks');
  check(c.electionTicksMax > c.electionTicksMin, 'electionTicksMax must exceed electionTicksMin');
  check(c.acceptWindowSlots >= 2 * c.inflightSlotsMax, 'acceptWindowSlots must be at least twice inflightSlotsMax');
  // Accepts lie within acceptWindowSlots of a watermark, so a candidate caught up to the highest
  // watermark always gets whole promises; only a lagging one sees them truncated.
  check(
    c.phase1bBytesMax >= c.acceptWindowSlots * (c.batchBytesMax + PHASE1B_ENTRY_OVERHEAD),
    `phase1bBytesMax (${c.phase1bBytesMax}) must hold acceptWindowSlots (${c.acceptWindowSlots}) full batches of batchBytesMax (${c.batchBytesMax}) + ${PHASE1B_ENTRY_OVERHEAD}`,
  );
}

/** Bytes a promise entry takes besides its batch: slot, ballot and JSON punctuation (an upper bound). */
export const PHASE1B_ENTRY_OVERHEAD = 128;

/** Drops keys whose value is undefined, so they do not hide the defaults. */
function definedOnly<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new ConfigError(message);
}
