import { ConfigError } from '../../../src/consensus';
import { trustProxyOf } from '../../../src/config/node-config';
import { LoginThrottle } from '../../../src/auth/login-throttle';

const options = { accountFailuresMax: 3, addressFailuresMax: 5, lockBaseMs: 1000, lockMaxMs: 8000, forgetAfterMs: 60_000 };

describe('LoginThrottle', () => {
  let now = 1_000_000;
  const throttle = () => new LoginThrottle(options, () => now);

  it('given 3 failures of one account from 3 addresses, then it is locked for 1 s, then 2 s, 4 s, at most 8 s', () => {
    const t = throttle();
    t.failed('kim', 'a');
    t.failed('kim', 'b');
    expect(t.lockedFor('kim', 'c')).toBe(0);
    t.failed('Kim', 'c'); // case folded: the same account
    expect(t.lockedFor('kim', 'd')).toBe(1);
    expect(t.lockedFor('lee', 'c')).toBe(0); // another account on the same address
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      t.failed('kim', 'd');
      waits.push(t.lockedFor('kim', 'e'));
    }
    expect(waits).toEqual([2, 4, 8, 8]);
    now += 8000;
    expect(t.lockedFor('kim', 'e')).toBe(0);
  });

  it('given 5 failures from one address over several accounts, then the address is locked for every account', () => {
    const t = throttle();
    for (const user of ['a1', 'a2', 'a3', 'a4', 'a5']) t.failed(user, '10.0.0.9');
    expect(t.lockedFor('kim', '10.0.0.9')).toBe(1);
    expect(t.lockedFor('kim', '10.0.0.8')).toBe(0);
  });

  it('forgets failures after a quiet period, and a success clears its account', () => {
    const t = throttle();
    t.failed('kim', 'a');
    t.failed('kim', 'a');
    now += 61_000;
    t.failed('kim', 'a');
    expect(t.lockedFor('kim', 'b')).toBe(0);
    t.failed('kim', 'a');
    t.succeeded('kim');
    t.failed('kim', 'a');
    expect(t.lockedFor('kim', 'b')).toBe(0);
  });
});

describe('TRUST_PROXY', () => {
  it('reads false, a hop count, or addresses and subnets', () => {
    expect(trustProxyOf(undefined)).toBe(false);
    expect(trustProxyOf('false')).toBe(false);
    expect(trustProxyOf('1')).toBe(1);
    expect(trustProxyOf('loopback, 10.0.0.0/8,::1')).toEqual(['loopback', '10.0.0.0/8', '::1']);
  });

  it.each(['true', '*', '10.0.0.0/33', 'proxy.example', '10.0.0.1/8/2'])('refuses %s', (value) => {
    expect(() => trustProxyOf(value)).toThrow(ConfigError);
  });
});
