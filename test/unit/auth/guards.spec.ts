import { Controller, Get, type INestApplication, ValidationPipe } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { AuthService } from '../../../src/auth/auth.service';
import { JwtKeyRing } from '../../../src/auth/jwt-keys';
import { hashPassword } from '../../../src/auth/password';
import type { Actor } from '../../../src/domain';
import { AuthModule } from '../../../src/http/auth/auth.module';
import { CurrentActor } from '../../../src/http/auth/current-actor.decorator';
import { Public } from '../../../src/http/auth/public.decorator';
import { Roles } from '../../../src/http/auth/roles.decorator';
import { InMemoryCredentials, TEST_SECRET, inMemoryAuth, testKeys } from './auth-test-support';

const nowSeconds = () => Math.floor(Date.now() / 1000);

@Controller('api/things')
class ThingsController {
  @Get('mine')
  mine(@CurrentActor() actor: Actor): Actor {
    return actor;
  }

  @Roles('admin')
  @Get('admin-only')
  adminOnly(): { ok: true } {
    return { ok: true };
  }

  @Roles('teacher', 'club')
  @Get('staff')
  staff(): { ok: true } {
    return { ok: true };
  }

  @Public()
  @Get('open')
  open(): { ok: true } {
    return { ok: true };
  }
}

/** A controller opened as a whole, like health and metrics. */
@Public()
@Controller('health')
class HealthLikeController {
  @Get('live')
  live(): { status: string } {
    return { status: 'ok' };
  }
}

/** A controller for admins, one route of which is for teachers instead. */
@Roles('admin')
@Controller('api/admin')
class AdminController {
  @Get()
  list(): { ok: true } {
    return { ok: true };
  }

  @Roles('teacher')
  @Get('teacher')
  teacher(): { ok: true } {
    return { ok: true };
  }
}

describe('JwtAuthGuard and RolesGuard (Nest app, supertest)', () => {
  let app: INestApplication;
  let credentials: InMemoryCredentials;
  let auth: AuthService;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    credentials = new InMemoryCredentials();
    const passwordHash = await hashPassword('pw-123456');
    credentials.put({ username: 'root', passwordHash, role: 'admin', studentId: null, disabled: false, position: 1 });
    credentials.put({
      username: 'ms.lee',
      passwordHash,
      role: 'teacher',
      studentId: null,
      disabled: false,
      position: 2,
    });
    credentials.put({ username: 'kim', passwordHash, role: 'student', studentId: 's-1', disabled: false, position: 3 });
    auth = inMemoryAuth(credentials);
    const module = await Test.createTestingModule({
      imports: [AuthModule.register(auth)],
      controllers: [ThingsController, HealthLikeController, AdminController],
    }).compile();
    app = module.createNestApplication();
    app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }));
    await app.init();
    for (const username of ['root', 'ms.lee', 'kim'])
      tokens[username] = (await auth.login(username, 'pw-123456')).accessToken;
  });
  afterAll(() => app.close());

  const get = (path: string, token?: string) => {
    const req = request(app.getHttpServer()).get(path);
    return token === undefined ? req : req.set('Authorization', `Bearer ${token}`);
  };

  it('answers 401 in the API.md shape without a token, with a Bearer challenge', async () => {
    const res = await get('/api/things/mine').expect(401);
    expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'missing bearer token' });
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it.each([
    ['garbage', 'not-a-jwt'],
    [
      'signed with another secret',
      new JwtKeyRing([{ kid: 'test', secret: 'another-secret-0123456789abcdefghijklmn' }]).sign({ sub: 'root', role: 'admin', ver: 1 }, nowSeconds(), 60),
    ],
    ['unsigned (alg none)', `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'root', role: 'admin', ver: 1 })}.`],
    ['with forged claims', testKeys().sign({ sub: 'root', role: 'wizard', ver: 1 }, nowSeconds(), 60)],
    ['for a user that does not exist', testKeys().sign({ sub: 'ghost', role: 'admin', ver: 1 }, nowSeconds(), 60)],
    ['with a version the user never had (larger than current)', testKeys().sign({ sub: 'root', role: 'admin', ver: 2 }, nowSeconds(), 60)],
    ['with a huge version', testKeys().sign({ sub: 'root', role: 'admin', ver: Number.MAX_SAFE_INTEGER }, nowSeconds(), 60)],
    ['without a key id', new JwtService({ secret: TEST_SECRET }).sign({ sub: 'root', role: 'admin', ver: 1 })],
    ['naming an unknown key id', new JwtService({ secret: TEST_SECRET }).sign({ sub: 'root', role: 'admin', ver: 1 }, { keyid: 'other' })],
  ])('answers 401 with a bad token (%s)', async (_what, token) => {
    const res = await get('/api/things/mine', token).expect(401);
    expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('answers 401 for an Authorization header of another scheme', async () => {
    await request(app.getHttpServer()).get('/api/things/mine').set('Authorization', 'Basic cm9vdDpwdw==').expect(401);
  });

  it('sets the actor from a good token (200)', async () => {
    await get('/api/things/mine', tokens['ms.lee']).expect(200, { username: 'ms.lee', role: 'teacher' });
    await get('/api/things/mine', tokens.kim).expect(200, { username: 'kim', role: 'student', studentId: 's-1' });
  });

  it('answers 403 for the wrong role and 200 for the right one', async () => {
    const res = await get('/api/things/admin-only', tokens['ms.lee']).expect(403);
    expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'role teacher may not do this' });
    await get('/api/things/admin-only', tokens.kim).expect(403);
    await get('/api/things/admin-only', tokens.root).expect(200, { ok: true });
    await get('/api/things/staff', tokens['ms.lee']).expect(200);
    await get('/api/things/staff', tokens.root).expect(403);
  });

  it('checks the token before the role: no token on a role route is 401, not 403', async () => {
    await get('/api/things/admin-only').expect(401);
  });

  it('lets a class-level @Roles apply, and a method-level @Roles override it', async () => {
    await get('/api/admin', tokens.root).expect(200);
    await get('/api/admin', tokens['ms.lee']).expect(403);
    await get('/api/admin/teacher', tokens['ms.lee']).expect(200);
    await get('/api/admin/teacher', tokens.root).expect(403);
  });

  it('opens @Public routes and controllers to anyone, token or not', async () => {
    await get('/api/things/open').expect(200, { ok: true });
    await get('/api/things/open', 'garbage').expect(200);
    await get('/health/live').expect(200, { status: 'ok' });
  });

  it('voids a token at once when the user is disabled or their role changes', async () => {
    const { accessToken } = await auth.login('ms.lee', 'pw-123456');
    const lee = (await credentials.find('ms.lee'))!;
    credentials.put({ ...lee, role: 'club', position: 10 });
    await get('/api/things/mine', accessToken).expect(401);
    credentials.put({ ...lee, disabled: true, position: 11 });
    await get('/api/things/mine', accessToken).expect(401);
    credentials.put(lee);
  });

  describe('POST /api/auth/login', () => {
    const login = (body: unknown) =>
      request(app.getHttpServer())
        .post('/api/auth/login')
        .send(body as object);

    it('answers 200 {accessToken, expiresIn, role} for good credentials, and the token works', async () => {
      const res = await login({ username: 'ms.lee', password: 'pw-123456' }).expect(200);
      expect(res.body).toEqual({ accessToken: expect.any(String), expiresIn: 3600, role: 'teacher' });
      await get('/api/things/mine', res.body.accessToken).expect(200);
    });

    it('answers the same 401 for a wrong password and an unknown user', async () => {
      const wrong = await login({ username: 'ms.lee', password: 'nope' }).expect(401);
      const unknown = await login({ username: 'nobody', password: 'pw-123456' }).expect(401);
      const body = { statusCode: 401, error: 'Unauthorized', message: 'invalid username or password' };
      expect(wrong.body).toEqual(body);
      expect(unknown.body).toEqual(body);
    });

    it.each([
      ['a missing password', { username: 'ms.lee' }],
      ['a number for a username', { username: 42, password: 'pw-123456' }],
      ['an empty username', { username: '', password: 'pw-123456' }],
      ['a huge password', { username: 'ms.lee', password: 'x'.repeat(2000) }],
      ['an unknown field', { username: 'ms.lee', password: 'pw-123456', role: 'admin' }],
    ])('answers 400 for %s', async (_what, body) => {
      const res = await login(body).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });
  });
});

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
