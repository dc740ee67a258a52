import { type Msg, headers as natsHeaders } from 'nats';
import type { NodeConfig } from '../../../src/config/node-config';
import { PublicRequestGate } from '../../../src/messaging/public/public-request-gate';

function msg(hops?: string): Msg {
  const headers = natsHeaders();
  if (hops !== undefined) headers.set('Behavior-Forward-Hops', hops);
  return { headers } as unknown as Msg;
}

function gateOf(max: number): PublicRequestGate {
  return new PublicRequestGate({ config: { publicRequestsMax: max } as NodeConfig });
}

describe('PublicRequestGate', () => {
  it('admits up to its maximum at once, then answers 503 with retryAfter until one is released', () => {
    const gate = gateOf(2);
    const first = gate.admit(msg());
    const second = gate.admit(msg());
    expect('release' in first && 'release' in second).toBe(true);
    const third = gate.admit(msg());
    expect(third).toEqual({
      refusal: { ok: false, error: expect.objectContaining({ statusCode: 503, details: { retryAfter: 1 } }) as unknown },
    });
    if ('release' in first) {
      first.release();
      first.release(); // twice frees one slot only
    }
    expect(gate.busy).toBe(1);
    expect('release' in gate.admit(msg())).toBe(true);
    expect('refusal' in gate.admit(msg())).toBe(true);
  });

  it.each(['x', '-1', '3', '12', '1.0'])('refuses hops %p with 400 and does not count it', (hops) => {
    const gate = gateOf(1);
    expect(gate.admit(msg(hops))).toEqual({ refusal: { ok: false, error: expect.objectContaining({ statusCode: 400 }) as unknown } });
    expect(gate.busy).toBe(0);
  });
});
