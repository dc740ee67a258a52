import type { Command } from '../shared';

/** Whether a reason adds points (positive) or takes them away (negative). */
export type ReasonPolarity = 'positive' | 'negative';

/** Every polarity, in a fixed order. */
export const REASON_POLARITIES: readonly ReasonPolarity[] = ['positive', 'negative'];

/** What a catalogue entry says: labels in both languages, a default delta and its polarity. */
export interface ReasonFields {
  readonly labelZh: string;
  readonly labelEn: string;
  /** The delta the app proposes; its sign follows the polarity. */
  readonly defaultDelta: number;
  readonly polarity: ReasonPolarity;
  readonly active: boolean;
}

/** Adds a reason to the school's catalogue under a new code. */
export type CreateReason = Command<'CreateReason', { readonly code: string } & ReasonFields>;

/** Changes some fields of a reason (deactivating it keeps it for the records that name it). */
export type UpdateReason = Command<'UpdateReason', { readonly code: string } & Partial<ReasonFields>>;

/** Every command the reason aggregate decides. */
export type ReasonCommand = CreateReason | UpdateReason;
