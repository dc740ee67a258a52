import { unreachable } from '../../shared/assert';
import type { CommandContext, Decision } from '../shared';
import { DEFAULT_SCORE_RULES, type ScoreRules, type StudentState } from '../student';
import type { ApplicationCommand } from './application-commands';
import type { ApplicationSubmitted } from './application-events';
import type { ApplicationState } from './application-state';
import { type ReviewEvent, decideReview } from './decide-review';
import { decideSubmitApplication } from './decide-submit-application';

/**
 * Decides any application command against the application and its student (see
 * decideSubmitApplication and decideReview for each one's refusals). Events may belong to both
 * streams; append them in one log entry.
 */
export function decideApplication(
  application: ApplicationState,
  student: StudentState,
  command: ApplicationCommand,
  context: CommandContext,
  rules: ScoreRules = DEFAULT_SCORE_RULES,
): Decision<ApplicationSubmitted | ReviewEvent> {
  switch (command.type) {
    case 'SubmitApplication':
      return decideSubmitApplication(application, student, command, context, rules);
    case 'ReviewApplication':
      return decideReview(application, student, command, context, rules);
    default:
      return unreachable(command, 'application command');
  }
}
