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

/** The start page's figures, the charts and the CSV exports over HTTP, on a real single-member node. */
describe('stats and CSV exports over the read models', () => {
  const id = randomBytes(4).toString('hex');
  let node: ConsensusNode;
  let app: INestApplication;
  let token = '';
  let last = 0;

  beforeAll(async () => {
    const env = { JWT_SECRET: randomJwtSecret(), NODE_ID: 'n1', CLUSTER_NODES: 'n1', CLUSTER_NAME: `se${id}`, API_SUBJECT_PREFIX: `se${id}`, MYSQL_DATABASE: `behavior_test_se_${id}`, TICK_MS: '5', ADMIN_USERNAME: 'headmaster', ADMIN_PASSWORD: 'bootstrap-secret' };
    node = await ConsensusNode.start(nodeConfigFromEnv(env), () => undefined);
    app = await NestFactory.create(AppModule.register(node, createLogger('silent', 'n1'), { env }), { logger: false });
    configureHttpApp(app);
    await app.init();
    const deadline = Date.now() + 20_000;
    while (token === '' && Date.now() < deadline) {
      const res = await request(app.getHttpServer()).post('/api/auth/login').send({ username: 'headmaster', password: 'bootstrap-secret' });
      if (res.status === 200) token = String(res.body.accessToken);
      else await new Promise((r) => setTimeout(r, 100));
    }
    const run = (command: Parameters<ConsensusNode['commands']['execute']>[0]) => node.commands.execute(command, admin).then((a) => (last = Math.max(last, a.position ?? 0)));
    await run({ name: 'students.register', data: { studentId: 's1', name: 'Ada, "the first"', className: '7a' } });
    await run({ name: 'students.register', data: { studentId: 's2', name: '=HYPERLINK("http://x")', className: '7a', initialScore: 10 } });
    await run({ name: 'students.register', data: { studentId: 's3', name: '王小明', className: '7b', initialScore: 195 } });
    await run({ name: 'scores.modify', data: { studentId: 's1', delta: 5, reason: 'helped\nline two' } });
    await run({ name: 'scores.modify', data: { studentId: 's1', delta: -2, reason: '+cmd' } });
    await run({ name: 'applications.submit', data: { studentId: 's2', delta: 1, reason: 'pending one' } } as never).catch(() => undefined);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await node?.stop();
    await dropDatabase(`behavior_test_se_${id}`);
  });

  const get = (path: string) => request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`).set('X-Min-Position', String(last));

  it('the overview: today changes, class averages, students near the bounds', async () => {
    const res = await get('/api/stats/overview').expect(200);
    expect(res.body).toMatchObject({ todayChanges: 2, pendingReviews: 0, scoreRange: { min: 0, max: 200 }, margin: 20 });
    expect(res.body.classes).toEqual([
      { className: '7a', students: 2, averageScore: (103 + 10) / 2 },
      { className: '7b', students: 1, averageScore: 195 },
    ]);
    expect(res.body.nearBounds.map((s: { studentId: string }) => s.studentId)).toEqual(['s3', 's2']);
  });

  it("a class's daily series and a student's score history", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const daily = await get('/api/stats/classes/7a/daily?days=3').expect(200);
    expect(daily.body.days).toHaveLength(3);
    expect(daily.body.days.at(-1)).toEqual({ day: today, changes: 2, deltaSum: 3, averageScore: 56.5 });
    expect(daily.body.days[0]).toMatchObject({ changes: 0, averageScore: null });
    const history = await get('/api/students/s1/score-history').expect(200);
    expect(history.body).toEqual({ studentId: 's1', points: [{ day: today, score: 103 }] });
    await get('/api/stats/classes/7a/daily?days=0').expect(400);
  });

  it('students.csv: UTF-8 with a BOM, quoted cells, formulas defused', async () => {
    const res = await get('/api/students.csv?className=7a').buffer(true).parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/csv; charset=utf-8/);
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = body.toString('utf8').slice(1);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('studentId,name,className,score,initialScore,frozen,archived,updatedAt');
    expect(lines[1]).toMatch(/^s1,"Ada, ""the first""",7a,103,100,false,false,/);
    expect(lines[2]).toMatch(/^s2,"'=HYPERLINK\(""http:\/\/x""\)",7a,10,10,/);
    expect(lines).toHaveLength(4);
    const all = await get('/api/students.csv').expect(200);
    expect(all.text).toContain('王小明');
  });

  it("records.csv: a student's changes oldest first, line breaks quoted, formulas defused; 404 for an unknown student", async () => {
    const res = await get('/api/students/s1/records.csv').expect(200);
    const lines = res.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('position,at,delta,newScore,reason,reasonCode,source,actor,actorRole,applicationId,sagaId');
    expect(lines[1]).toMatch(/,5,105,"helped\nline two",,direct,root,admin,,$/);
    expect(lines[2]).toMatch(/,-2,103,'\+cmd,,direct,root,admin,,$/);
    await get('/api/students/nobody/records.csv').expect(404);
  });
});
