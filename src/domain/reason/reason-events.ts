import type { ActorRef, DomainEvent } from '../shared';
import type { ReasonFields } from './reason-commands';

/** The stream type of reason events; the stream id is the reason's code. */
export const REASON_STREAM = 'reason';

type ReasonEventOf<Type extends string, Data> = DomainEvent<Type, Data, typeof REASON_STREAM>;

/** A reason was added to the catalogue. */
export type ReasonCreated = ReasonEventOf<
  'ReasonCreated',
  { readonly code: string; readonly actor: ActorRef; readonly at: string } & ReasonFields
>;

/** A reason changed; the event carries every field as it now is (a projection sets them all). */
export type ReasonUpdated = ReasonEventOf<
  'ReasonUpdated',
  { readonly code: string; readonly actor: ActorRef; readonly at: string } & ReasonFields
>;

/** Every event of the reason stream. */
export type ReasonEvent = ReasonCreated | ReasonUpdated;
