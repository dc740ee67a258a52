import { applyDecorators } from '@nestjs/common';
import { IsDefined, IsInt, IsString, Length, Matches, Max, Min, NotEquals, ValidateIf } from 'class-validator';

/** Ids (students, applications): 1..64 letters, digits, `_` or `-`. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Usernames, as the domain accepts them: 3..64 lowercase letters, digits or `._-`, starting alphanumeric. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/;
/** Field limits of the API (characters). */
export const FIELD_LIMITS = Object.freeze({
  name: 100,
  className: 64,
  displayName: 100,
  reason: 500,
  comment: 500,
  passwordMin: 8,
  passwordMax: 128,
  deltaMax: 1000,
  initialScoreMax: 1000,
});

/**
 * The field may be absent; when present it is validated (null included, unlike @IsOptional, so
 * `null` never reaches a command).
 */
export function Absent(): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined);
}

/** An id of ID_PATTERN. */
export function IsEntityId(): PropertyDecorator {
  return applyDecorators(IsString(), Matches(ID_PATTERN, { message: '$property must be 1..64 letters, digits, _ or -' }));
}

/** Reason codes of the catalogue: 2..32 lowercase letters, digits, `_` or `-`, starting with a letter. */
export const REASON_CODE_PATTERN = /^[a-z][a-z0-9_-]{1,31}$/;

/** A reason code of REASON_CODE_PATTERN. */
export function IsReasonCode(): PropertyDecorator {
  return applyDecorators(IsString(), Matches(REASON_CODE_PATTERN, { message: '$property must be 2..32 lowercase letters, digits, _ or - starting with a letter' }));
}

/** A username of USERNAME_PATTERN. */
export function IsUsername(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Matches(USERNAME_PATTERN, { message: '$property must be 3..64 lowercase letters, digits or ._- starting with a letter or digit' }),
  );
}

/** Free text of 1..max characters that is not only blank. */
export function IsText(max: number): PropertyDecorator {
  return applyDecorators(IsString(), Length(1, max), Matches(/\S/, { message: '$property must not be blank' }));
}

/** A score change: an integer in -deltaMax..deltaMax other than 0. */
export function IsDelta(): PropertyDecorator {
  return applyDecorators(
    IsInt(),
    Min(-FIELD_LIMITS.deltaMax),
    Max(FIELD_LIMITS.deltaMax),
    NotEquals(0, { message: '$property must not be 0' }),
  );
}

/**
 * The field may be absent when one of `others` is present: a PATCH must change something. When
 * all are absent, this one is reported as required.
 */
export function PresentUnlessAnyOf(...others: string[]): PropertyDecorator {
  return applyDecorators(
    ValidateIf((object: Record<string, unknown>, value: unknown) => value !== undefined || others.every((k) => object[k] === undefined)),
    IsDefined({ message: `$property or ${others.join(' or ')} is required` }),
  );
}
