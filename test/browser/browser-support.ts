import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { REPO_ROOT } from '../e2e/cluster-harness';

// Functions passed to page.evaluate run in the page, where these exist.
declare const window: any; // eslint-disable-line @typescript-eslint/no-explicit-any
type Document = unknown;
/** Debian's Chromium; nothing here downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
/** Where every page's screenshot goes (gitignored); README.md and docs/getting-started.md show copies from docs/screenshots. */
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'screenshots');
export const WEB_DIST_INDEX = join(REPO_ROOT, 'web', 'dist', 'index.html');

/** Fails clearly when the browser or the built app is missing. */
export function assertBrowserAndAppBuilt(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`);
  if (!existsSync(WEB_DIST_INDEX)) throw new Error(`${WEB_DIST_INDEX} is missing: run "npm run build" (it builds the web app)`);
}

/** Headless Chromium with the flags this machine needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** A desktop or phone-sized context. CSP is bypassed only so the test can inject axe-core. */
export function newContext(browser: Browser, options: { phone?: boolean; locale?: string } = {}): Promise<BrowserContext> {
  return browser.newContext({
    locale: options.locale ?? 'zh-CN',
    bypassCSP: true,
    viewport: options.phone ? { width: 375, height: 812 } : { width: 1280, height: 860 },
    deviceScaleFactor: 1,
    isMobile: options.phone ?? false,
    hasTouch: options.phone ?? false,
  });
}

let axeSource: string | null = null;

/** An axe-core violation of impact serious or critical. */
export interface AxeProblem {
  page: string;
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Runs axe-core (WCAG 2 A/AA rules) on the page; answers its serious and critical violations. */
export async function axeProblems(page: Page, name: string): Promise<AxeProblem[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Checked at rest: no pointer over a control, finite transitions finished (bounded wait).
  await page.mouse.move(0, 0);
  await page.evaluate(
    `Promise.race([
      Promise.all(document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished.catch(() => undefined))),
      new Promise((resolve) => setTimeout(resolve, 2000)),
    ])`,
  );
  const hasAxe = await page.evaluate(() => 'axe' in window);
  if (!hasAxe) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(window.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ page: name, ...v }));
}

/** Saves a full-page PNG under test-results/screenshots. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  // From the top: a page scrolled by the test would show its sticky header stitched in mid-page.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path, fullPage: true });
  return path;
}
