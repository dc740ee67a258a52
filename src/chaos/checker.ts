import { loggedEvent } from '../projections/logged-event';
import { foldReadModels } from '../projections/read-model-fold';
import { readModelProjections } from '../projections/read-models';
import { DEFAULT_SCHOOL_TIME_ZONE } from '../shared/school-days';
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
  /** The school time zone the read models count days in, as the checkpoint records it (default UTC). */
  readonly timeZone?: string;
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

/**
 * Every acknowledged answer names what the log holds: its `position` is a row of every node's log
 * and that row carries the answer's `commandId` (a decision of it: `<id>` or `<id>#<n>`).
 */
export function checkAnswers(ops: readonly OpRecord[], nodes: readonly NodeSnapshot[]): Verdict {
  const problems: string[] = [];
  let checked = 0;
  let mismatched = 0;
  for (const op of ops) {
    if (op.outcome !== 'ok') continue;
    checked++;
    if (typeof op.position !== 'number' || typeof op.commandId !== 'string') {
      mismatched++;
      problems.push(`acknowledged ${op.kind} ${op.key} named no position or command id (position ${op.position ?? '-'}, command ${op.commandId ?? '-'})`);
      continue;
    }
    for (const node of nodes) {
      const row = rowAt(node.log, op.position);
      if (row && baseCommandId(row.commandId) === baseCommandId(op.commandId)) continue;
      mismatched++;
      problems.push(`${node.nodeId}: acknowledged ${op.kind} ${op.commandId} at position ${op.position}, but the log holds ${row ? describe(row) : 'nothing'} there`);
    }
  }
  return verdict("each acknowledged answer's position holds its command id in every log", problems, { checked, mismatched });
}

/** The row at `position` (rows are ordered by position; a gap falls back to a search). */
function rowAt(log: readonly LogRow[], position: number): LogRow | undefined {
  const guess = log[position - 1];
  return guess?.position === position ? guess : log.find((r) => r.position === position);
}

/** The run did enough to judge: at least `minimum` operations were acknowledged. */
export function checkEnoughAcknowledged(ops: readonly OpRecord[], minimum: number): Verdict {
  const ok = ops.filter((o) => o.outcome === 'ok').length;
  const problems = ok >= minimum ? [] : [`only ${ok} of ${ops.length} operations acknowledged, fewer than the ${minimum} a run needs to judge anything`];
  return verdict(`at least ${minimum} operations acknowledged`, problems, { acknowledged: ok, minimum });
}

/**
 * Every scheduled fault was injected and healed, and there were at least `minimum`: a run whose
 * faults failed to start (or that had none) proves nothing about surviving them.
 */
export function checkFaultsInjected(faults: readonly FaultRecord[], minimum: number): Verdict {
  const problems: string[] = [];
  if (faults.length < minimum) problems.push(`${faults.length} fault(s) scheduled, fewer than the ${minimum} the run needs`);
  for (const f of faults) {
    if (!f.injected) problems.push(`${f.kind} ${f.target} at ${f.startedAt} ms was scheduled but not injected${f.note ? ` (${f.note})` : ''}`);
    else if (f.healedAt === null) problems.push(`${f.kind} ${f.target} at ${f.startedAt} ms was never healed`);
  }
  return verdict(`every scheduled fault injected (at least ${minimum})`, problems, { faults: faults.length, injected: faults.filter((f) => f.injected).length });
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
    const expected = plainState(foldReadModels(events, readModelProjections(node.timeZone ?? DEFAULT_SCHOOL_TIME_ZONE)));
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
  /** The students an archive saga archives (archive sagas). */
  readonly archived: readonly string[];
  readonly chunkSize?: number;
  /** Position of the archive's `store` step success (the records service holds it), or null. */
  storedAt: number | null;
  /** Problems with the archive's effect seen while reading the log (a reset before the store, ...). */
  readonly archiveProblems: string[];
  /** The archive stream's closing event, if any. */
  archiveEnd: { type: 'ArchiveCompleted' | 'ArchiveDiscarded'; studentCount?: number } | null;
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
  /** Each student's initial and running score, to see what an archive's resets left. */
  const students = new Map<string, { initial: number; score: number }>();
  for (const row of log) {
    if (row.streamType === 'saga') {
      const data = JSON.parse(row.data) as { step?: string; input?: { kind?: string; changes?: { studentId: string; delta: number }[]; studentIds?: string[]; chunkSize?: number } };
      if (row.type === 'SagaStarted') {
        const requested = new Map((data.input?.changes ?? []).map((c) => [c.studentId, c.delta] as const));
        sagas.set(row.streamId, {
          kind: String(data.input?.kind), requested, applied: new Map(), end: null, needsOperator: false,
          archived: data.input?.studentIds ?? [], chunkSize: data.input?.chunkSize, storedAt: null, archiveProblems: [], archiveEnd: null,
        });
        continue;
      }
      const saga = sagas.get(row.streamId);
      if (!saga) continue;
      if (row.type === 'SagaCompleted' || row.type === 'SagaCompensated') saga.end = row.type;
      if (row.type === 'CompensationFailed') saga.needsOperator = true;
      if (row.type === 'SagaRetried') saga.needsOperator = false;
      if (saga.kind === 'archive' && row.type === 'StepSucceeded' && data.step === 'store') saga.storedAt = row.position;
      if (saga.kind === 'archive' && row.type === 'StepSucceeded' && data.step?.startsWith('reset:')) {
        // The reset entry holds the chunk's resets: its frozen students now stand at their initial score.
        for (const studentId of resetChunk(saga, data.step)) {
          const s = students.get(studentId);
          if (s && s.score !== s.initial) saga.archiveProblems.push(`${studentId} stands at ${s.score} after ${data.step} at position ${row.position}, not its initial ${s.initial}`);
        }
      }
    } else if (row.streamType === 'archive') {
      const saga = sagas.get(row.streamId);
      const data = JSON.parse(row.data) as { studentCount?: number };
      if (saga && (row.type === 'ArchiveCompleted' || row.type === 'ArchiveDiscarded')) saga.archiveEnd = { type: row.type, studentCount: data.studentCount };
    } else if (row.streamType === 'student') {
      const data = JSON.parse(row.data) as { sagaId?: string; delta?: number; source?: string; initialScore?: number };
      if (row.type === 'StudentRegistered') students.set(row.streamId, { initial: Number(data.initialScore), score: Number(data.initialScore) });
      if (row.type !== 'ScoreModified') continue;
      const student = students.get(row.streamId);
      if (student) student.score += Number(data.delta);
      const saga = data.sagaId === undefined ? undefined : sagas.get(data.sagaId);
      if (!saga) continue;
      saga.applied.set(row.streamId, (saga.applied.get(row.streamId) ?? 0) + Number(data.delta));
      if (data.source === 'archive-reset' && saga.storedAt === null) {
        saga.archiveProblems.push(`${row.streamId} reset at position ${row.position} before the archive was stored`);
      }
    }
  }
  return sagas;
}

/** The students of an archive saga's `reset:<i>` step (the same chunks the saga cuts). */
function resetChunk(saga: SagaSeen, step: string): readonly string[] {
  const index = Number(step.slice('reset:'.length));
  const size = saga.chunkSize ?? saga.archived.length;
  return saga.archived.slice(index * size, (index + 1) * size);
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
  const figures = { sagas: 0, completed: 0, compensated: 0, open: 0, needsOperator: 0, archives: 0, archivesCompleted: 0 };
  for (const node of nodes) {
    const sagas = sagasOf(node.log);
    if (node === nodes[0]) figures.sagas = sagas.size;
    for (const [sagaId, saga] of sagas) {
      if (node === nodes[0]) {
        if (saga.kind === 'archive') figures.archives++;
        if (saga.kind === 'archive' && saga.end === 'SagaCompleted') figures.archivesCompleted++;
        if (saga.end === 'SagaCompleted') figures.completed++;
        else if (saga.end === 'SagaCompensated') figures.compensated++;
        else if (saga.needsOperator) figures.needsOperator++;
        else figures.open++;
      }
      if (saga.end === null) {
        problems.push(`${node.nodeId}: saga ${sagaId} (${saga.kind}) ${saga.needsOperator ? 'waits for an operator' : 'has not ended'}`);
        continue;
      }
      if (saga.kind === 'archive') {
        problems.push(...archiveProblems(saga).map((p) => `${node.nodeId}: archive ${sagaId} ${p}`));
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

/**
 * An ended archive saga's effect: scores were reset only after the records service stored the
 * archive, each reset left its student at the initial score; a completed one closed the archive
 * with every student, a compensated one reversed every reset and completed no archive.
 */
function archiveProblems(saga: SagaSeen): string[] {
  const problems = [...saga.archiveProblems];
  if (saga.end === 'SagaCompleted') {
    if (saga.storedAt === null) problems.push('completed without its store step succeeding');
    if (saga.archiveEnd?.type !== 'ArchiveCompleted') problems.push(`completed, but its archive ended ${saga.archiveEnd?.type ?? 'without ArchiveCompleted'}`);
    else if (saga.archiveEnd.studentCount !== saga.archived.length) problems.push(`completed with ${saga.archiveEnd.studentCount} students archived, not ${saga.archived.length}`);
  } else if (saga.end === 'SagaCompensated') {
    if (saga.archiveEnd?.type === 'ArchiveCompleted') problems.push('compensated, but its archive is marked completed');
    for (const [studentId, applied] of saga.applied) if (applied !== 0) problems.push(`compensated but changed ${studentId} by ${applied}, not 0`);
  }
  return problems;
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

/**
 * The membership the run should end with, and what each membership fault did: the final
 * configuration's voters are the founding members with each replaced node swapped for its
 * replacement, no learner is left; each wiped node came back under a new incarnation, logged its
 * storage lost, reported that it does not vote (`incarnation-mismatch`) and voted again once re-added.
 */
export function checkMembership(faults: readonly FaultRecord[], founding: readonly string[], final: { voters: readonly string[]; learners: readonly string[] } | null): Verdict {
  const problems: string[] = [];
  const expected = [...founding];
  let replaced = 0;
  let wiped = 0;
  for (const f of faults) {
    if (f.kind === 'replace-node' && f.injected) {
      if (f.note) problems.push(`replace-node ${f.target}: ${f.note}`);
      if (f.replacedBy === undefined) continue;
      replaced++;
      const at = expected.indexOf(f.target);
      if (at >= 0) expected.splice(at, 1);
      expected.push(f.replacedBy);
    } else if (f.kind === 'wipe-node' && f.injected) {
      wiped++;
      if (f.note) problems.push(`wipe-node ${f.target}: ${f.note}`);
      const r = f.restartedAs;
      if (r === undefined) problems.push(`wipe-node ${f.target}: its status after the restart was never read`);
      else {
        if (r.voting || r.notVotingReason !== 'incarnation-mismatch') problems.push(`wipe-node ${f.target}: came back ${r.voting ? 'voting' : `not voting (${r.notVotingReason ?? 'no reason'})`}, not refused as incarnation-mismatch`);
        if (!r.incarnationChanged) problems.push(`wipe-node ${f.target}: its incarnation did not change (or was not read)`);
        if (!r.lossLogged) problems.push(`wipe-node ${f.target}: its log does not say "storage lost"`);
      }
      if (f.votesAgain !== true) problems.push(`wipe-node ${f.target}: does not vote again after cluster:replace-node`);
    }
  }
  if (final === null) problems.push('no leader showed the final configuration');
  else {
    const voters = [...final.voters].sort();
    if (JSON.stringify(voters) !== JSON.stringify([...expected].sort())) problems.push(`final voters ${voters.join(',')}, expected ${[...expected].sort().join(',')}`);
    if (final.learners.length > 0) problems.push(`learners left in the final configuration: ${final.learners.join(',')}`);
  }
  return verdict('membership changes took effect: replaced nodes removed, replacements and wiped nodes voting', problems, { replaced, wiped });
}

/** What a run must have done for its verdicts to mean anything, and the liveness bound. */
export interface RunBounds {
  /** Fewer acknowledged operations than this fails the run (nothing was tested). */
  readonly minAcknowledged: number;
  /** Fewer scheduled faults than this fails the run. */
  readonly minFaults: number;
  readonly writesBackBoundMs: number;
}

/** Every safety and liveness verdict of a run, and the checks that it was not vacuous. */
export function checkRun(ops: readonly OpRecord[], faults: readonly FaultRecord[], nodes: readonly NodeSnapshot[], bounds: RunBounds): Verdict[] {
  return [
    checkEnoughAcknowledged(ops, bounds.minAcknowledged),
    checkFaultsInjected(faults, bounds.minFaults),
    checkOperations(ops, nodes),
    checkAnswers(ops, nodes),
    checkLogsAgree(nodes),
    checkReadModels(nodes),
    checkScores(nodes),
    checkSagas(nodes),
    checkWritesBack(faults, bounds.writesBackBoundMs),
  ];
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
