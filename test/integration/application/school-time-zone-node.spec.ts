import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import request from 'supertest';
import { AppModule } from '../../../src/app.module';
import { nodeConfigFromEnv } from '../../../src/config/node-config';
import type { Actor } from '../../../src/domain';
import { configureHttpApp } from '../../../src/http/common/http-api.module';
import { createLogger } from '../../../src/logger';
import { ConsensusNode } from '../../../src/node/consensus-node';
import { dropDatabase } from '../mysql/test-database';
import { randomJwtSecret } from '../../support/jwt-secret';

const admin: Actor = { username: 'root', role: 'admin' };

/** Today in `timeZone`, as Intl says. */
const todayIn = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());

/** A real single-member node started with SCHOOL_TIME_ZONE: its days over HTTP, its status, and its warning after the zone changes. */
describe('a node in the school time zone', () => {
  const id = randomBytes(4).toString('hex');
  const database = `behavior_test_tz_${id}`;
  const env = { JWT_SECRET: randomJwtSecret(), NODE_ID: 'n1', CLUSTER_NODES: 'n1', CLUSTER_NAME: `tz${id}`, API_SUBJECT_PREFIX: `tz${id}`, MYSQL_DATABASE: database, TICK_MS: '5', ADMIN_USERNAME: 'headmaster', ADMIN_PASSWORD: 'bootstrap-secret' };
  let node: ConsensusNode | undefined;
  let app: INestApplication | undefined;
  let token = '';
  let last = 0;

  /** Starts the node on the same database with `timeZone`; answers what it logged at warn level. */
  async function start(timeZone: string): Promise<string[]> {
    const warnings: string[] = [];
    const config = { ...env, SCHOOL_TIME_ZONE: timeZone };
    node = await ConsensusNode.start(nodeConfigFromEnv(config), (level, message) => {
      if (level === 'warn') warnings.push(message);
    });
    app = await NestFactory.create(AppModule.register(node, createLogger('silent', 'n1'), { env: config }), { logger: false });
    configureHttpApp(app);
    await app.init();
    return warnings;
  }

  async function stop(): Promise<void> {
    await app?.close();
    await node?.stop();
    app = undefined;
    node = undefined;
  }

  const get = (path: string) => request(app!.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`).set('X-Min-Position', String(last));

  beforeAll(async () => {
    expect(await start('Asia/Shanghai')).toEqual([]);
    const deadline = Date.now() + 20_000;
    while (token === '' && Date.now() < deadline) {
      const res = await request(app!.getHttpServer()).post('/api/auth/login').send({ username: 'headmaster', password: 'bootstrap-secret' });
      if (res.status === 200) token = String(res.body.accessToken);
      else await new Promise((r) => setTimeout(r, 100));
    }
    const run = (command: Parameters<ConsensusNode['commands']['execute']>[0]) => node!.commands.execute(command, admin).then((a) => (last = Math.max(last, a.position ?? 0)));
    await run({ name: 'students.register', data: { studentId: 's1', name: 'Ada', className: '7a' } });
    await run({ name: 'scores.modify', data: { studentId: 's1', delta: 5, reason: 'helped' } });
  }, 60_000);

  afterAll(async () => {
    await stop();
    await dropDatabase(database);
  });

  it('reports its zone in its status', async () => {
    const status = await get('/api/cluster/status').expect(200);
    expect(status.body.schoolTimeZone).toBe('Asia/Shanghai');
  });

  it("counts today's changes, the class series and the chart in Shanghai's day", async () => {
    const before = todayIn('Asia/Shanghai');
    const history = await get('/api/students/s1/score-history').expect(200);
    const daily = await get('/api/stats/classes/7a/daily?days=2').expect(200);
    const overview = await get('/api/stats/overview').expect(200);
    const after = todayIn('Asia/Shanghai');
    expect([before, after]).toContain(history.body.points.at(-1).day);
    expect(history.body.points.at(-1).score).toBe(105);
    expect([before, after]).toContain(daily.body.days.at(-1).day);
    if (before === after) {
      expect(daily.body.days.at(-1)).toEqual({ day: after, changes: 1, deltaSum: 5, averageScore: 105 });
      expect(overview.body.todayChanges).toBe(1);
    }
  });

  it('warns at start, naming the rebuild, when restarted with another zone than its read models were built in', async () => {
    await stop();
    const warnings = await start('Europe/Berlin');
    const warning = warnings.find((w) => w.includes('SCHOOL_TIME_ZONE'));
    expect(warning).toMatch(/SCHOOL_TIME_ZONE is Europe\/Berlin but student_daily_scores counts days in Asia\/Shanghai/);
    expect(warning).toContain('npm run cli -- projections:rebuild --projection student_daily_scores --node n1');
    await stop();
    expect((await start('Asia/Shanghai')).filter((w) => w.includes('SCHOOL_TIME_ZONE'))).toEqual([]);
  }, 60_000);
});
