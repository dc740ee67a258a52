/**
 * Version 2 of ScoreModified and ApplicationSubmitted names the catalogue reason of the change,
 * `reasonCode` (null when none was named). Version 1 named none.
 *
 * @example withNullReasonCode({ reason: 'tidy' }) // { reason: 'tidy', reasonCode: null }
 */
export function withNullReasonCode(data: unknown): unknown {
  const fields = data as Record<string, unknown>;
  return { ...fields, reasonCode: typeof fields.reasonCode === 'string' ? fields.reasonCode : null };
}

/**
 * Version 2 data said in version 1: without `reasonCode` when it is null; null (cannot be said)
 * when it names a catalogue reason, which version 1 has no field for.
 *
 * @example withoutNullReasonCode({ reason: 'tidy', reasonCode: null }) // { reason: 'tidy' }
 */
export function withoutNullReasonCode(data: unknown): unknown {
  const { reasonCode, ...rest } = data as Record<string, unknown>;
  return reasonCode === null || reasonCode === undefined ? rest : null;
}
