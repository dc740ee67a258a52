import { LOCAL_ADMIN } from '../cluster/node-process';
import { startBenchCluster } from './our-cluster';

/** The review queue's budget: navigation to rows on screen that answer a click. */
export const REVIEW_QUEUE_USABLE_BUDGET_MS = 1000;

/** What the review-queue part of `--only web` measures. */
export interface ReviewQueueResult {
  readonly pendingApplications: number;
  /** Rows the queue's first page shows. */
  readonly rowsShown: number;
  /** Each navigation: ms from navigation start to the rows rendered, and to a row selected by a click. */
  readonly runs: { readonly rowsRenderedMs: number; readonly usableMs: number; readonly milestones: Record<string, number> }[];
  /** The first (cold: the queue's chunk not yet cached) and the median of the runs. */
  readonly firstUsableMs: number;
  readonly medianUsableMs: number;
}

// Functions passed to page.waitForFunction run in the page, where the DOM exists.
declare const document: { querySelectorAll(selector: string): { length: number }; querySelector(selector: string): { click(): void } | null };
declare function requestAnimationFrame(callback: () => void): number;

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const STUDENTS = 50;
const SUBMIT_IN_FLIGHT = 32;
const TEACHER = { username: 'bench-teacher', password: 'bench-teacher-password-1' };
const WAIT_MS = 120_000;
const POLL_MS = 200;
/** Rows the queue shows on its first page (REVIEW_PAGE_ROWS of web/src/features/applications/components/review-queue.tsx). */
const QUEUE_PAGE_ROWS = 20;

/**
 * A fresh 3-node cluster with `applications` pending applications (a teacher's, over REST), then
 * headless Chromium logs in as the admin and opens the review queue `runs` times: each time the
 * ms from navigation start (the page's `performance.now()`) until the first page's rows are
 * rendered, and until a click on a row's checkbox has selected it (the queue is usable).
 */
export async function benchReviewQueue(mysqlUrl: string, natsUrl: string, out: (line: string) => void, applications = 500, runs = 5): Promise<ReviewQueueResult> {
  const cluster = await startBenchCluster(mysqlUrl, natsUrl);
  try {
    const ids = Array.from({ length: STUDENTS }, (_, i) => `rq-${i + 1}`);
    await Promise.all(ids.map((studentId) => cluster.post('/api/students', { studentId, name: `学生 ${studentId}`, className: 'bench' })));
    await cluster.post('/api/users', { ...TEACHER, role: 'teacher', displayName: 'Bench Teacher' });
    const port = cluster.nodes[0]!.port ?? 0;
    const teacher = await loginWhenReady(port, TEACHER);
    const started = Date.now();
    for (let i = 0; i < applications; i += SUBMIT_IN_FLIGHT) {
      const batch = Array.from({ length: Math.min(SUBMIT_IN_FLIGHT, applications - i) }, (_, j) => i + j);
      await Promise.all(batch.map((n) => call(cluster.nodes[n % cluster.nodes.length]!.port ?? 0, 'POST', '/api/applications', teacher, { studentId: ids[n % ids.length], delta: 1 + (n % 5), reason: `课堂表现 ${n}` })));
    }
    out(`submitted ${applications} applications in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await waitPending(port, await loginWhenReady(port, LOCAL_ADMIN), applications);
    return await measure(`http://127.0.0.1:${port}`, applications, runs, out);
  } finally {
    await cluster.stop();
  }
}

async function measure(base: string, applications: number, runs: number, out: (line: string) => void): Promise<ReviewQueueResult> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    await page.goto(`${base}/login`);
    await page.getByLabel('用户名').fill(LOCAL_ADMIN.username);
    await page.getByLabel('密码').fill(LOCAL_ADMIN.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    const rowsShown = Math.min(QUEUE_PAGE_ROWS, applications);
    const results: ReviewQueueResult['runs'][number][] = [];
    const profile = process.env.BENCH_WEB_PROFILE === '1' ? await context.newCDPSession(page) : null;
    for (let run = 0; run < runs; run++) {
      if (profile !== null && run === runs - 1) {
        await profile.send('Profiler.enable');
        await profile.send('Profiler.setSamplingInterval', { interval: 200 });
        await profile.send('Profiler.start');
      }
      await page.goto(`${base}/admin/reviews`, { waitUntil: 'commit' });
      await page.waitForFunction((n) => document.querySelectorAll('.ant-table-tbody tr.ant-table-row').length >= n, rowsShown, { polling: 'raf' });
      const rowsRenderedMs = await page.evaluate(() => performance.now());
      // A click on the first row's checkbox, dispatched in the page: it runs once the main thread
      // is free, so the time is when a user's click would have been handled and shown.
      const usableMs = await page.evaluate(clickFirstRowAndWait, WAIT_MS);
      const milestones = await page.evaluate(milestonesOf);
      if (profile !== null && run === runs - 1) out(hottest((await profile.send('Profiler.stop')).profile as CpuProfile));
      results.push({ rowsRenderedMs: Math.round(rowsRenderedMs), usableMs: Math.round(usableMs), milestones });
      out(
        `review queue run ${run + 1}: ${rowsShown} rows rendered at ${Math.round(rowsRenderedMs)} ms, a row selected by a click at ${Math.round(usableMs)} ms ` +
          `(${Object.entries(milestones).map(([k, v]) => `${k} ${v}`).join(', ')})`,
      );
    }
    const sorted = results.map((r) => r.usableMs).sort((a, b) => a - b);
    return { pendingApplications: applications, rowsShown, runs: results, firstUsableMs: results[0]!.usableMs, medianUsableMs: sorted[Math.floor(sorted.length / 2)]! };
  } finally {
    await browser.close();
  }
}

/**
 * Clicks the first row's checkbox and resolves at the first animation frame showing the row
 * selected: ms from navigation start (run in the page).
 */
function clickFirstRowAndWait(timeoutMs: number): Promise<number> {
  const box = document.querySelector('.ant-table-tbody tr.ant-table-row input[type="checkbox"]');
  if (box === null) throw new Error('no row checkbox');
  box.click();
  const began = performance.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (document.querySelectorAll('.ant-table-tbody tr.ant-table-row-selected').length === 1) resolve(performance.now());
      else if (performance.now() - began > timeoutMs) reject(new Error('the row was not selected'));
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}

/**
 * When the page's parts had arrived, in ms from navigation start (run in the page): the document,
 * the last script, the session check and the queue's first page.
 */
function milestonesOf(): Record<string, number> {
  const entries = (performance as unknown as { getEntriesByType(type: string): { name: string; responseEnd: number; domContentLoadedEventEnd?: number }[] })
    .getEntriesByType('resource');
  const nav = (performance as unknown as { getEntriesByType(type: string): { domContentLoadedEventEnd: number }[] }).getEntriesByType('navigation')[0];
  const last = (match: (name: string) => boolean) => Math.round(Math.max(0, ...entries.filter((e) => match(e.name)).map((e) => e.responseEnd)));
  return {
    domContentLoaded: Math.round(nav?.domContentLoadedEventEnd ?? 0),
    scripts: last((n) => n.endsWith('.js')),
    session: last((n) => n.includes('/api/auth/me')),
    queue: last((n) => n.includes('/api/applications')),
  };
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** The functions with the most self time in a CPU profile (BENCH_WEB_PROFILE=1), for finding why the queue is slow. */
function hottest(profile: CpuProfile, count = 25): string {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byName = new Map<string, number>();
  for (const node of profile.nodes) {
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\//, '')}:${f.lineNumber}`;
    byName.set(key, (byName.get(key) ?? 0) + (self.get(node.id) ?? 0));
  }
  return [...byName.entries()].sort((a, b) => b[1] - a[1]).slice(0, count).map(([k, us]) => `  ${(us / 1000).toFixed(1)} ms  ${k}`).join('\n');
}

/** Logs in, retrying while a just-created user is not yet readable on that node. */
async function loginWhenReady(port: number, who: { username: string; password: string }): Promise<string> {
  const until = Date.now() + WAIT_MS;
  for (let attempt = 0; Date.now() < until && attempt < WAIT_MS / POLL_MS; attempt++) {
    const response = await fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(who) });
    if (response.ok) return ((await response.json()) as { accessToken: string }).accessToken;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`${who.username} could not log in within ${WAIT_MS / 1000} s`);
}

/** Waits until the node's read model lists `count` pending applications. */
async function waitPending(port: number, token: string, count: number): Promise<void> {
  const until = Date.now() + WAIT_MS;
  let total = 0;
  for (let attempt = 0; Date.now() < until && attempt < WAIT_MS / POLL_MS; attempt++) {
    total = Number((await call(port, 'GET', '/api/applications?status=pending&page=1&pageSize=1', token)).total);
    if (total >= count) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`only ${total} of ${count} applications pending after ${WAIT_MS / 1000} s`);
}

async function call(port: number, method: string, path: string, token: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}
