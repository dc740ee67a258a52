import { type ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { InputInvalidError, fieldErrors } from '../../api/api-error';
import { assertPlainJson } from '../../api/json-depth';

/**
 * ValidationPipe that first refuses, at any level, fields named like Object.prototype members
 * (`toString`, `constructor`, `__proto__`): class-transformer drops those silently (or, nested,
 * throws), so whitelisting never sees them, and the API promises that every unknown field is
 * refused; and any value nested deeper than JSON_DEPTH_MAX, which class-transformer would recurse
 * into until the stack overflows.
 */
class ApiValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') assertPlainJson(value);
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
