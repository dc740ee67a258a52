import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiGatewayTimeoutResponse,
  ApiHeader,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_MAX } from '../../api/idempotency-key';

/** Documents a write through the log: Idempotency-Key, X-Log-Position and its error answers. */
export function WritesThroughLog(): MethodDecorator {
  return applyDecorators(
    ApiHeader({ name: 'Idempotency-Key', required: false, description: `the command id (1..${IDEMPOTENCY_KEY_MAX} chars); a retry returns the first result` }),
    ApiBadRequestResponse({ description: 'invalid input (field errors in details, unknown fields refused)' }),
    ApiConflictResponse({ description: 'state conflict' }),
    ApiUnprocessableEntityResponse({ description: 'business rule broken' }),
    ApiPayloadTooLargeResponse({ description: 'body over 16 kB' }),
    ApiTooManyRequestsResponse({ description: 'rate limited' }),
    ApiServiceUnavailableResponse({ description: 'no quorum (Retry-After)' }),
    ApiGatewayTimeoutResponse({ description: 'outcome unknown: retry with the same Idempotency-Key' }),
  );
}
