import {
  type ApplicationCommand,
  type ApplicationEvent,
  type ApplicationState,
  type CommandContext,
  type ScoreRules,
  type StudentCommand,
  type StudentEvent,
  type StudentState,
  type UserCommand,
  type UserEvent,
  type UserState,
  decideApplication,
  decideStudent,
  decideUser,
  evolveApplication,
  evolveStudent,
  evolveUser,
  initialApplicationState,
  initialStudentState,
  initialUserState,
} from '../../src/domain';
import { NOW, admin } from './fixtures';
import { scenario } from './given-when-then';

/** A command context plus the score rules a test configures (the default range when absent). */
export type TestContext = CommandContext & { readonly rules?: ScoreRules };

const defaultContext: TestContext = { actor: admin, now: NOW };

/** Given/when/then over one student stream. */
export const student = scenario<StudentState, StudentCommand, StudentEvent, TestContext>(
  {
    decide: (state, command, context) => decideStudent(state, command, context, context.rules),
    evolve: evolveStudent,
    initialState: initialStudentState,
  },
  defaultContext,
);

/** Both streams an application command reads: the application's and its student's. */
interface ApplicationWithStudent {
  readonly application: ApplicationState;
  readonly student: StudentState;
}

/** Given/when/then over an application stream and its student's: given events go to their own stream. */
export const application = scenario<
  ApplicationWithStudent,
  ApplicationCommand,
  ApplicationEvent | StudentEvent,
  TestContext
>(
  {
    decide: (state, command, context) =>
      decideApplication(state.application, state.student, command, context, context.rules),
    evolve: (state, event) =>
      event.streamType === 'application'
        ? { ...state, application: evolveApplication(state.application, event) }
        : { ...state, student: evolveStudent(state.student, event) },
    initialState: { application: initialApplicationState, student: initialStudentState },
  },
  defaultContext,
);

/** Given/when/then over one user stream. */
export const user = scenario<UserState, UserCommand, UserEvent, TestContext>(
  { decide: decideUser, evolve: evolveUser, initialState: initialUserState },
  defaultContext,
);
