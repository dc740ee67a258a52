import type { Browser, BrowserContext, Page } from 'playwright-core';
import { E2eCluster, report, waitFor } from '../e2e/cluster-harness';
import { type AxeProblem, assertBrowserAndAppBuilt, axeProblems, launchChromium, newContext, screenshot } from './browser-support';

// Functions passed to page.waitForFunction run in the page, where this exists.
declare const document: any; // eslint-disable-line @typescript-eslint/no-explicit-any
/**
 * The web app in a real headless Chromium against a real 3-node cluster: the admin (zh-CN) sets
 * up students, a teacher looking after their class and a reason; the teacher awards three students
 * from a phone-sized window; the admin sees the applications arrive live and reviews them; the
 * student sees the new score, chart point and record; a batch naming a missing student
 * compensates; the leader is killed and the monitor names another while the portals keep working. Then, in English, the
 * admin assigns a class to a new teacher whose phone shows that class's roster live, and every
 * portal is seen at 375 px and at desktop width. axe-core checks every page, and every page is
 * saved as a PNG under test-results/screenshots.
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
const EN = { user: 'Username', pass: 'Password', submit: 'Sign in' };
const LEE = { username: 'teacher-lee', password: 'teacher-pass-2' };
const MIA = { username: 'stu-mia', password: 'student-pass-2' };
const CLASS_8B = [
  { id: 's-81', name: 'Mia Wong' },
  { id: 's-82', name: 'Noah Chen' },
];
/** A student of another class: found through the whole school. */
const OLGA = { id: 's-91', name: 'Olga Ivanova', className: '9C' };

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
    // A toast of the step before fades out over the page: half transparent, axe measures its contrast
    // against whatever is under it. Let it go first (one that stays is checked all the same).
    await page.waitForFunction(() => document.querySelector('.ant-message-notice') === null, undefined, { timeout: 8_000 }).catch(() => {});
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

  /**
   * Follows a menu entry: on a phone through the drawer the header's menu button opens (every
   * entry listed), else from the header's menu, through its overflow ("…") when it is too narrow.
   */
  async function nav(page: Page, label: string): Promise<void> {
    await page.locator('.app-header').waitFor();
    const opener = page.locator('.app-header button[aria-controls="app-menu-drawer"]');
    if (await opener.isVisible()) {
      await opener.click();
      const drawer = page.locator('#app-menu-drawer');
      await drawer.getByRole('navigation').getByRole('menuitem', { name: label, exact: true }).click();
      await drawer.waitFor({ state: 'hidden' });
      return;
    }
    // The menu lays its items out once rendered: wait for it before asking what fits.
    await page.getByRole('navigation').getByRole('menuitem').first().waitFor();
    const item = page.getByRole('navigation').getByRole('menuitem', { name: label, exact: true });
    if (await item.isVisible()) return item.click();
    await page.getByRole('navigation').locator('.ant-menu-overflow-item-rest').click();
    await page.locator('.ant-menu-submenu-popup').getByRole('menuitem', { name: label, exact: true }).click();
    // A tap leaves no pointer behind; the test's mouse would hold the menu open over the page.
    await page.mouse.move(0, 0);
    await page.locator('.ant-menu-submenu-popup').waitFor({ state: 'hidden' });
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
        // The teacher looks after class 7A: their portal opens on its roster.
        await admin.getByRole('button', { name: `编辑 ${TEACHER.username} 负责的班级` }).click();
        const classesDialog = admin.getByRole('dialog', { name: `${TEACHER.username} 负责的班级` });
        await classesDialog.getByRole('combobox').click();
        await admin.locator('.ant-select-dropdown .ant-select-item-option[title="7A"]').click();
        await classesDialog.getByText(`${TEACHER.username} 负责的班级`, { exact: true }).click();
        await classesDialog.getByRole('button', { name: '保存' }).click();
        await admin.getByText(`已保存 ${TEACHER.username} 负责的班级`).waitFor();
        await admin.locator('tr', { hasText: TEACHER.username }).locator('.ant-tag', { hasText: '7A' }).waitFor();
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
        // The roster of their class, with the class picker (and no "no class assigned" note).
        await teacher.locator('.ant-select', { has: teacher.getByRole('combobox', { name: '显示的班级' }) }).getByText('7A', { exact: true }).waitFor();
        expect(await teacher.getByText('尚未为您分配班级', { exact: false }).count()).toBe(0);
        for (const s of STUDENTS) await teacher.getByRole('checkbox', { name: `选择 ${s.name}` }).check();
        // On the phone the roster comes first; the bar below it counts the selection and opens the form.
        await teacher.getByRole('region', { name: '加减分' }).getByText('已选 3 人').waitFor();
        await teacher.getByRole('button', { name: '加分或扣分（3）' }).click();
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
        // The same queue on a phone: nothing wider than the screen, every row's buttons clear of the card's edge.
        await admin.setViewportSize({ width: 375, height: 812 });
        await fitsWidth(admin, 375);
        await rowButtonsClearOfCardEdge(admin);
        await checkPage(admin, '04b-admin-review-queue-phone');
        await admin.setViewportSize({ width: 1280, height: 860 });
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
        // On a loaded machine leadership may have moved since the start; the browser's own node must not be the one killed.
        const leaderNow = await cluster.waitForLeader(30_000);
        if (leaderNow === origin) throw new Error(`leadership moved to ${origin}, the node the browser uses: the failover step would kill it`);
        await admin.getByText(`领导者: ${leaderNow}`).first().waitFor();
        await checkPage(admin, '12-cluster-monitor');

        // 6. The leader process is killed: the monitor names a new leader; the portals keep working.
        await cluster.kill(leaderNow, 'SIGKILL');
        const killedAt = Date.now();
        await admin.waitForFunction(
          (old) => {
            const text = document.body.innerText;
            const m = /领导者: (n\d+)/.exec(text);
            return m !== null && m[1] !== old;
          },
          leaderNow,
          { timeout: 30_000 },
        );
        report(`monitor named a new leader ${Date.now() - killedAt} ms after the kill`);
        await checkPage(admin, '13-cluster-monitor-after-failover');
        // The monitor on a phone: one card per node, the killed one marked, nothing wider than the screen.
        await admin.setViewportSize({ width: 375, height: 812 });
        await admin.getByRole('region', { name: `节点 ${leaderNow}` }).getByText('无应答').waitFor();
        // The charts follow their box on the next resize callback: wait (bounded) for the layout to settle.
        await admin.waitForFunction(() => document.documentElement.scrollWidth <= 375, undefined, { timeout: 10_000 });
        await checkPage(admin, '13b-cluster-monitor-phone');
        await admin.setViewportSize({ width: 1280, height: 860 });
        await nav(teacher, '加减分');
        await teacher.getByRole('checkbox', { name: `选择 ${STUDENTS[0]!.name}` }).check();
        await teacher.getByRole('button', { name: '加分或扣分（1）' }).click();
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

  /** The answer of a REST call made with the admin's bearer token (setup the test does not look at). */
  async function asAdmin(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const answer = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!answer.ok) throw new Error(`${method} ${path} answered ${answer.status}: ${await answer.text()}`);
    return (await answer.json()) as Record<string, unknown>;
  }

  /** Until `who` can sign in on the node the browser uses (its credentials projected there). */
  async function canSignIn(who: { username: string; password: string }): Promise<void> {
    await waitFor(`${who.username} can sign in`, async () => {
      const answer = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(who) });
      return answer.ok;
    }, 15_000, 100);
  }

  /** The names in the roster's rows, as the page shows them. */
  async function rosterNames(page: Page): Promise<string[]> {
    return page.locator('.ant-table-tbody tr.ant-table-row td:nth-child(2)').allInnerTexts();
  }

  /** Nothing on the page is wider than the window (no sideways scroll of the page itself). */
  async function fitsWidth(page: Page, width: number): Promise<void> {
    await page.waitForFunction((w) => document.documentElement.scrollWidth <= w, width, { timeout: 10_000 });
  }

  /** How far in from the right edge of its card a table row's buttons stand, at the least: the card's 12 px padding and 12 more. */
  const ROW_BUTTONS_INSET_MIN = 24;

  /** Every button in the table rows of the page's cards stands at least ROW_BUTTONS_INSET_MIN px in from the card's right edge. */
  async function rowButtonsClearOfCardEdge(page: Page): Promise<void> {
    const insets: number[] = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.ant-card .ant-table-tbody button') as ArrayLike<typeof document>).map(
        (b) => b.closest('.ant-card').getBoundingClientRect().right - b.getBoundingClientRect().right,
      ),
    );
    expect(insets.length).toBeGreaterThan(0);
    expect(Math.min(...insets)).toBeGreaterThanOrEqual(ROW_BUTTONS_INSET_MIN);
  }

  it(
    'in English at 375 px and desktop width: the admin assigns a class, the teacher sees its roster live',
    () =>
      cluster.diagnose(async () => {
        const checkedBefore = problems.length;
        const leader = await cluster.waitForLeader(30_000);
        const origin = cluster.aliveIds().find((id) => id !== leader) ?? leader;
        base = `http://127.0.0.1:${cluster.port(origin)}`;
        report(`English portals on ${origin} (${base}), leader ${leader}`);

        // Setup through the API: a class 8B of two students, one of 9C, a new teacher and a student user of 8B.
        for (const s of CLASS_8B) await asAdmin('POST', '/api/students', { studentId: s.id, name: s.name, className: '8B' });
        const last = Number((await asAdmin('POST', '/api/students', { studentId: OLGA.id, name: OLGA.name, className: OLGA.className })).position);
        await asAdmin('POST', '/api/users', { ...LEE, role: 'teacher', displayName: 'Mr Lee' });
        await asAdmin('POST', '/api/users', { ...MIA, role: 'student', displayName: 'Mia Wong', studentId: CLASS_8B[0]!.id });
        await asAdmin('GET', `/api/students?className=8B&minPosition=${last}`);
        await canSignIn(LEE);
        await canSignIn(MIA);

        // 1. The teacher, on a phone, has no class yet: the whole school, and a note saying why.
        const teacher = await open({ phone: true, locale: 'en-US' });
        await login(teacher, LEE, EN);
        await teacher.getByText('No class is assigned to you yet', { exact: false }).waitFor();
        await teacher.getByRole('checkbox', { name: `Select ${OLGA.name}` }).waitFor();
        await fitsWidth(teacher, 375);
        await checkPage(teacher, '20-en-teacher-no-class-phone');

        // 2. The admin (desktop) gives the teacher class 8B from the users page.
        const admin = await open({ locale: 'en-US' });
        await login(admin, ADMIN, EN);
        await nav(admin, 'Users');
        const row = admin.locator('tr', { has: admin.getByRole('cell', { name: LEE.username, exact: true }) });
        await row.getByText('No class').waitFor();
        await row.getByRole('button', { name: `Edit classes of ${LEE.username}` }).click();
        const dialog = admin.getByRole('dialog', { name: `Classes of ${LEE.username}` });
        await dialog.getByRole('combobox', { name: `Classes of ${LEE.username}` }).click();
        await admin.locator('.ant-select-dropdown .ant-select-item-option[title="8B"]').click();
        await checkPage(admin, '21-en-admin-classes-dialog');
        // The list stays open for more picks: a click on the dialog's title closes it, as a person would.
        await dialog.getByText(`Classes of ${LEE.username}`, { exact: true }).click();
        await admin.locator('.ant-select-dropdown').waitFor({ state: 'hidden' });
        await dialog.getByRole('button', { name: 'Save' }).click();
        await admin.getByText(`Classes of ${LEE.username} saved`).waitFor();
        await row.locator('.ant-tag', { hasText: '8B' }).waitFor();
        await checkPage(admin, '22-en-admin-users-desktop');

        // 3. Without a reload, the teacher's phone now opens on 8B: its two students, nobody else.
        await teacher.getByRole('combobox', { name: 'Classes shown' }).waitFor();
        await teacher.waitForFunction(() => document.querySelectorAll('.ant-table-tbody tr.ant-table-row').length === 2, undefined, { timeout: UI_TIMEOUT_MS });
        expect((await rosterNames(teacher)).sort()).toEqual(CLASS_8B.map((s) => s.name).sort());
        expect(await teacher.getByText('No class is assigned to you yet', { exact: false }).count()).toBe(0);
        await fitsWidth(teacher, 375);
        await checkPage(teacher, '23-en-teacher-my-class-phone');
        // The whole school stays one pick away, and the search finds a student of another class.
        await teacher.getByRole('combobox', { name: 'Classes shown' }).click();
        await teacher.locator('.ant-select-dropdown .ant-select-item-option[title="Whole school"]').click();
        await teacher.getByRole('searchbox', { name: 'Search' }).fill('olga');
        await teacher.getByRole('checkbox', { name: `Select ${OLGA.name}` }).waitFor();
        expect(await rosterNames(teacher)).toEqual([OLGA.name]);
        await teacher.getByRole('combobox', { name: 'Classes shown' }).click();
        await teacher.locator('.ant-select-dropdown .ant-select-item-option[title="8B"]').click();
        await teacher.getByRole('searchbox', { name: 'Search' }).fill('');

        // 4. The teacher awards Mia from the phone: the confirmation stays clear of the menu bar.
        await teacher.getByRole('checkbox', { name: `Select ${CLASS_8B[0]!.name}` }).check();
        await teacher.getByRole('button', { name: 'Award or deduct (1)' }).click();
        await teacher.getByLabel('Or a reason in your words').fill('Tidied the lab');
        await teacher.getByRole('button', { name: 'Submit for review' }).click();
        await teacher.locator('.ant-message-notice', { hasText: '1 application submitted' }).waitFor();
        // Once it has slid in, the message sits below the header and its menu, not over them.
        await teacher.waitForFunction(
          () => {
            const notice = document.querySelector('.ant-message-notice');
            const header = document.querySelector('.app-header');
            return notice !== null && header !== null && notice.getBoundingClientRect().top >= header.getBoundingClientRect().bottom;
          },
          undefined,
          { timeout: 5_000 },
        );
        await screenshot(teacher, '24-en-teacher-submitted-phone');
        // Every entry of the phone's menu is one tap away in its drawer ("My applications" included).
        await nav(teacher, 'My applications');
        await teacher.getByText('Tidied the lab').waitFor();
        await fitsWidth(teacher, 375);
        await checkPage(teacher, '24b-en-teacher-applications-phone');

        // 5. The same teacher at desktop width (a new session reads its class at once).
        const teacherDesk = await open({ locale: 'en-US' });
        await login(teacherDesk, LEE, EN);
        await teacherDesk.waitForFunction(() => document.querySelectorAll('.ant-table-tbody tr.ant-table-row').length === 2, undefined, { timeout: UI_TIMEOUT_MS });
        await checkPage(teacherDesk, '25-en-teacher-desktop');
        await nav(teacherDesk, 'My applications');
        await teacherDesk.getByText('Tidied the lab').waitFor();
        await checkPage(teacherDesk, '26-en-teacher-applications-desktop');

        // 6. The student portal in English, on a phone and at desktop width.
        const student = await open({ phone: true, locale: 'en-US' });
        await login(student, MIA, EN);
        await student.getByText('Class 8B').waitFor();
        await fitsWidth(student, 375);
        await checkPage(student, '27-en-student-phone');
        const studentDesk = await open({ locale: 'en-US' });
        await login(studentDesk, MIA, EN);
        await studentDesk.getByText('Class 8B').waitFor();
        await checkPage(studentDesk, '28-en-student-desktop');

        // 7. The admin portal in English at desktop width and on a phone.
        await nav(admin, 'Overview');
        await admin.getByText('Average score per class').waitFor();
        await checkPage(admin, '29-en-admin-home-desktop');
        const adminPhone = await open({ phone: true, locale: 'en-US' });
        await login(adminPhone, ADMIN, EN);
        await adminPhone.getByText('Average score per class').waitFor();
        await fitsWidth(adminPhone, 375);
        await checkPage(adminPhone, '30-en-admin-home-phone');
        await nav(adminPhone, 'Users');
        await adminPhone.getByRole('cell', { name: LEE.username, exact: true }).waitFor();
        await fitsWidth(adminPhone, 375);
        await checkPage(adminPhone, '31-en-admin-users-phone');
        await nav(adminPhone, 'Reviews');
        await adminPhone.locator('tr', { hasText: 'Tidied the lab' }).waitFor();
        // Nothing selected: both bulk buttons are disabled, and neither looks enabled (no red on the reject one).
        const rejectNone = adminPhone.getByRole('button', { name: 'Reject selected (0)' });
        expect(await adminPhone.getByRole('button', { name: 'Approve selected (0)' }).isDisabled()).toBe(true);
        expect(await rejectNone.isDisabled()).toBe(true);
        expect(await rejectNone.evaluate((b) => b.ownerDocument.defaultView!.getComputedStyle(b).color)).not.toBe('rgb(207, 19, 34)');
        await fitsWidth(adminPhone, 375);
        await rowButtonsClearOfCardEdge(adminPhone);
        await checkPage(adminPhone, '32-en-admin-reviews-phone');

        report(`axe-core checked ${pagesChecked.length} pages in all`);
        expect(problems.slice(checkedBefore)).toEqual([]);
      }),
    300_000,
  );
});
