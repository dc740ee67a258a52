import { localAdminEnv } from '../../src/cluster/node-process';
import { E2eCluster, randomToken, waitFor } from './cluster-harness';

/** Write answers tell the client which node leads: `X-Leader-Id`, and `X-Leader-Url` once known. */
describe('leader hint on REST writes (3-node cluster)', () => {
  let cluster: E2eCluster;
  const run = randomToken();

  beforeAll(async () => {
    cluster = await E2eCluster.start({ label: 'hint' });
  });
  afterAll(() => cluster?.stop());

  /** POSTs JSON to node `id` as `token`. */
  async function post(id: string, path: string, body: unknown, token?: string): Promise<Response> {
    return fetch(`http://127.0.0.1:${cluster.port(id)}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
  }

  it('given a write sent to a follower, then its answer names the leader by id and by its HTTP URL', async () => {
    const leader = await cluster.waitForLeader();
    const follower = cluster.ids.find((id) => id !== leader)!;
    const admin = localAdminEnv();
    let token = '';
    await waitFor('admin login on the follower', async () => {
      const answer = await post(follower, '/api/auth/login', { username: admin.ADMIN_USERNAME, password: admin.ADMIN_PASSWORD });
      if (answer.ok) token = ((await answer.json()) as { accessToken: string }).accessToken;
      return answer.ok;
    }, 30_000, 200);

    const hints: { status: number; id: string | null; url: string | null }[] = [];
    await waitFor('a write answer with X-Leader-Url', async () => {
      const answer = await post(follower, '/api/students', { studentId: `hint-${run}-${hints.length}`, name: 'Hint', className: 'h' }, token);
      hints.push({ status: answer.status, id: answer.headers.get('x-leader-id'), url: answer.headers.get('x-leader-url') });
      return hints[hints.length - 1].url !== null;
    }, 20_000, 100);
    const last = hints[hints.length - 1];
    expect(last).toEqual({ status: 201, id: leader, url: `http://127.0.0.1:${cluster.port(leader)}` });
    expect(hints.every((h) => h.id === leader)).toBe(true);

    const onLeader = await post(leader, '/api/students', { studentId: `hint-${run}-leader`, name: 'Hint', className: 'h' }, token);
    expect([onLeader.status, onLeader.headers.get('x-leader-id'), onLeader.headers.get('x-leader-url')]).toEqual([201, leader, `http://127.0.0.1:${cluster.port(leader)}`]);
  });
});
