import { loggedEvent } from '../projections/logged-event';
import { foldReadModels } from '../projections/read-model-fold';
import type { ReadModelState } from '../projections/row-change';
import { type FaultRecord, type OpRecord, baseCommandId } from './history';

/** One row of a node's event_log, as the checker reads it. */
export interface LogRow {
  readonly position: number;
  readonly slot: number;
  readonly commandId: string;
  readonly streamType: string;
  readonly streamId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: string;
}

/** What the checker reads of one node after the run (see snapshot.ts). */
export interface NodeSnapshot {
  readonly nodeId: string;
  readonly log: readonly LogRow[];
  readonly readModels: ReadModelState;
  /** The stored checkpoint of the read models. */
  readonly checkpoint: number;
}

/** One checked property: passed or not, with the first problems found. */
export interface Verdict {
  readonly name: string;
  readonly ok: boolean;
  readonly problems: string[];
  /** Figures behind the verdict (e.g. how many writes were lost). */
  readonly figures?: Record<string, number>;
}

const PROBLEMS_MAX = 10;

function verdict(name: string, problems: string[], figures?: Record<string, number>): Verdict {
  return { name, ok: problems.length === 0, problems: problems.slice(0, PROBLEMS_MAX), ...(figures ? { figures } : {}) };
}

/**
 * The log's applications of each command: base command id -> the distinct decision slots whose
 * rows carry it. A command applied once has exactly one slot (all its events in one entry).
 */
export function applicationsByCommand(log: readonly LogRow[]): Map<string, Set<number>> {
  const byCommand = new Map<string, Set<number>>();
  for (const row of log) {
    const base = baseCommandId(row.commandId);
    let slots = byCommand.get(base);
    if (!slots) byCommand.set(base, (slots = new Set()));
    slots.add(row.slot);
  }
  return byCommand;
}

/**
 * Every acknowledged operation is in every node's log exactly once; an unknown one at most once;
 * a failed one never (it was refused or never reached a node).
 */
export function checkOperations(ops: readonly OpRecord[], nodes: readonly NodeSnapshot[]): Verdict {
  const problems: string[] = [];
  let lost = 0;
  let duplicated = 0;
  let failedApplied = 0;
  for (const node of nodes) {
    const applied = applicationsByCommand(node.log);
    for (const op of ops) {
      const times = applied.get(op.logId)?.size ?? 0;
      if (op.outcome === 'ok' && times === 0) {
        lost++;
        problems.push(`${node.nodeId}: acknowledged ${op.kind} ${op.key} (position ${op.position ?? '?'}) is not in the log: lost`);
      } else if (times > 1) {
        duplicated++;
        problems.push(`${node.nodeId}: ${op.outcome} ${op.kind} ${op.key} applied ${times} times`);
      } else if (op.outcome === 'failed' && times > 0) {
        failedApplied++;
        problems.push(`${node.nodeId}: ${op.kind} ${op.key} answered ${op.status} (failed) but is in the log`);
      }
    }
  }
  return verdict('acknowledged writes in every log exactly once, unknown at most once', problems, { lost, duplicated, failedApplied });
}

/** The logs agree position by position, have gap-free positions from 1, and the same head. */
export function checkLogsAgree(nodes: readonly NodeSnapshot[]): Verdict {
  const problems: string[] = [];
  for (const node of nodes) {
    const gap = node.log.findIndex((row, i) => row.position !== i + 1);
    if (gap >= 0) problems.push(`${node.nodeId}: position ${node.log[gap].position} at row ${gap + 1} (gap or disorder)`);
  }
  const [first, ...rest] = nodes;
  for (const other of rest) {
    const n = Math.min(first.log.length, other.log.length);
    for (let i = 0; i < n; i++) {
      if (JSON.stringify(first.log[i]) !== JSON.stringify(other.log[i])) {
        problems.push(`logs diverge at position ${i + 1}: ${first.nodeId} ${describe(first.log[i])}, ${other.nodeId} ${describe(other.log[i])}`);
        break;
      }
    }
    if (first.log.length !== other.log.length) problems.push(`heads differ after the heal: ${first.nodeId} at ${first.log.length}, ${other.nodeId} at ${other.log.length}`);
  }
  return verdict('logs agree position by position', problems, { head: first?.log.length ?? 0 });
}

/** Each node's read models equal the fold of its log up to their checkpoint. */
export function checkReadModels(nodes: readonly NodeSnapshot[]): Verdict {
  const problems: string[] = [];
  for (const node of nodes) {
    const events = node.log.filter((r) => r.position <= node.checkpoint).map((r) =>
      loggedEvent({ position: r.position, stream_type: r.streamType, stream_id: r.streamId, type: r.type, schema_version: r.schemaVersion, data: r.data }),
    );
    const expected = plainState(foldReadModels(events));
    const actual = plainState(node.readModels);
    for (const table of Object.keys(expected)) {
      const e = expected[table];
      const a = actual[table] ?? [];
      if (JSON.stringify(e) === JSON.stringify(a)) continue;
      const i = e.findIndex((row, k) => JSON.stringify(row) !== JSON.stringify(a[k]));
      const at = i < 0 ? e.length : i;
      problems.push(`${node.nodeId}: ${table} differs from the fold of the log up to ${node.checkpoint} (${a.length} rows, fold ${e.length}; first at ${at}: ${JSON.stringify(a[at] ?? null).slice(0, 200)} vs ${JSON.stringify(e[at] ?? null).slice(0, 200)})`);
    }
  }
  return verdict('each read model equals the fold of the log', problems);
}

/**
 * Each student's score is its initial score plus the sum of its applied changes: every
 * ScoreModified goes from the running score to running + delta, and the read model's score
 * equals where the log ends.
 */
export function checkScores(nodes: readonly NodeSnapshot[]): Verdict {
  const problems: string[] = [];
  let students = 0;
  for (const node of nodes) {
    const scores = new Map<string, number>();
    for (const row of node.log) {
      if (row.streamType !== 'student') continue;
      const data = JSON.parse(row.data) as { initialScore?: number; delta?: number; previousScore?: number; newScore?: number };
      if (row.type === 'StudentRegistered') scores.set(row.streamId, Number(data.initialScore));
      if (row.type !== 'ScoreModified') continue;
      const running = scores.get(row.streamId);
      if (running === undefined || data.previousScore !== running || data.newScore !== running + Number(data.delta)) {
        problems.push(`${node.nodeId}: position ${row.position} ${row.streamId}: ${data.previousScore} + ${data.delta} -> ${data.newScore}, but the running score is ${running}`);
      }
      scores.set(row.streamId, running === undefined ? Number(data.newScore) : running + Number(data.delta));
    }
    students = scores.size;
    for (const [studentId, score] of scores) {
      const row = node.readModels.students.get(studentId) as { score?: number } | undefined;
      if (row?.score !== score) problems.push(`${node.nodeId}: ${studentId} has score ${row?.score} in the read model, ${score} by the log`);
    }
  }
  return verdict("each student's score is its initial score plus its applied changes", problems, { students });
}

/** What the sagas verdict reads of one saga in the log. */
interface SagaSeen {
  readonly kind: string;
  /** The batch's requested change per student (batch sagas). */
  readonly requested: Map<string, number>;
  /** Each student's changes that name the saga (batch, compensation), summed. */
  readonly applied: Map<string, number>;
  end: 'SagaCompleted' | 'SagaCompensated' | null;
  needsOperator: boolean;
}

/** The sagas of a log: their input, how they ended, and the score changes that name them. */
function sagasOf(log: readonly LogRow[]): Map<string, SagaSeen> {
  const sagas = new Map<string, SagaSeen>();
  for (const row of log) {
    if (row.streamType === 'saga') {
      const data = JSON.parse(row.data) as { input?: { kind?: string; changes?: { studentId: string; delta: number }[] } };
      if (row.type === 'SagaStarted') {
        const requested = new Map((data.input?.changes ?? []).map((c) => [c.studentId, c.delta] as const));
        sagas.set(row.streamId, { kind: String(data.input?.kind), requested, applied: new Map(), end: null, needsOperator: false });
        continue;
      }
      const saga = sagas.get(row.streamId);
      if (!saga) continue;
      if (row.type === 'SagaCompleted' || row.type === 'SagaCompensated') saga.end = row.type;
      if (row.type === 'CompensationFailed') saga.needsOperator = true;
      if (row.type === 'SagaRetried') saga.needsOperator = false;
    } else if (row.streamType === 'student' && row.type === 'ScoreModified') {
      const data = JSON.parse(row.data) as { sagaId?: string; delta?: number };
      const saga = data.sagaId === undefined ? undefined : sagas.get(data.sagaId);
      if (saga) saga.applied.set(row.streamId, (saga.applied.get(row.streamId) ?? 0) + Number(data.delta));
    }
  }
  return sagas;
}

/** Sagas the log shows neither ended nor waiting for an operator: the leader still drives them. */
export function openSagas(log: readonly LogRow[]): string[] {
  return [...sagasOf(log)].filter(([, s]) => s.end === null && !s.needsOperator).map(([id]) => id);
}

/**
 * Every saga ended completed or compensated, none half-done: a completed batch changed each of its
 * students by exactly the requested delta, a compensated one changed none of them in sum (its
 * compensations undid what its chunks applied). Checked on each node's log.
 */
export function checkSagas(nodes: readonly NodeSnapshot[]): Verdict {
  const problems: string[] = [];
  const figures = { sagas: 0, completed: 0, compensated: 0, open: 0, needsOperator: 0 };
  for (const node of nodes) {
    const sagas = sagasOf(node.log);
    if (node === nodes[0]) figures.sagas = sagas.size;
    for (const [sagaId, saga] of sagas) {
      if (node === nodes[0]) {
        if (saga.end === 'SagaCompleted') figures.completed++;
        else if (saga.end === 'SagaCompensated') figures.compensated++;
        else if (saga.needsOperator) figures.needsOperator++;
        else figures.open++;
      }
      if (saga.end === null) {
        problems.push(`${node.nodeId}: saga ${sagaId} (${saga.kind}) ${saga.needsOperator ? 'waits for an operator' : 'has not ended'}`);
        continue;
      }
      if (saga.kind !== 'batch') continue;
      for (const studentId of new Set([...saga.requested.keys(), ...saga.applied.keys()])) {
        const applied = saga.applied.get(studentId) ?? 0;
        const expected = saga.end === 'SagaCompleted' ? (saga.requested.get(studentId) ?? 0) : 0;
        if (applied !== expected) problems.push(`${node.nodeId}: saga ${sagaId} ended ${saga.end} but changed ${studentId} by ${applied}, not ${expected}`);
      }
    }
  }
  return verdict('sagas ended completed or compensated, none half-done', problems, figures);
}

/** The cluster served writes again within `boundMs` of each heal. */
export function checkWritesBack(faults: readonly FaultRecord[], boundMs = 2000): Verdict {
  const problems: string[] = [];
  let worst = 0;
  for (const f of faults) {
    if (f.healedAt === null) continue;
    const after = f.writesBackAt === null ? Infinity : f.writesBackAt - f.healedAt;
    worst = Math.max(worst, after === Infinity ? -1 : after);
    if (after > boundMs) problems.push(`${f.kind} ${f.target} healed at ${f.healedAt} ms: ${after === Infinity ? 'no write acknowledged after it' : `writes back after ${after} ms`}`);
  }
  return verdict(`writes served again within ${boundMs} ms of each heal`, problems, { worstMs: worst });
}

/** Every safety and liveness verdict of a run. */
export function checkRun(ops: readonly OpRecord[], faults: readonly FaultRecord[], nodes: readonly NodeSnapshot[], writesBackBoundMs = 2000): Verdict[] {
  return [checkOperations(ops, nodes), checkLogsAgree(nodes), checkReadModels(nodes), checkScores(nodes), checkSagas(nodes), checkWritesBack(faults, writesBackBoundMs)];
}

function describe(row: LogRow): string {
  return `slot ${row.slot} ${row.commandId} ${row.streamType}/${row.streamId} ${row.type}`;
}

/** A read-model state as plain, key-ordered rows per table. */
function plainState(state: ReadModelState): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [table, rows] of Object.entries(state) as [string, Map<string | number, unknown>][]) {
    out[table] = [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => normalize(row));
  }
  return out;
}

/** Dates as ISO text, keys sorted: the dump and the fold must compare by value. */
function normalize(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, normalize((value as Record<string, unknown>)[k])]));
  return value;
}
