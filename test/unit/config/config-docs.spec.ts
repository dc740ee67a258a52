import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { CONFIGURATION_DOC_PATH, ENV_EXAMPLE_PATH, renderConfigurationDoc, renderEnvExample } from '../../../src/config/config-docs';
import { NODE_ENV_GROUPS, NODE_ENV_SCHEMA } from '../../../src/config/node-env';
import { CLI_ENV, COMPOSE_ENV, LOCAL_ADMIN_ENV, RECORDS_SERVICE_ENV, SUPERVISOR_ENV } from '../../../src/config/tool-env';

const root = resolve(__dirname, '../../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Every TypeScript file under `dir`. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('generated configuration docs (run `npm run config:env-example` after changing a variable)', () => {
  it(`${CONFIGURATION_DOC_PATH} is what the schema gives`, () => {
    expect(read(CONFIGURATION_DOC_PATH)).toBe(renderConfigurationDoc());
  });

  it(`${ENV_EXAMPLE_PATH} is what the schema gives`, () => {
    expect(read(ENV_EXAMPLE_PATH)).toBe(renderEnvExample());
  });

  it("shows every node variable once, in one of the docs' groups, with its description", () => {
    const grouped = NODE_ENV_GROUPS.flatMap((g) => g.names);
    expect([...grouped].sort()).toEqual(Object.keys(NODE_ENV_SCHEMA).sort());
    expect(new Set(grouped).size).toBe(grouped.length);
    const doc = renderConfigurationDoc();
    const example = renderEnvExample();
    for (const name of Object.keys(NODE_ENV_SCHEMA)) {
      expect(doc).toContain(`| \`${name}\` |`);
      expect(example).toMatch(new RegExp(`^#?${name}=|^# ${name}: set above$`, 'm'));
    }
  });

  it('writes optional variables commented out with their default, required ones to fill in, and never a secret', () => {
    const example = renderEnvExample();
    expect(example).toMatch(/^#HTTP_PORT=3000$/m);
    expect(example).toMatch(/^#MYSQL_DATABASE=$/m);
    expect(example).toMatch(/Default: behavior_<NODE_ID>\./);
    expect(example).toMatch(/^JWT_SECRET=$/m);
    expect(example).toMatch(/^MYSQL_ROOT_PASSWORD=$/m);
    expect(example).toMatch(/^# JWT_SECRET: set above$/m);
    const assigned = example.split('\n').filter((line) => /^[A-Z0-9_]+=/.test(line));
    expect(assigned.length).toBeGreaterThan(0);
    for (const line of assigned) expect(line).toMatch(/=$/);
  });

  it("lists exactly the variables docker-compose.yml takes from .env, required where compose refuses to start without them", () => {
    const compose = read('docker-compose.yml');
    const used = new Map<string, 'required' | string>();
    for (const m of compose.matchAll(/\$\{([A-Z0-9_]+)(?::\?[^}]*|:-([^}]*))?\}/g)) used.set(m[1], m[2] === undefined ? 'required' : m[2]);
    expect([...used.keys()].sort()).toEqual(Object.keys(COMPOSE_ENV.schema).sort());
    for (const [name, variable] of Object.entries(COMPOSE_ENV.schema)) {
      const want = used.get(name);
      if (want === 'required') expect([name, variable.required]).toEqual([name, true]);
      else expect([name, variable.defaultValue]).toEqual([name, want]);
    }
  });

  it('leaves no variable of a schema to be read from process.env by hand outside src/config', () => {
    const names = new Set(
      [NODE_ENV_SCHEMA, RECORDS_SERVICE_ENV.schema, SUPERVISOR_ENV.schema, CLI_ENV.schema, LOCAL_ADMIN_ENV.schema].flatMap((s) => Object.keys(s)),
    );
    const readers: string[] = [];
    for (const file of sourceFiles(join(root, 'src'))) {
      if (relative(root, file).startsWith(join('src', 'config'))) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(/process\.env(?:\.([A-Z0-9_]+)|\[['"]([A-Z0-9_]+)['"]\])/g)) {
        const name = m[1] ?? m[2];
        if (names.has(name)) readers.push(`${relative(root, file)}: ${name}`);
      }
    }
    expect(readers).toEqual([]);
  });
});
