import type { EnvRule, EnvSchema, EnvVar } from './env-schema';
import { NODE_ENV_GROUPS, NODE_ENV_RULES, NODE_ENV_SCHEMA } from './node-env';
import { BENCH_MEMBERSHIP_ENV, BENCH_SERVERS_ENV, CLI_ENV, CLI_NODE_OVERRIDES, COMPOSE_ENV, LOCAL_ADMIN_ENV, RECORDS_SERVICE_ENV, SUPERVISOR_ENV } from './tool-env';

/**
 * docs/configuration.md and .env.example, written from the schemas (node-env.ts, tool-env.ts) by
 * `npm run config:env-example`; a test compares both files with what these functions give, so
 * neither can fall behind the code.
 */

/** Where the generated files live, relative to the repository root. */
export const CONFIGURATION_DOC_PATH = 'docs/configuration.md';
export const ENV_EXAMPLE_PATH = '.env.example';

const REGENERATE = '`npm run config:env-example`';
const SOURCES = 'src/config/node-env.ts and src/config/tool-env.ts';

/** One program's variables as the docs show them. */
interface Section {
  readonly title: string;
  readonly intro: string;
  /** Variables the program reads with the node's own definition (listed, not described again). */
  readonly shared: readonly string[];
  /** Its own variables (and those it reads in a way of its own). */
  readonly own: EnvSchema;
  readonly rules: readonly EnvRule<EnvSchema>[];
}

/** A program's section: `schema`'s variables that are the node's own are listed as shared, the others described; `more` adds variables it reads besides. */
function section(title: string, intro: string, spec: { schema: EnvSchema; rules: readonly EnvRule<never>[] }, more: EnvSchema = {}): Section {
  const isNodes = (name: string) => (NODE_ENV_SCHEMA as EnvSchema)[name] === spec.schema[name];
  const names = Object.keys(spec.schema);
  const own = Object.fromEntries(names.filter((name) => !isNodes(name)).map((name) => [name, spec.schema[name]]));
  return { title, intro, shared: names.filter(isNodes), own: { ...own, ...more }, rules: spec.rules as readonly EnvRule<EnvSchema>[] };
}

/** The programs around the node. */
function toolSections(): Section[] {
  return [
    section('The student-records service (`npm run records-service`)', 'Stores the archives of semester-archive sagas.', RECORDS_SERVICE_ENV),
    section(
      'The local cluster (`npm run cluster`)',
      'Starts nodes n1..n3 as child processes and passes its environment on to them, so every node variable applies to all of them. ' +
        'It gives each node NODE_ID, MYSQL_DATABASE, HTTP_PORT and HTTP_PORT_RANGE, the bootstrap admin below and, when neither JWT_SECRET nor JWT_SECRETS is set, a random secret for the run ' +
        '(the benchmark and the e2e tests give their nodes the same admin).',
      SUPERVISOR_ENV,
      LOCAL_ADMIN_ENV.schema,
    ),
    section(
      'The operations CLI (`npm run cli`)',
      'Finds the cluster with the variables it shares with the nodes; per node, an override for nodes on MySQL servers of their own (`<ID>`: the node id in capitals, other characters than letters and digits as `_`, so `n1` -> `N1`).',
      CLI_ENV,
      CLI_NODE_OVERRIDES,
    ),
    section(
      'Benchmarks (`npm run bench`)',
      'The servers its nodes and its own clients use; it starts its nodes with the settings it measures. The membership benchmark (`--only membership`) takes a few of its own.',
      BENCH_SERVERS_ENV,
      BENCH_MEMBERSHIP_ENV.schema,
    ),
  ];
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function defaultCell(variable: EnvVar<unknown>): string {
  if (variable.required === true) return '**required**';
  const required = typeof variable.required === 'string' ? `**required** ${variable.required}` : '';
  const shown = variable.defaultValue !== undefined ? `\`${variable.defaultText}\`` : variable.defaultText;
  const value = shown ?? (required === '' ? 'unset' : '');
  return [value, required].filter(Boolean).join('; ');
}

function table(schema: EnvSchema): string[] {
  const rows = Object.entries(schema).map(
    ([name, v]) => `| \`${name}\` | ${escapeCell(defaultCell(v))} | ${escapeCell(v.type)} | ${escapeCell(v.description)} |`,
  );
  return ['| variable | default | type | what |', '| --- | --- | --- | --- |', ...rows];
}

function rulesList(rules: readonly EnvRule<EnvSchema>[]): string[] {
  return rules.map((rule) => `- ${rule.description}`);
}

/** docs/configuration.md: every variable (name, default, type, meaning) and every rule across variables. */
export function renderConfigurationDoc(): string {
  const lines: string[] = [
    '# Configuration',
    '',
    `<!-- Generated from ${SOURCES} by ${REGENERATE}: edit the schema there, not this file. A test fails when they differ. -->`,
    '',
    'A node (`node dist/main.js`) takes its settings from environment variables alone (it reads no `.env` file) and checks all of them at start against one schema:',
    'a bad value stops it with a single line naming each variable that is wrong (`node failed to start: ...`). Variables it does not know are ignored.',
    `An empty value counts as unset, except for ${Object.keys(NODE_ENV_SCHEMA)
      .filter((name) => NODE_ENV_SCHEMA[name as keyof typeof NODE_ENV_SCHEMA].emptyIsValue)
      .join(', ')}, which take it as given: \`HTTP_HOST=\` binds every address, and where the type allows no empty value it is refused.`,
    `[\`${ENV_EXAMPLE_PATH}\`](../${ENV_EXAMPLE_PATH}) lists the same variables, with the secrets docker compose needs.`,
    '',
    '## The node',
    '',
  ];
  for (const group of NODE_ENV_GROUPS) {
    const schema = Object.fromEntries(group.names.map((name) => [name, NODE_ENV_SCHEMA[name]]));
    lines.push(`### ${group.title}`, '', ...table(schema), '');
  }
  lines.push('### Rules across variables', '', ...rulesList(NODE_ENV_RULES as readonly EnvRule<EnvSchema>[]), '');
  for (const section of toolSections()) {
    lines.push(`## ${section.title}`, '', section.intro, '');
    if (section.shared.length > 0) lines.push(`As the node reads them: ${section.shared.map((n) => `\`${n}\``).join(', ')}.`, '');
    if (Object.keys(section.own).length > 0) lines.push(...table(section.own), '');
    if (section.rules.length > 0) lines.push(...rulesList(section.rules), '');
  }
  lines.push(
    '## docker compose',
    '',
    'What `docker-compose.yml` takes from `.env` (copy `.env.example`) or the shell. No secret has a default there: compose refuses to start until each required one is set (e.g. `openssl rand -hex 32`).',
    '',
    ...table(COMPOSE_ENV.schema),
    '',
  );
  return lines.join('\n');
}

/** Comment lines of `text`, wrapped at 100 columns. */
function comment(text: string): string[] {
  const lines: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length + 1 + word.length > 100 && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  if (line !== '#') lines.push(line);
  return lines;
}

function describe(variable: EnvVar<unknown>): string {
  const facts = [`Type: ${variable.type}.`];
  if (typeof variable.required === 'string') facts.push(`Required ${variable.required}.`);
  else if (variable.required) facts.push('Required.');
  if (variable.defaultText !== undefined && variable.defaultValue === undefined) facts.push(`Default: ${variable.defaultText}.`);
  return `${variable.description} ${facts.join(' ')}`;
}

/**
 * `.env.example`: every variable with its description; required ones as `NAME=` to fill in,
 * optional ones commented out with their default.
 */
export function renderEnvExample(): string {
  const set = new Set<string>();
  const entry = (name: string, variable: EnvVar<unknown>): string[] => {
    const required = variable.required === true && !set.has(name);
    const lines = comment(describe(variable));
    if (set.has(name)) lines.push(`# ${name}: set above`);
    else if (required) lines.push(`${name}=`);
    else lines.push(`#${name}=${variable.secret ? '' : (variable.defaultValue ?? '')}`);
    if (required) set.add(name);
    return [...lines, ''];
  };
  const lines: string[] = [
    `# Generated from ${SOURCES} by ${REGENERATE}: edit the schema there, not this file.`,
    '# docs/configuration.md describes every variable. Lines without # are required; the others show',
    '# their defaults.',
    '',
    '# ---- docker compose (docker-compose.yml) ----',
    '# Copy this file to .env and fill each required secret with a random value (e.g. `openssl rand -hex 32`):',
    '# docker-compose.yml has no default for any of them and refuses to start until all are set.',
    '',
  ];
  for (const [name, variable] of Object.entries(COMPOSE_ENV.schema)) lines.push(...entry(name, variable));
  lines.push(
    '# ---- The node (node dist/main.js) ----',
    '# A node reads its environment only, never this file: set these in its environment (compose sets',
    '# its nodes\' own in docker-compose.yml).',
    '',
  );
  for (const group of NODE_ENV_GROUPS) {
    lines.push(`# -- ${group.title} --`, '');
    for (const name of group.names) lines.push(...entry(name, NODE_ENV_SCHEMA[name]));
  }
  while (lines.at(-1) === '') lines.pop();
  return `${lines.join('\n')}\n`;
}
