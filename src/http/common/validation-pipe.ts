import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { InputInvalidError, fieldErrors } from './api-error';

/**
 * ValidationPipe that also refuses fields named like Object.prototype members (`toString`,
 * `constructor`, `__proto__`): class-transformer drops those silently, so whitelisting never sees
 * them, and the API promises that every unknown field is refused.
 */
class ApiValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom' && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const inherited = Object.keys(value).filter((key) => key in Object.prototype);
      if (inherited.length > 0)
        throw new InputInvalidError(inherited.map((field) => ({ field, messages: [`property ${field} should not exist`] })));
    }
    return super.transform(value, metadata);
  }
}

/**
 * The ONE global pipe: DTOs are validated and transformed; unknown fields are refused (400 with the
 * field errors in `details`). Bodies get no implicit type conversion: `"5"` is not a number.
 */
export function validationPipe(): ValidationPipe {
  return new ApiValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new InputInvalidError(fieldErrors(errors)),
  });
}
