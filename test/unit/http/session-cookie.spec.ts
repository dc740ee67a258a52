import { JwtKeyRing } from '../../../src/auth/jwt-keys';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AuthService } from '../../../src/auth/auth.service';
import type { Credentials, CredentialsLookup } from '../../../src/auth/credentials-repository';
import { hashPassword } from '../../../src/auth/password';
import { AuthModule } from '../../../src/http/auth';
import { HttpApiModule, configureHttpApp } from '../../../src/http/common/http-api.module';
import { FakeGateway, FakeProjector, FakeReadModels } from './http-test-app';
import { DomainRefusal } from '../../../src/application/domain-refusal';
import { sessionEndCommandId } from '../../../src/application/idempotency';
import { NoQuorumError, UnknownOutcomeError } from '../../../src/application/proposal-errors';
import { PENDING_LOGOUTS_MAX } from '../../../src/http/auth/session-cookie';

const PASSWORD = 'correct horse battery staple';

/** Cookies of a Set-Cookie list, by name: the value and the attribute text. */
function cookies(setCookie: string[] | string | undefined): Map<string, { value: string; attributes: string }> {
  const list = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
  return new Map(
    list.map((line) => {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      return [pair.slice(0, eq).trim(), { value: decodeURIComponent(pair.slice(eq + 1)), attributes: attributes.join(';').toLowerCase() }];
    }),
  );
}

describe('web sessions: cookie login, CSRF, logout, me, security headers', () => {
  let app: Awaited<ReturnType<typeof start>>['app'];
  let server: Parameters<typeof request>[0];
  let gateway: FakeGateway;

  async function start() {
    const users = new Map<string, Credentials>([
      ['root', { username: 'root', passwordHash: await hashPassword(PASSWORD), role: 'admin', studentId: null, disabled: false, position: 1 }],
      ['sam', { username: 'sam', passwordHash: await hashPassword(PASSWORD), role: 'student', studentId: 's-1', disabled: false, position: 2 }],
    ]);
    const lookup: CredentialsLookup = { find: (username) => Promise.resolve(users.get(username)) };
    const auth = new AuthService(lookup, new JwtKeyRing([{ kid: 'unit', secret: 'unit-test-secret-0123456789abcdef' }]), { expiresInSeconds: 600 });
    const reads = new FakeReadModels();
    reads.users.set('sam', { username: 'sam', role: 'student', displayName: 'Sam Li', studentId: 's-1', disabled: false, classes: [], position: 2 });
    const fakeGateway = new FakeGateway();
    const moduleRef = await Test.createTestingModule({
      imports: [
        AuthModule.register(auth, { commands: fakeGateway }),
        HttpApiModule.register({ gateway: fakeGateway, students: reads, scoreRecords: reads, applications: reads, users: reads, projector: new FakeProjector() }),
      ],
    }).compile();
    const nest = moduleRef.createNestApplication({ logger: false });
    configureHttpApp(nest);
    await nest.init();
    return { app: nest, gateway: fakeGateway };
  }

  beforeAll(async () => {
    ({ app, gateway } = await start());
    server = app.getHttpServer();
  });
  afterAll(() => app.close());

  async function login(username = 'root') {
    const res = await request(server).post('/api/auth/login').send({ username, password: PASSWORD }).expect(200);
    const jar = cookies(res.headers['set-cookie'] as unknown as string[]);
    const session = jar.get('session');
    const csrf = jar.get('csrf');
    if (session === undefined || csrf === undefined) throw new Error('login set no session or csrf cookie');
    return { res, session, csrf, cookie: `session=${encodeURIComponent(session.value)}; csrf=${csrf.value}` };
  }

  const register = { studentId: 's-9', name: 'Nine', className: '7A' };

  it('login sets an HttpOnly SameSite=Strict session cookie holding the token, and a readable csrf cookie', async () => {
    const { res, session, csrf } = await login();
    expect(session.value).toBe(res.body.accessToken);
    expect(session.attributes).toContain('httponly');
    expect(session.attributes).toContain('samesite=strict');
    expect(session.attributes).toContain('path=/');
    expect(session.attributes).not.toContain('secure'); // plain http here
    expect(csrf.attributes).not.toContain('httponly');
    expect(csrf.attributes).toContain('samesite=strict');
    expect(csrf.value).toBe(res.body.csrfToken);
    expect(res.body).toEqual(expect.objectContaining({ role: 'admin', expiresIn: 600 }));
  });

  it('the cookie authenticates reads without a CSRF token', async () => {
    const { cookie } = await login('sam');
    const me = await request(server).get('/api/auth/me').set('Cookie', cookie).expect(200);
    expect(me.body).toEqual({ username: 'sam', role: 'student', displayName: 'Sam Li', studentId: 's-1', classes: [] });
  });

  it('refuses a cookie-authenticated write without the CSRF token or with a wrong one (403), and decides nothing', async () => {
    const { cookie, csrf } = await login();
    const before = gateway.calls.length;
    const missing = await request(server).post('/api/students').set('Cookie', cookie).send(register).expect(403);
    expect(missing.body).toEqual(expect.objectContaining({ statusCode: 403, message: expect.stringContaining('CSRF') }));
    await request(server).post('/api/students').set('Cookie', cookie).set('X-CSRF-Token', `${csrf.value.slice(1)}x`).send(register).expect(403);
    // Another session's token does not fit this session.
    const other = await login('sam');
    await request(server).post('/api/students').set('Cookie', cookie).set('X-CSRF-Token', other.csrf.value).send(register).expect(403);
    expect(gateway.calls.length).toBe(before);
  });

  it('accepts a cookie-authenticated write that echoes the CSRF token', async () => {
    const { cookie, csrf } = await login();
    await request(server).post('/api/students').set('Cookie', cookie).set('X-CSRF-Token', csrf.value).send(register).expect(201);
    expect(gateway.calls.at(-1)?.actor).toEqual({ username: 'root', role: 'admin' });
  });

  it('a bearer-authenticated write needs no CSRF token', async () => {
    const { res } = await login();
    await request(server).post('/api/students').set('Authorization', `Bearer ${res.body.accessToken}`).send(register).expect(201);
  });

  it('answers 401 without a session, and logout clears both cookies', async () => {
    await request(server).get('/api/auth/me').expect(401);
    await request(server).get('/api/auth/me').set('Cookie', 'session=not-a-token').expect(401);
    const out = await request(server).post('/api/auth/logout').expect(204);
    const jar = cookies(out.headers['set-cookie'] as unknown as string[]);
    expect(jar.get('session')?.value).toBe('');
    expect(jar.get('session')?.attributes).toContain('expires=thu, 01 jan 1970');
    expect(jar.get('csrf')?.value).toBe('');
  });

  it("logout ends the session on this node: its cookie and its token are refused afterwards", async () => {
    const { cookie, res } = await login('sam');
    await request(server).get('/api/auth/me').set('Cookie', cookie).expect(200);
    await request(server).post('/api/auth/logout').set('Cookie', cookie).expect(204);
    await request(server).get('/api/auth/me').set('Cookie', cookie).expect(401);
    const refused = await request(server).get('/api/auth/me').set('Authorization', `Bearer ${res.body.accessToken}`).expect(401);
    expect(refused.body.message).toBe('token no longer valid: logged out');
  });

  it("logout records users.logout through the log with the token's own claims, under a command id derived from the token", async () => {
    const { cookie, res } = await login('sam');
    const other = await login('sam');
    const claims = JSON.parse(Buffer.from(String(res.body.accessToken).split('.')[1], 'base64url').toString('utf8')) as { jti: string; exp: number };
    await request(server).post('/api/auth/logout').set('Cookie', cookie).expect(204);
    expect(gateway.calls.at(-1)).toEqual({
      command: { name: 'users.logout', data: { username: 'sam', tokenId: claims.jti, expiresAt: new Date(claims.exp * 1000).toISOString() } },
      actor: { username: 'sam', role: 'student', studentId: 's-1' },
      idempotencyKey: sessionEndCommandId('sam', claims.jti),
    });
    // The same user's other session goes on.
    await request(server).get('/api/auth/me').set('Cookie', other.cookie).expect(200);
  });

  it('logout ends the bearer session of a program the same way, and the Authorization header wins over a cookie', async () => {
    const program = await login('sam');
    const browser = await login('sam');
    const before = gateway.calls.length;
    await request(server).post('/api/auth/logout').set('Authorization', `Bearer ${program.res.body.accessToken}`).set('Cookie', browser.cookie).expect(204);
    expect(gateway.calls.length).toBe(before + 1);
    await request(server).get('/api/auth/me').set('Authorization', `Bearer ${program.res.body.accessToken}`).expect(401);
    await request(server).get('/api/auth/me').set('Cookie', browser.cookie).expect(200);
  });

  it('logout without a valid token records nothing and answers 204', async () => {
    const before = gateway.calls.length;
    await request(server).post('/api/auth/logout').set('Cookie', 'session=not-a-token').expect(204);
    await request(server).post('/api/auth/logout').set('Authorization', 'Basic cm9vdDpwdw==').expect(204);
    expect(gateway.calls.length).toBe(before);
  });

  it('logout the cluster cannot record: 503 with Retry-After saying so, yet the cookies are cleared and this node refuses the token', async () => {
    const { cookie, res } = await login('sam');
    gateway.failWith = new NoQuorumError(2);
    try {
      const out = await request(server).post('/api/auth/logout').set('Cookie', cookie).expect(503);
      expect(out.headers['retry-after']).toBe('2');
      expect(out.body).toEqual(expect.objectContaining({ statusCode: 503, message: expect.stringContaining('not yet recorded cluster-wide') }));
      expect(cookies(out.headers['set-cookie'] as unknown as string[]).get('session')?.value).toBe('');
      gateway.failWith = new UnknownOutcomeError('c-1');
      const again = await request(server).post('/api/auth/logout').set('Authorization', `Bearer ${res.body.accessToken}`).expect(503);
      expect(again.headers['retry-after']).toBe('1');
    } finally {
      gateway.failWith = undefined;
    }
    await request(server).get('/api/auth/me').set('Authorization', `Bearer ${res.body.accessToken}`).expect(401);
    // A retry with the bearer token, once the cluster is back, records it.
    await request(server).post('/api/auth/logout').set('Authorization', `Bearer ${res.body.accessToken}`).expect(204);
    expect(gateway.calls.at(-1)?.command.name).toBe('users.logout');
  });

  it('a web logout the cluster cannot record keeps its token in an HttpOnly cookie sent to the logout route only, so that a retry without the session cookie records it', async () => {
    const { cookie, res } = await login('sam');
    gateway.failWith = new NoQuorumError(2);
    let pending: { value: string; attributes: string } | undefined;
    try {
      const out = await request(server).post('/api/auth/logout').set('Cookie', cookie).expect(503);
      const jar = cookies(out.headers['set-cookie'] as unknown as string[]);
      expect(jar.get('session')?.value).toBe('');
      pending = jar.get('logout_pending');
      expect(pending?.value).toBe(res.body.accessToken);
      expect(pending?.attributes).toContain('httponly');
      expect(pending?.attributes).toContain('samesite=strict');
      expect(pending?.attributes).toContain('path=/api/auth/logout');
      // It authenticates nothing: the node refuses the token, whichever cookie carries it.
      await request(server).get('/api/auth/me').set('Cookie', `session=${encodeURIComponent(pending!.value)}`).expect(401);
      // A retry still without a quorum: 503 again, and the cookie stays for the next one.
      const again = await request(server).post('/api/auth/logout').set('Cookie', `logout_pending=${encodeURIComponent(pending!.value)}`).expect(503);
      expect(cookies(again.headers['set-cookie'] as unknown as string[]).get('logout_pending')?.value).toBe(res.body.accessToken);
    } finally {
      gateway.failWith = undefined;
    }
    const before = gateway.calls.length;
    const retried = await request(server).post('/api/auth/logout').set('Cookie', `logout_pending=${encodeURIComponent(pending!.value)}`).expect(204);
    expect(gateway.calls.length).toBe(before + 1);
    expect(gateway.calls.at(-1)?.command).toEqual(expect.objectContaining({ name: 'users.logout', data: expect.objectContaining({ username: 'sam' }) }));
    const cleared = cookies(retried.headers['set-cookie'] as unknown as string[]).get('logout_pending');
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes).toContain('path=/api/auth/logout');
  });

  /** The tokens a pending-logout cookie holds. */
  const pendingTokens = (setCookie: unknown) => cookies(setCookie as string[]).get('logout_pending')?.value.split(',');
  /** The token ids of the users.logout calls the gateway saw from `from` on. */
  const loggedOutIds = (from: number) => gateway.calls.slice(from).filter((c) => c.command.name === 'users.logout').map((c) => (c.command.data as { tokenId: string }).tokenId);
  const tokenIdOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { jti: string }).jti;

  it('a web logout also records the logout an earlier session left pending, and then clears the pending-logout cookie', async () => {
    const earlier = await login('sam');
    gateway.failWith = new NoQuorumError(1);
    let pending: string;
    try {
      pending = cookies((await request(server).post('/api/auth/logout').set('Cookie', earlier.cookie).expect(503)).headers['set-cookie']).get('logout_pending')!.value;
    } finally {
      gateway.failWith = undefined;
    }
    const later = await login('sam');
    const before = gateway.calls.length;
    const out = await request(server).post('/api/auth/logout').set('Cookie', `${later.cookie}; logout_pending=${encodeURIComponent(pending)}`).expect(204);
    expect(loggedOutIds(before).sort()).toEqual([tokenIdOf(earlier.res.body.accessToken), tokenIdOf(later.res.body.accessToken)].sort());
    expect(cookies(out.headers['set-cookie'] as unknown as string[]).get('logout_pending')?.value).toBe('');
  });

  it('a web logout keeps in the pending-logout cookie every logout it could not record: 503, and nothing is dropped', async () => {
    const earlier = await login('sam');
    const later = await login('sam');
    const earlierId = tokenIdOf(earlier.res.body.accessToken);
    const withPending = `${later.cookie}; logout_pending=${encodeURIComponent(earlier.res.body.accessToken)}`;
    // Neither recorded: both wait in the cookie.
    gateway.failWith = new NoQuorumError(2);
    try {
      const out = await request(server).post('/api/auth/logout').set('Cookie', withPending).expect(503);
      expect(out.headers['retry-after']).toBe('2');
      expect(pendingTokens(out.headers['set-cookie'])).toEqual([earlier.res.body.accessToken, later.res.body.accessToken]);
    } finally {
      gateway.failWith = undefined;
    }
    // The session's own recorded, the earlier one not: the cookie keeps the earlier one alone.
    gateway.failWhen = (call) => ((call.command.data as { tokenId?: string }).tokenId === earlierId ? new UnknownOutcomeError('c-2') : undefined);
    try {
      const out = await request(server).post('/api/auth/logout').set('Cookie', withPending).expect(503);
      expect(pendingTokens(out.headers['set-cookie'])).toEqual([earlier.res.body.accessToken]);
      expect(cookies(out.headers['set-cookie'] as unknown as string[]).get('session')?.value).toBe('');
    } finally {
      gateway.failWhen = undefined;
    }
  });

  it(`the pending-logout cookie holds at most ${PENDING_LOGOUTS_MAX} logouts, the session's own among them`, async () => {
    const sessions = await Promise.all(Array.from({ length: PENDING_LOGOUTS_MAX + 2 }, () => login('sam')));
    const [current, ...earlier] = sessions.map((s) => s.res.body.accessToken as string);
    const before = gateway.calls.length;
    gateway.failWith = new NoQuorumError(1);
    try {
      const cookie = `session=${encodeURIComponent(current)}; logout_pending=${encodeURIComponent(earlier.join(','))}`;
      const out = await request(server).post('/api/auth/logout').set('Cookie', cookie).expect(503);
      const kept = pendingTokens(out.headers['set-cookie'])!;
      expect(kept).toHaveLength(PENDING_LOGOUTS_MAX);
      expect(kept).toContain(current);
      // A cookie longer than that is read up to the bound: no request records more.
      expect(gateway.calls.length - before).toBe(PENDING_LOGOUTS_MAX + 1);
    } finally {
      gateway.failWith = undefined;
    }
  });

  it('a bearer logout the cluster cannot record sets no pending-logout cookie: the program keeps its token', async () => {
    const { res } = await login('sam');
    gateway.failWith = new NoQuorumError(1);
    try {
      const out = await request(server).post('/api/auth/logout').set('Authorization', `Bearer ${res.body.accessToken}`).expect(503);
      expect(cookies(out.headers['set-cookie'] as unknown as string[]).has('logout_pending')).toBe(false);
    } finally {
      gateway.failWith = undefined;
    }
  });

  it("logout of a user the log does not know answers 204 (no session to end anywhere); another refusal 503", async () => {
    const { cookie } = await login('sam');
    gateway.failWith = new DomainRefusal({ code: 'not-found', message: 'user sam does not exist' });
    try {
      await request(server).post('/api/auth/logout').set('Cookie', cookie).expect(204);
      const other = await login('sam');
      gateway.failWith = new DomainRefusal({ code: 'invalid', message: 'UserSessionEnded cannot be written until every node runs this release' });
      const out = await request(server).post('/api/auth/logout').set('Cookie', other.cookie).expect(503);
      expect(out.body.message).toContain('cannot be written until every node runs this release');
    } finally {
      gateway.failWith = undefined;
    }
  });

  it('sends the security headers and a strict Content-Security-Policy', async () => {
    const res = await request(server).get('/api/auth/me');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
