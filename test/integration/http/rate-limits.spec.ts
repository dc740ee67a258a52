import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ADMIN, type NodeApp, startNodeApp } from './node-app';

const USERS = ['tina', 'tom', 'tara'];
const PASSWORD = 'teacher-pass';

/*
 * The node's own HTTP app (AppModule, real guards in their real order) over a real single-member
 * node, with small limits: 3 failed logins per account, 6 per address; 1 request per second per
 * tracker (so 30 per minute). Every assertion is on counts, never on time.
 */
describe('login throttling on the node app (real MySQL and NATS)', () => {
  let n: NodeApp;

  beforeAll(async () => {
    n = await startNodeApp('lt', { LOGIN_FAILURES_PER_ACCOUNT: '3', LOGIN_FAILURES_PER_ADDRESS: '6' });
    await n.token(ADMIN.username, ADMIN.password);
    const admin = { username: ADMIN.username, role: 'admin' } as const;
    for (const username of USERS) {
      await n.node.commands.execute({ name: 'users.create', data: { username, password: PASSWORD, role: 'teacher', displayName: username } }, admin);
    }
    for (const username of USERS) await n.token(username, PASSWORD);
  }, 90_000);

  afterAll(async () => {
    await n?.stop();
  });

  const login = (target: INestApplication, username: string, password: string, forwardedFor?: string) => {
    const req = request(target.getHttpServer()).post('/api/auth/login');
    if (forwardedFor !== undefined) req.set('X-Forwarded-For', forwardedFor);
    return req.send({ username, password });
  };

  it('locks an account after 3 failed logins, even from different addresses, with Retry-After; another user on the same address still logs in', async () => {
    const target = await n.app(['loopback']); // X-Forwarded-For names the client
    for (const [i, address] of ['10.0.0.1', '10.0.0.2', '10.0.0.3'].entries()) {
      expect({ attempt: i, status: (await login(target, 'tina', 'wrong', address)).status }).toEqual({ attempt: i, status: 401 });
    }
    const locked = await login(target, 'tina', PASSWORD, '10.0.0.4'); // the right password, a fresh address
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(locked.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    // A colleague behind the same address as the last failure is not locked out.
    expect((await login(target, 'tom', PASSWORD, '10.0.0.3')).status).toBe(200);
  }, 90_000);

  it('locks an address after 6 failed logins over several accounts; other addresses are not locked', async () => {
    const target = await n.app(['loopback']);
    for (let i = 0; i < 6; i++) {
      const res = await login(target, `nobody${i}`, 'wrong', '10.0.1.1');
      expect({ attempt: i, status: res.status }).toEqual({ attempt: i, status: 401 });
    }
    const locked = await login(target, 'tara', PASSWORD, '10.0.1.1');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await login(target, 'tara', PASSWORD, '10.0.1.2')).status).toBe(200);
  }, 90_000);

  it('without TRUST_PROXY, X-Forwarded-For is ignored: changing it does not escape the address lock', async () => {
    const target = await n.app(false);
    for (let i = 0; i < 6; i++) {
      const res = await login(target, `ghost${i}`, 'wrong', `192.0.2.${i + 1}`);
      expect({ attempt: i, status: res.status }).toEqual({ attempt: i, status: 401 });
    }
    expect((await login(target, 'tara', PASSWORD, '198.51.100.7')).status).toBe(429);
  }, 90_000);
});

describe('rate limits on the node app (real MySQL and NATS)', () => {
  let n: NodeApp;
  let adminToken: string;

  beforeAll(async () => {
    n = await startNodeApp('rl', { HTTP_RATE_LIMIT_PER_SECOND: '1' });
    adminToken = await n.token(ADMIN.username, ADMIN.password);
    const admin = { username: ADMIN.username, role: 'admin' } as const;
    await n.node.commands.execute({ name: 'users.create', data: { username: 'tom', password: PASSWORD, role: 'teacher', displayName: 'tom' } }, admin);
  }, 90_000);

  afterAll(async () => {
    await n?.stop();
  });

  it('counts refused tokens (the rate limit runs before authentication): 401s turn into 429', async () => {
    const target = await n.app();
    const statuses: number[] = [];
    for (let i = 0; i < 60 && !statuses.includes(429); i++) {
      statuses.push((await request(target.getHttpServer()).get('/api/students').set('Authorization', 'Bearer not.a.token')).status);
    }
    expect(statuses[0]).toBe(401);
    expect(statuses).toContain(429);
  }, 90_000);

  it('limits signed-in users per user, not per address; health and metrics are never limited', async () => {
    const target = await n.app();
    const tom = await n.token('tom', PASSWORD);
    const statuses: number[] = [];
    for (let i = 0; i < 60 && !statuses.includes(429); i++) {
      statuses.push((await request(target.getHttpServer()).get('/api/students').set('Authorization', `Bearer ${tom}`)).status);
    }
    expect(statuses).toContain(429);
    // The same address, another user: their own budget.
    await request(target.getHttpServer()).get('/api/students').set('Authorization', `Bearer ${adminToken}`).expect(200);
    // Exhaust the address's own budget too, then probe.
    for (let i = 0; i < 60; i++) if ((await request(target.getHttpServer()).get('/api/students')).status === 429) break;
    expect((await request(target.getHttpServer()).get('/api/students')).status).toBe(429);
    for (let i = 0; i < 40; i++) {
      expect((await request(target.getHttpServer()).get('/health/live')).status).toBe(200);
      expect((await request(target.getHttpServer()).get('/metrics')).status).toBe(200);
    }
  }, 90_000);
});
