import { Writable } from 'node:stream';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { sql } from 'kysely';
import request from 'supertest';
import { AuthService } from '../../../src/auth/auth.service';
import { CredentialsProjector } from '../../../src/auth/credentials-projector';
import { CredentialsRepository } from '../../../src/auth/credentials-repository';
import { JwtKeyRing } from '../../../src/auth/jwt-keys';
import { hashPassword } from '../../../src/auth/password';
import { USER_STREAM, domainEvent } from '../../../src/domain';
import { AuthModule } from '../../../src/http/auth/auth.module';
import { CurrentActor } from '../../../src/http/auth/current-actor.decorator';
import { ApiExceptionFilter } from '../../../src/http/common/api-exception.filter';
import { configureHttpApp } from '../../../src/http/common/http-api.module';
import { createLogger, scrubSecrets } from '../../../src/logger';
import { PinoLoggerService } from '../../../src/logger-service';
import { TestEventLog } from '../projections/projection-test-support';
import { type AuthTestDatabase, createAuthTestDatabase } from '../auth/auth-test-database';
import { randomJwtSecret } from '../../support/jwt-secret';

const PASSWORD = 'Tr0ub4dor&3-never-in-a-log';

@Controller('api/whoami')
class WhoAmIController {
  @Get()
  get(@CurrentActor() actor: object): object {
    return actor;
  }
}

/**
 * The node's logging chain (pino with its redaction, Nest's logger over it, the global exception filter),
 * the real auth guard over the credentials in MySQL, and a database that fails under it: every
 * request then ends in a 500 that is logged with the request.
 */
describe('no credential reaches a log line (real MySQL, a database that fails)', () => {
  let test: AuthTestDatabase;
  let app: INestApplication;
  const lines: string[] = [];

  beforeAll(async () => {
    test = await createAuthTestDatabase();
    const log = new TestEventLog(test.db);
    const at = '2025-03-01T08:00:00.000Z';
    const passwordHash = await hashPassword(PASSWORD);
    await log.append([[domainEvent(USER_STREAM, 'kim', 'UserCreated', { username: 'kim', passwordHash, role: 'teacher', displayName: 'Kim', actor: { username: 'root', role: 'admin' }, at })]]);
    await new CredentialsProjector(test.credentials).catchUp();
    const auth = new AuthService(new CredentialsRepository(test.credentials), new JwtKeyRing([{ kid: 'k1', secret: randomJwtSecret() }]), { expiresInSeconds: 600 });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createLogger('info', 'n1', sink);
    const moduleRef = await Test.createTestingModule({
      imports: [AuthModule.register(auth)],
      controllers: [WhoAmIController],
      providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
    }).compile();
    app = moduleRef.createNestApplication({ bufferLogs: true });
    app.useLogger(new PinoLoggerService(logger));
    configureHttpApp(app);
    await app.init();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await test?.drop();
  });

  it('logs the 500s of a token check and a login on a broken database without the token or the password', async () => {
    const login = await request(app.getHttpServer()).post('/api/auth/login').send({ username: 'kim', password: PASSWORD }).expect(200);
    const token = (login.body as { accessToken: string }).accessToken;
    await request(app.getHttpServer()).get('/api/whoami').set('Authorization', `Bearer ${token}`).expect(200);

    await sql`DROP TABLE user_credentials`.execute(test.db); // the credentials can no longer be read
    await request(app.getHttpServer()).get('/api/whoami').set('Authorization', `Bearer ${token}`).set('Cookie', `session=${token}`).expect(500);
    await request(app.getHttpServer()).post('/api/auth/login').send({ username: 'kim', password: PASSWORD }).expect(500);

    const errors = lines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(errors.length).toBeGreaterThanOrEqual(2); // both 500s were logged, with their request
    expect(errors.join('\n')).toMatch(/user_credentials/);
    const all = lines.join('\n');
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.split('.')[2]);
    expect(all).not.toContain(PASSWORD);
  }, 60_000);
});

describe('scrubSecrets', () => {
  it('removes bearer tokens and JWT-shaped text from free text', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJraW0ifQ.c2lnbmF0dXJl';
    expect(scrubSecrets(`header was Bearer ${jwt} and ${jwt}`)).toBe('header was Bearer [Redacted] and [Redacted]');
    expect(scrubSecrets('authorization: bearer abc.def+/=')).toBe('authorization: bearer [Redacted]');
    expect(scrubSecrets('nothing secret here')).toBe('nothing secret here');
  });
});
