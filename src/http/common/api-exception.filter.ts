import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { failStopOnAssertion } from '../../shared/fail-stop';
import { apiErrorOf } from '../../api/api-error';

/**
 * The one global exception filter: every error leaves as API.md's `{statusCode, error, message,
 * details?}` (with Retry-After on 503). Unexpected errors are logged here and answered 500 without
 * their message or stack; a broken invariant (AssertionError) stops the node first.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpApi');

  catch(exception: unknown, host: ArgumentsHost): void {
    // A broken invariant stops the node (fail-stop); the 500 below only goes out under a test's handler.
    failStopOnAssertion('HTTP request', exception);
    const response = host.switchToHttp().getResponse<Response>();
    const { body, headers, unexpected } = apiErrorOf(exception);
    if (unexpected) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(body.statusCode).json(body);
  }
}
