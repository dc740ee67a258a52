import type { Kysely } from 'kysely';
import {
  type ApplicationState,
  type DomainEvent,
  type ReasonEvent,
  type ReasonState,
  type StudentState,
  type UserState,
  evolveApplication,
  evolveReason,
  evolveStudent,
  evolveUser,
  initialApplicationState,
  initialReasonState,
  initialStudentState,
  initialUserState,
  upcastEvent,
} from '../domain';
import type { EventRow } from '../infra/mysql/command-record';
import type { Database } from '../infra/mysql/database';
import type { PlannedBatch } from '../infra/mysql/event-store';
import { type ArchiveEvent, type SagaEvent, type SagaState, evolveSaga, evolveSagaArchive, initialSagaState, isOpen } from '../sagas';

const DOMAIN_STREAMS = ['student', 'application', 'user', 'saga', 'archive', 'reason'] as const;
const LOAD_BATCH = 5000;

/**
 * Every student, application and user as decisions see them: the fold of their streams, kept in
 * memory on every node and moved forward by each planned batch, in slot order. The leader
 * decides against it; the expected stream versions of each proposal catch anything stale.
 */
export class AggregateStore {
  private readonly students = new Map<string, StudentState>();
  private readonly applications = new Map<string, ApplicationState>();
  private readonly users = new Map<string, UserState>();
  private readonly reasons = new Map<string, ReasonState>();
  private readonly sagas = new Map<string, SagaState>();
  /** Sagas not yet ended (running, compensating, or waiting for an operator). */
  private readonly openSagaIds = new Set<string>();
  /** The log position of each saga's last event (its own or its archive's). */
  private readonly sagaPositions = new Map<string, number>();
  private plannedSlotValue = 0;

  constructor(private readonly db: Kysely<Database>) {}

  /** Folds every domain event of the written log. At start, and after a reload. */
  async load(): Promise<void> {
    this.students.clear();
    this.applications.clear();
    this.users.clear();
    this.reasons.clear();
    this.sagas.clear();
    this.openSagaIds.clear();
    this.sagaPositions.clear();
    let after = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom('event_log')
        .selectAll()
        .where('position', '>', after)
        .where('stream_type', 'in', [...DOMAIN_STREAMS])
        .orderBy('position')
        .limit(LOAD_BATCH)
        .execute();
      for (const row of rows) this.applyRow(row);
      if (rows.length < LOAD_BATCH) break;
      after = rows[rows.length - 1].position;
    }
    const head = await this.db.selectFrom('paxos_chosen').select((eb) => eb.fn.max('slot').as('slot')).executeTakeFirst();
    this.plannedSlotValue = Number(head?.slot ?? 0);
  }

  /** Moves the states forward by a planned batch (EventStore.onPlanned). */
  onPlanned(batch: PlannedBatch): void {
    for (const row of batch.events) this.applyRow(row);
    const last = batch.entries[batch.entries.length - 1];
    if (last) this.plannedSlotValue = Math.max(this.plannedSlotValue, last.slot);
  }

  /** The highest slot whose events the states include. */
  get plannedSlot(): number {
    return this.plannedSlotValue;
  }

  student(id: string): StudentState {
    return this.students.get(id) ?? initialStudentState;
  }

  application(id: string): ApplicationState {
    return this.applications.get(id) ?? initialApplicationState;
  }

  user(username: string): UserState {
    return this.users.get(username) ?? initialUserState;
  }

  reason(code: string): ReasonState {
    return this.reasons.get(code) ?? initialReasonState;
  }

  saga(id: string): SagaState {
    return this.sagas.get(id) ?? initialSagaState;
  }

  /** The log position of the saga's last event (0 when unknown): what a read waits for to see it. */
  sagaPosition(id: string): number {
    return this.sagaPositions.get(id) ?? 0;
  }

  /** How many sagas have not ended. */
  get openSagaCount(): number {
    return this.openSagaIds.size;
  }

  /** Every saga that has not ended, in start order. */
  openSagas(): SagaState[] {
    return [...this.openSagaIds].map((id) => this.saga(id));
  }

  /** Active (registered, not archived) students of `className`, or of every class when null, sorted by id. */
  activeStudentIds(className: string | null): string[] {
    const ids: string[] = [];
    for (const [id, s] of this.students) if (s.exists && !s.archived && (className === null || s.className === className)) ids.push(id);
    return ids.sort();
  }

  /** True when any user exists (the bootstrap admin is created only into an empty cluster). */
  get anyUser(): boolean {
    return this.users.size > 0;
  }

  private applyRow(row: Pick<EventRow, 'position' | 'stream_type' | 'stream_id' | 'type' | 'schema_version' | 'data'>): void {
    const event: DomainEvent = upcastEvent({
      type: row.type,
      schemaVersion: Number(row.schema_version),
      streamType: row.stream_type,
      streamId: row.stream_id,
      data: JSON.parse(row.data),
    });
    switch (row.stream_type) {
      case 'student':
        this.students.set(row.stream_id, evolveStudent(this.student(row.stream_id), event as Parameters<typeof evolveStudent>[1]));
        return;
      case 'application':
        this.applications.set(row.stream_id, evolveApplication(this.application(row.stream_id), event as Parameters<typeof evolveApplication>[1]));
        return;
      case 'user':
        this.users.set(row.stream_id, evolveUser(this.user(row.stream_id), event as Parameters<typeof evolveUser>[1]));
        return;
      case 'reason':
        this.reasons.set(row.stream_id, evolveReason(this.reason(row.stream_id), event as ReasonEvent));
        return;
      case 'saga': {
        const saga = evolveSaga(this.saga(row.stream_id), event as SagaEvent);
        this.sagas.set(row.stream_id, saga);
        this.sagaPositions.set(row.stream_id, Number(row.position));
        if (isOpen(saga)) this.openSagaIds.add(row.stream_id);
        else this.openSagaIds.delete(row.stream_id);
        return;
      }
      case 'archive': {
        const sagaId = (event.data as { sagaId: string }).sagaId;
        this.sagas.set(sagaId, evolveSagaArchive(this.saga(sagaId), event as ArchiveEvent));
        this.sagaPositions.set(sagaId, Number(row.position));
        return;
      }
      default:
        return;
    }
  }
}
