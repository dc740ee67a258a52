import fc from 'fast-check';
import type { Message } from '../../../src/consensus/messages';
import { inboxSubject, isSubjectToken, parseProtocolSubject, protocolSubject } from '../../../src/infra/nats/subjects';

describe('protocol subjects', () => {
  const msg: Message = { type: 'Phase2b', from: 'n2', to: 'n1', ballot: { round: 1, nodeId: 'n1' }, slot: 4, incarnation: 'founding' };

  it('puts sender, recipient and type in the subject', () => {
    expect(protocolSubject('c1', msg)).toBe('paxos.c1.n2.n1.Phase2b');
    expect(inboxSubject('c1', 'n1')).toBe('paxos.c1.*.n1.*');
  });

  it('parses what it builds', () => {
    expect(parseProtocolSubject(protocolSubject('c1', msg))).toEqual({
      cluster: 'c1',
      from: 'n2',
      to: 'n1',
      type: 'Phase2b',
    });
  });

  it('returns null for subjects of another shape', () => {
    for (const s of [
      '',
      'paxos',
      'paxos.c1.n2.n1',
      'paxos.c1.n2.n1.Phase2b.x',
      'raft.c1.n2.n1.Phase2b',
      'paxos..n2.n1.Phase2b',
      'paxos.c1.n2.n1.',
    ]) {
      expect(parseProtocolSubject(s)).toBeNull();
    }
  });

  it('round trips any tokens and never throws on any string', () => {
    const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
    fc.assert(
      fc.property(token, token, token, token, (cluster, from, to, type) => {
        const subject = protocolSubject(cluster, { from, to, type } as Message);
        expect(parseProtocolSubject(subject)).toEqual({ cluster, from, to, type });
      }),
    );
    fc.assert(fc.property(fc.string(), (s) => void parseProtocolSubject(s)));
  });

  it('accepts only safe tokens', () => {
    expect(isSubjectToken('node-1_a')).toBe(true);
    for (const bad of ['', 'a.b', '*', '>', 'a b', 'x'.repeat(65)]) expect(isSubjectToken(bad)).toBe(false);
  });
});
