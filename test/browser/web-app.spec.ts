import type { Browser, BrowserContext, Page } from 'playwright-core';
import { E2eCluster, report } from '../e2e/cluster-harness';
import { type AxeProblem, assertBrowserAndAppBuilt, axeProblems, launchChromium, newContext, screenshot } from './browser-support';

// Functions passed to page.waitForFunction run in the page, where this exists.
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
/**
 * The web app in a real headless Chromium against a real 3-node cluster: the admin (zh-CN) sets
 * up students, a teacher and a reason; the teacher awards three students from a phone-sized
 * window; the admin sees the applications arrive live and reviews them; the student sees the new
 * score, chart point and record; a batch naming a missing student compensates; the leader is
 * killed and the monitor names another while the portals keep working. axe-core checks every
 * page, and every page is saved as a PNG under test-results/screenshots.
 */
const UI_TIMEOUT_MS = 30_000;
const ADMIN = { username: 'admin', password: 'admin-password' };
const TEACHER = { username: 'teacher-kim', password: 'teacher-pass-1' };
const STUDENT = { username: 'stu-ada', password: 'student-pass-1' };
const STUDENTS = [
  { id: 's-1', name: '林小雨', className: '7A' },
  { id: 's-2', name: '王大山', className: '7A' },
  { id: 's-3', name: '陈晓明', className: '7A' },
];
const REASON = { code: 'help-others', zh: '帮助同学', en: 'Helped others', delta: 2 };

describe('the web app in Chromium against a 3-node cluster', () => {
  let cluster: E2eCluster;
  let browser: Browser;
  let base: string;
  const contexts: BrowserContext[] = [];
  const problems: AxeProblem[] = [];
  const pagesChecked: string[] = [];

  beforeAll(async () => {
    assertBrowserAndAppBuilt();
    cluster = await E2eCluster.start({ label: 'web', env: { PROPOSAL_TIMEOUT_MS: '3000' } });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close().catch(() => {});
    await cluster?.stop();
  }, 60_000);

  /** axe-core and a screenshot of the page as it is now. */
  async function checkPage(page: Page, name: string): Promise<void> {
    await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => {});
    await page.waitForTimeout(300);
    problems.push(...(await axeProblems(page, name)));
    pagesChecked.push(name);
    await screenshot(page, name);
  }

  async function open(options: { phone?: boolean; locale?: string } = {}): Promise<Page> {
    const context = await newContext(browser, options);
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    return page;
  }

  async function login(page: Page, who: { username: string; password: string }, labels = { user: '用户名', pass: '密码', submit: '登录' }): Promise<void> {
    await page.goto(`${base}/`);
    await page.getByLabel(labels.user).fill(who.username);
    await page.getByLabel(labels.pass).fill(who.password);
    await page.getByRole('button', { name: labels.submit }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  }

  /** Follows a menu entry, through the menu's overflow ("…") when the window is too narrow. */
  async function nav(page: Page, label: string): Promise<void> {
    const item = page.getByRole('navigation').getByRole('menuitem', { name: label, exact: true });
    if (await item.isVisible()) return item.click();
    await page.getByRole('navigation').locator('.ant-menu-overflow-item-rest').click();
    await page.locator('.ant-menu-submenu-popup').getByRole('menuitem', { name: label, exact: true }).click();
  }

  it(
    'serves every portal, live, through a leader failover, accessibly',
    () =>
      cluster.diagnose(async () => {
        const leader0 = await cluster.waitForLeader(30_000);
        const origin = cluster.ids.find((id) => id !== leader0)!;
        base = `http://127.0.0.1:${cluster.port(origin)}`;
        report(`browser origin ${origin} (${base}), leader ${leader0}`);

        // 1. The admin logs in (zh-CN), registers students, creates a teacher, a student user and a reason.
        const admin = await open();
        await admin.goto(`${base}/`);
        await admin.getByRole('heading', { name: '行为积分' }).waitFor();
        await checkPage(admin, '01-login-zh');
        await login(admin, ADMIN);
        await admin.getByRole('navigation').getByText('概览').waitFor();
        await nav(admin, '学生');
        for (const s of STUDENTS) {
          await admin.getByRole('textbox', { name: '学号' }).fill(s.id);
          await admin.getByRole('textbox', { name: '姓名' }).fill(s.name);
          await admin.getByRole('textbox', { name: '班级' }).fill(s.className);
          await admin.getByRole('button', { name: '登记学生' }).click();
          await admin.getByRole('cell', { name: s.name, exact: true }).waitFor();
        }
        await checkPage(admin, '05-admin-students');

        await nav(admin, '用户');
        const createUser = async (u: { username: string; password: string }, displayName: string, role: string, studentId?: string) => {
          await admin.getByRole('textbox', { name: '用户名' }).fill(u.username);
          await admin.getByRole('textbox', { name: '显示名称' }).fill(displayName);
          await admin.getByLabel('角色', { exact: true }).click();
          await admin.locator(`.ant-select-item-option[title="${role}"]`).click();
          if (studentId) await admin.getByRole('textbox', { name: '学号（学生用户）' }).fill(studentId);
          await admin.locator('input#password').fill(u.password);
          await admin.getByRole('button', { name: '创建用户' }).click();
          await admin.getByText(`用户 ${u.username} 已创建`).waitFor();
          await admin.getByRole('cell', { name: u.username, exact: true }).waitFor();
        };
        await createUser(TEACHER, '金老师', '老师');
        await createUser(STUDENT, '林小雨', '学生', 's-1');
        await checkPage(admin, '07-admin-users');

        await nav(admin, '事由');
        await admin.getByRole('button', { name: '新增事由' }).click();
        const dialog = admin.getByRole('dialog');
        await dialog.getByLabel('代码').fill(REASON.code);
        await dialog.getByLabel('中文名称').fill(REASON.zh);
        await dialog.getByLabel('英文名称').fill(REASON.en);
        await dialog.getByLabel('默认分值').fill(String(REASON.delta));
        await dialog.getByRole('button', { name: '保存' }).click();
        await admin.getByRole('cell', { name: REASON.zh, exact: true }).waitFor();
        await checkPage(admin, '08-admin-reasons');

        // The admin waits on the review queue: what arrives must arrive without a reload.
        await nav(admin, '审核');
        await admin.getByText('没有待审核的申请。').waitFor();

        // 2. The teacher awards three students with that reason from a phone-sized window.
        const teacher = await open({ phone: true });
        await login(teacher, TEACHER);
        for (const s of STUDENTS) await teacher.getByRole('checkbox', { name: `选择 ${s.name}` }).check();
        await teacher.getByText('已选 3 人').waitFor();
        await teacher.getByLabel('从事由库选择').click();
        await teacher.locator(`.ant-select-item-option[title="${REASON.zh}"]`).click();
        await checkPage(teacher, '03-teacher-award-phone');
        await teacher.getByRole('button', { name: '提交审核' }).click();
        await teacher.getByText('已提交 3 条申请').waitFor();

        // 3. Three applications appear in the admin's queue without a reload; two approved, one rejected.
        const queueRows = admin.locator('.ant-table-tbody tr.ant-table-row');
        await admin.waitForFunction(() => document.querySelectorAll('.ant-table-tbody tr.ant-table-row').length === 3, undefined, { timeout: UI_TIMEOUT_MS });
        expect(await queueRows.count()).toBe(3);
        await checkPage(admin, '04-admin-review-queue');
        for (const s of STUDENTS.slice(0, 2)) await admin.locator('tr', { hasText: `(${s.id})` }).getByRole('checkbox').check();
        await admin.getByRole('button', { name: '通过所选（2）' }).click();
        await admin.waitForFunction(() => document.querySelectorAll('.ant-table-tbody tr.ant-table-row').length === 1);
        await admin.getByLabel('审核意见').fill('事由不充分');
        await admin.locator('tr', { hasText: `(${STUDENTS[2]!.id})` }).getByRole('button', { name: /^驳回/ }).click();
        await admin.getByText('没有待审核的申请。').waitFor();

        // The teacher sees the statuses change, with the reviewer's comment.
        await nav(teacher, '我的申请');
        await teacher.getByText('已驳回').waitFor();
        await teacher.getByText('事由不充分', { exact: false }).waitFor();
        expect(await teacher.getByText('已通过').count()).toBe(2);
        await checkPage(teacher, '03b-teacher-applications-phone');

        // 4. The student sees the new score, the new point on the chart and the record.
        const student = await open({ phone: true });
        await login(student, STUDENT);
        await student.getByText(String(100 + REASON.delta), { exact: true }).first().waitFor();
        await student.locator('[role="img"][aria-label*="102"]').waitFor();
        const record = student.locator('.ant-list-item', { hasText: REASON.zh });
        await record.getByText('+2').waitFor();
        await record.getByText(/admin \(管理员\) · .* · 申请/).waitFor();
        await checkPage(student, '02-student-portal-phone');

        // 5. A batch naming a missing student compensates, shown live.
        await nav(admin, '批量与归档');
        await admin.getByRole('radio', { name: '指定学生' }).check();
        await admin.getByLabel('学号，每行一个或用逗号分隔').fill('s-2\ns-missing');
        await admin.getByRole('spinbutton', { name: '分值变化' }).fill('3');
        await admin.getByRole('textbox', { name: '事由' }).fill('运动会');
        await admin.getByRole('button', { name: '开始批量调整' }).click();
        await admin.getByText('状态：已补偿').waitFor({ timeout: 60_000 });
        await admin.getByText('s-missing', { exact: false }).first().waitFor();
        await checkPage(admin, '06-admin-batch-compensated');

        await nav(admin, '集群监控');
        await admin.getByText(`领导者: ${leader0}`).first().waitFor();
        await checkPage(admin, '12-cluster-monitor');

        // 6. The leader process is killed: the monitor names a new leader; the portals keep working.
        await cluster.kill(leader0, 'SIGKILL');
        const killedAt = Date.now();
        await admin.waitForFunction(
          (old) => {
            const text = document.body.innerText;
            const m = /领导者: (n\d+)/.exec(text);
            return m !== null && m[1] !== old;
          },
          leader0,
          { timeout: 30_000 },
        );
        report(`monitor named a new leader ${Date.now() - killedAt} ms after the kill`);
        await checkPage(admin, '13-cluster-monitor-after-failover');
        // The monitor on a phone: one card per node, the killed one marked, nothing wider than the screen.
        await admin.setViewportSize({ width: 375, height: 812 });
        await admin.getByRole('region', { name: `节点 ${leader0}` }).getByText('无应答').waitFor();
        // The charts follow their box on the next resize callback: wait (bounded) for the layout to settle.
        await admin.waitForFunction(() => document.documentElement.scrollWidth <= 375, undefined, { timeout: 10_000 });
        await checkPage(admin, '13b-cluster-monitor-phone');
        await admin.setViewportSize({ width: 1280, height: 860 });
        await nav(teacher, '加减分');
        await teacher.getByRole('checkbox', { name: `选择 ${STUDENTS[0]!.name}` }).check();
        await teacher.getByLabel('或自行填写事由').fill('课堂积极发言');
        await teacher.getByRole('button', { name: '提交审核' }).click();
        await teacher.getByText(/已提交 1 条申请|已排队/).waitFor({ timeout: 60_000 });
        await nav(admin, '审核');
        await admin.locator('tr', { hasText: '课堂积极发言' }).waitFor({ timeout: 60_000 });

        // The other admin pages.
        await nav(admin, '概览');
        await admin.getByText('各班平均分').waitFor();
        await checkPage(admin, '09-admin-home');
        await nav(admin, '归档');
        await checkPage(admin, '10-admin-archives');
        await nav(admin, '导出');
        await checkPage(admin, '11-admin-exports');
        const csvHead = await admin.evaluate(async () => {
          const answer = await fetch('/api/students.csv?className=7A');
          return Array.from(new Uint8Array(await answer.arrayBuffer()).slice(0, 3));
        });
        expect(csvHead).toEqual([0xef, 0xbb, 0xbf]);

        // 7. axe-core on every page: no serious or critical violation.
        const english = await open({ locale: 'en-US' });
        await english.goto(`${base}/`);
        await english.getByRole('heading', { name: 'Behaviour scores' }).waitFor();
        await checkPage(english, '01b-login-en');
        report(`axe-core checked ${pagesChecked.length} pages: ${pagesChecked.join(', ')}`);
        expect(problems).toEqual([]);
      }),
    600_000,
  );
});
