import type { Message } from '../../consensus/messages';

/**
 * Protocol subjects: `paxos.<cluster>.<from>.<to>.<type>`.
 *
 * The sender travels in the subject, not in the body, so NATS permissions
 * (`publish: paxos.<cluster>.<i>.>` for node i) decide who may speak as whom.
 */

/** The first token of every protocol subject. */
export const PROTOCOL_SUBJECT_ROOT = 'paxos';

/** The parts of a protocol subject; `type` is not yet checked against the known types. */
export interface ProtocolSubject {
  readonly cluster: string;
  readonly from: string;
  readonly to: string;
  readonly type: string;
}

// Dots and wildcards would change the subject's shape; whitespace is illegal in subjects.
const SUBJECT_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/** True when `s` can be one token of a protocol subject (cluster name, node id). */
export function isSubjectToken(s: string): boolean {
  return SUBJECT_TOKEN.test(s);
}

/**
 * The subject a message is published on.
 *
 * @example protocolSubject('c1', phase2b) // 'paxos.c1.n2.n1.Phase2b'
 */
export function protocolSubject(cluster: string, msg: Pick<Message, 'from' | 'to' | 'type'>): string {
  return `${PROTOCOL_SUBJECT_ROOT}.${cluster}.${msg.from}.${msg.to}.${msg.type}`;
}

/**
 * The subscription that receives every protocol message addressed to `self`.
 *
 * @example inboxSubject('c1', 'n1') // 'paxos.c1.*.n1.*'
 */
export function inboxSubject(cluster: string, self: string): string {
  return `${PROTOCOL_SUBJECT_ROOT}.${cluster}.*.${self}.*`;
}

/**
 * Splits a protocol subject into its parts; null when it does not have the protocol's shape
 * (wrong root, not five tokens, an empty token).
 */
export function parseProtocolSubject(subject: string): ProtocolSubject | null {
  const parts = subject.split('.');
  if (parts.length !== 5 || parts[0] !== PROTOCOL_SUBJECT_ROOT) return null;
  const [, cluster, from, to, type] = parts as [string, string, string, string, string];
  if (cluster === '' || from === '' || to === '' || type === '') return null;
  return { cluster, from, to, type };
}
