import request from 'supertest';
import { PAGE_ROWS_MAX } from '../../../src/projections';
import { ACTORS, ACTOR_HEADER, type TestApi, startTestApi } from './http-test-app';

/** Every paged list of the REST API, with an actor who may read it. */
const PAGED = [
  ['/api/students', ACTORS.admin],
  ['/api/students/s-1/records', ACTORS.student],
  ['/api/applications', ACTORS.teacher],
  ['/api/archives', ACTORS.admin],
] as const;

describe('paged lists read the first PAGE_ROWS_MAX rows at most', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.app.close());

  const get = (path: string, actor: string, query: string) => request(api.server).get(`${path}?${query}`).set(ACTOR_HEADER, actor);

  it.each(PAGED)('GET %s: a page past the bound (page 1,000,000, or page * pageSize > PAGE_ROWS_MAX) is a 400 that says why', async (path, actor) => {
    for (const query of ['page=1000000', `page=${PAGE_ROWS_MAX / 20 + 1}`, `page=${PAGE_ROWS_MAX / 100 + 1}&pageSize=100`, `page=${PAGE_ROWS_MAX}&pageSize=1&page=2`]) {
      const res = await get(path, actor, query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(JSON.stringify(res.body)).toMatch(/page \* pageSize must be at most 10000/);
    }
  });

  it.each(PAGED)('GET %s: the last page within the bound is answered', async (path, actor) => {
    for (const query of [`page=${PAGE_ROWS_MAX / 20}`, `page=${PAGE_ROWS_MAX / 100}&pageSize=100`, `page=${PAGE_ROWS_MAX}&pageSize=1`]) {
      const res = await get(path, actor, query);
      expect({ query, status: res.status }).toEqual({ query, status: 200 });
    }
  });
});
