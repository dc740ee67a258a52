import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The docs against the code, without any service: every `npm run <script>` exists in package.json,
 * every `npm run cli -- <command>` is a registered CLI command, every environment variable the
 * docs name is one the code (or the deployment files) reads, every relative link and anchor leads
 * somewhere, and the README stays short and opens with the quick start.
 */

const ROOT = resolve(__dirname, '..', '..');
const README = 'README.md';
/** The README is a landing page; the rest lives under docs/. */
const README_BYTES_MAX = 6 * 1024;
const QUICK_START = ['npm ci && npm run cluster', 'npm test'] as const;
/** Directory levels walked below docs/ and src/ at most. */
const DEPTH_MAX = 8;

/**
 * Pages other work writes: a link to one passes while it is missing (it is checked like any other
 * once it exists).
 */
const PAGES_WRITTEN_ELSEWHERE = new Set(['docs/configuration.md']);

/**
 * Variables of other programs that the docs' commands set (the MariaDB image's), checked nowhere
 * in this repository.
 */
const OTHER_PROGRAMS_VARIABLES = new Set(['MARIADB_ALLOW_EMPTY_ROOT_PASSWORD']);

/** Files of the deployment that name the variables of the servers around the nodes (MySQL, NATS), and the test runner's own files. */
const DEPLOYMENT_FILES = ['docker-compose.yml', '.env.example', 'Dockerfile', '.ci/run', 'deploy', 'jest.config.js', 'scripts'];

interface Facts {
  readonly scripts: ReadonlySet<string>;
  readonly cliCommands: ReadonlySet<string>;
  /** Whether `name` is a variable the code, a test or the deployment reads. */
  readonly knownVariable: (name: string) => boolean;
  /** Whether the repository path (relative to the root) exists. */
  readonly exists: (path: string) => boolean;
  /** The heading anchors of a markdown file at a repository path. */
  readonly anchorsOf: (path: string) => ReadonlySet<string>;
}

describe('docs', () => {
  const facts = loadFacts();

  it.each(docPaths())('%s names only scripts, CLI commands, variables and links that exist', (path) => {
    expect(problemsOf(path, read(path), facts)).toEqual([]);
  });

  it(`README.md is under ${README_BYTES_MAX} bytes and its first code block is the quick start`, () => {
    const text = read(README);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(README_BYTES_MAX);
    const first = fencedBlocks(text)[0];
    expect(first).toBeDefined();
    const commands = first!
      .split('\n')
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter(Boolean);
    expect(commands).toEqual([...QUICK_START]);
    expect(text).toContain('http://127.0.0.1:3001');
  });

  it('the checks catch a bogus script, CLI command, variable, link and anchor', () => {
    const bogus = [
      '```sh',
      'npm run no-such-script',
      'NO_SUCH_VARIABLE=1 npm run cli -- no:such-command --json',
      '```',
      'Set `ANOTHER_MISSING_SETTING`, read [a page](no-such-page.md) and [a section](getting-started.md#no-such-heading).',
    ].join('\n');
    expect(problemsOf('docs/bogus.md', bogus, facts)).toEqual([
      'npm run no-such-script: no such script in package.json',
      'npm run cli -- no:such-command: no such CLI command (src/cli/commands)',
      'ANOTHER_MISSING_SETTING: read nowhere in src/, the tests or the deployment files',
      'NO_SUCH_VARIABLE: read nowhere in src/, the tests or the deployment files',
      'link no-such-page.md: docs/no-such-page.md does not exist',
      'link getting-started.md#no-such-heading: docs/getting-started.md has no heading #no-such-heading',
    ]);
  });

  it('the checks accept what exists', () => {
    const good = [
      '```sh',
      'TICK_MS=10 npm run cluster',
      'npm run cli -- log:verify --json',
      'npm run cli -- --help',
      'npm test',
      '```',
      'Set `MYSQL_URL_<ID>` or `MYSQL_DATABASE_N2`; see [the API](api.md#errors) and [the README](../README.md).',
    ].join('\n');
    expect(problemsOf('docs/good.md', good, facts)).toEqual([]);
  });
});

/** Everything wrong in one doc at `path` (relative to the root), one line each, in the order found. */
function problemsOf(path: string, text: string, facts: Facts): string[] {
  const problems: string[] = [];
  for (const script of npmScripts(text))
    if (!facts.scripts.has(script))
      problems.push(
        `npm ${script === 'test' || script === 'start' ? script : `run ${script}`}: no such script in package.json`,
      );
  for (const command of cliCommands(text))
    if (!facts.cliCommands.has(command))
      problems.push(`npm run cli -- ${command}: no such CLI command (src/cli/commands)`);
  for (const name of variables(text))
    if (!facts.knownVariable(name)) problems.push(`${name}: read nowhere in src/, the tests or the deployment files`);
  for (const link of relativeLinks(text)) {
    const problem = linkProblem(path, link, facts);
    if (problem !== null) problems.push(`link ${link}: ${problem}`);
  }
  return problems;
}

/** Script names of `npm run <name>`, `npm test` and `npm start`, in order, each once. */
function npmScripts(text: string): string[] {
  const names = [...text.matchAll(/\bnpm (?:run ([A-Za-z0-9:_.-]+)|(test|start)\b)/g)].map((m) => m[1] ?? m[2]!);
  return [...new Set(names)];
}

/** The commands of `npm run cli -- <command>` (options such as `--help` and placeholders such as `<command>` left out). */
function cliCommands(text: string): string[] {
  const names = [...text.matchAll(/\bnpm run cli -- ([^\s`'"|;&)]+)/g)]
    .map((m) => m[1]!)
    .filter((c) => !c.startsWith('-') && !c.startsWith('<'));
  return [...new Set(names)];
}

/** UPPER_SNAKE names in inline code spans, or set as `NAME=` anywhere (commands in code blocks included). */
function variables(text: string): string[] {
  const names: string[] = [];
  const snake = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g;
  for (const span of inlineCodeSpans(text)) for (const m of span.matchAll(snake)) names.push(m[0]);
  for (const m of text.matchAll(/\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)=/g)) names.push(m[1]!);
  return [...new Set(names)];
}

/** Targets of markdown links and images outside code that are relative paths or anchors. */
function relativeLinks(text: string): string[] {
  const prose = withoutCode(text);
  const targets = [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
  return targets.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

/** Why a relative link of the doc at `from` leads nowhere, or null. */
function linkProblem(from: string, link: string, facts: Facts): string | null {
  const [pathPart, anchor] = link.split('#', 2) as [string, string | undefined];
  const target = pathPart === '' ? from : relative(ROOT, resolve(ROOT, dirname(from), decodeURIComponent(pathPart)));
  if (!facts.exists(target)) return PAGES_WRITTEN_ELSEWHERE.has(target) ? null : `${target} does not exist`;
  if (anchor === undefined || anchor === '' || !target.endsWith('.md')) return null;
  return facts.anchorsOf(target).has(anchor) ? null : `${target} has no heading #${anchor}`;
}

/** The contents of the fenced code blocks, in order. */
function fencedBlocks(text: string): string[] {
  return [...text.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
}

/** The text without fenced blocks and inline code spans. */
function withoutCode(text: string): string {
  return text.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** Inline code spans outside fenced blocks. */
function inlineCodeSpans(text: string): string[] {
  const prose = text.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '');
  return [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
}

/**
 * GitHub's anchors of a markdown text's headings: lowercased, punctuation dropped, spaces as
 * hyphens, repeats numbered (`-1`, `-2`, …).
 */
function anchorsOfText(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of withoutFences(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const plain = m[1]!.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`/g, '');
    const slug = plain
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

function withoutFences(text: string): string {
  return text.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '');
}

function read(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** README.md and every markdown file under docs/. */
function docPaths(): string[] {
  return [README, ...filesUnder('docs', (f) => f.endsWith('.md'))];
}

/** Repository paths of the files below `dir` that `keep` accepts, sorted. */
function filesUnder(dir: string, keep: (path: string) => boolean, depth = 0): string[] {
  if (depth > DEPTH_MAX || !existsSync(join(ROOT, dir))) return [];
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir)).sort()) {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...filesUnder(path, keep, depth + 1));
    else if (keep(path)) out.push(path);
  }
  return out;
}

function loadFacts(): Facts {
  const scripts = new Set(
    Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts),
  );
  const commandSources = filesUnder('src/cli/commands', (f) => f.endsWith('.ts')).map(read);
  const cliCommands = new Set(
    commandSources.flatMap((s) => [...s.matchAll(/@Command\(\s*\{[^}]*?\bname:\s*'([^']+)'/g)].map((m) => m[1]!)),
  );
  const source = filesUnder('src', (f) => f.endsWith('.ts'))
    .map(read)
    .join('\n');
  const deployment = DEPLOYMENT_FILES.flatMap((p) =>
    existsSync(join(ROOT, p)) && statSync(join(ROOT, p)).isDirectory()
      ? filesUnder(p, () => true)
      : existsSync(join(ROOT, p))
        ? [p]
        : [],
  )
    .map(read)
    .join('\n');
  const tests = filesUnder('test', (f) => f.endsWith('.ts'))
    .map(read)
    .join('\n');
  const knownVariable = (name: string): boolean =>
    OTHER_PROGRAMS_VARIABLES.has(name) ||
    new RegExp(`\\b${name}\\b`).test(source) ||
    // A per-node override such as MYSQL_DATABASE_N2, read as `MYSQL_DATABASE_${suffix}`.
    prefixesOf(name).some((prefix) => source.includes(`${prefix}_\${`)) ||
    new RegExp(`\\b${name}\\b`).test(deployment) ||
    tests.includes(`process.env.${name}`);
  const anchors = new Map<string, Set<string>>();
  return {
    scripts,
    cliCommands,
    knownVariable,
    exists: (path) => existsSync(join(ROOT, path)),
    anchorsOf: (path) => {
      if (!anchors.has(path)) anchors.set(path, anchorsOfText(read(path)));
      return anchors.get(path)!;
    },
  };
}

/** `A_B_C` -> [`A`, `A_B`]. */
function prefixesOf(name: string): string[] {
  const parts = name.split('_');
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('_'));
}
