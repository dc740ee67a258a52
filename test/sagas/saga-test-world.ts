import {
  type Actor,
  type DomainEvent,
  type ScoreRules,
  type StudentEvent,
  type StudentState,
  evolveStudent,
  initialStudentState,
} from '../../src/domain';
import {
  type ArchiveEvent,
  type ExternalAnswer,
  type SagaCommand,
  type SagaEvent,
  type SagaState,
  decideSaga,
  evolveSaga,
  evolveSagaArchive,
  initialSagaState,
  runSagaCommand,
} from '../../src/sagas';

/** Epoch ms the tests decide at. */
export const T0 = Date.parse('2025-06-30T08:00:00.000Z');
export const admin: Actor = { username: 'root', role: 'admin' };

/**
 * Students and one saga in memory, moved by the entries the workflow decides, as the leader's
 * aggregate store is: the given/when/then tests' world.
 */
export class SagaWorldUnderTest {
  readonly students = new Map<string, StudentState>();
  saga: SagaState = initialSagaState;
  now = T0;
  /** The configured score range (the default when undefined). */
  rules: ScoreRules | undefined = undefined;
  readonly log: DomainEvent[] = [];

  /** Registers students `s-1..s-n` (or the given ids) at `score` in class `className`. */
  register(ids: readonly string[], score = 100, className = '7a'): void {
    for (const studentId of ids) {
      this.applyStudent({
        type: 'StudentRegistered',
        schemaVersion: 1,
        streamType: 'student',
        streamId: studentId,
        data: { studentId, name: `Name ${studentId}`, className, initialScore: score, actor: { username: 'root', role: 'admin' }, at: '2025-01-01T00:00:00.000Z' },
      });
    }
  }

  /** Changes a student's state as some other command would (freeze, archive, score). */
  patch(studentId: string, change: Partial<StudentState>): void {
    this.students.set(studentId, { ...this.student(studentId), ...change, version: this.student(studentId).version + 1 });
  }

  student(id: string): StudentState {
    return this.students.get(id) ?? initialStudentState;
  }

  /** Applies the events of one entry (the way every node folds them). */
  apply(events: readonly DomainEvent[]): void {
    for (const event of events) {
      this.log.push(event);
      if (event.streamType === 'student') this.applyStudent(event as StudentEvent);
      else if (event.streamType === 'saga') this.saga = evolveSaga(this.saga, event as SagaEvent);
      else if (event.streamType === 'archive') this.saga = evolveSagaArchive(this.saga, event as ArchiveEvent);
    }
  }

  /** What the saga decides now. */
  decide(): SagaCommand | null {
    return decideSaga(this.saga, this.now);
  }

  /** The entry a command makes now (not applied). */
  run(command: SagaCommand, answer?: ExternalAnswer): ReturnType<typeof runSagaCommand> {
    return runSagaCommand(this.saga, command, { student: (id) => this.student(id), now: this.now, rules: this.rules }, answer);
  }

  /** Decides and applies one step; returns the command, or null when the saga has nothing to do. */
  step(answer?: ExternalAnswer): SagaCommand | null {
    const command = this.decide();
    if (command === null) return null;
    this.apply(this.run(command, answer).events);
    return command;
  }

  /** Steps until the saga has nothing to do (bounded); external steps get `answer`. */
  runToRest(answer: ExternalAnswer = { ok: true }, stepsMax = 1000): SagaCommand[] {
    const taken: SagaCommand[] = [];
    for (let i = 0; i < stepsMax; i++) {
      const command = this.step(answer);
      if (command === null) return taken;
      taken.push(command);
    }
    throw new Error(`saga still busy after ${stepsMax} steps`);
  }

  /** Events of a type, in log order. */
  eventsOf(type: string): DomainEvent[] {
    return this.log.filter((e) => e.type === type);
  }

  private applyStudent(event: StudentEvent): void {
    this.students.set(event.streamId, evolveStudent(this.student(event.streamId), event));
  }
}

/** `s-1` … `s-n`. */
export const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `s-${i + 1}`);
