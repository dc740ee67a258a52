/**
 * Checks that docker-compose.yml and deploy/nats/*.conf describe one consistent cluster: every
 * host a node names is a service of the file, every file a service mounts exists, and every NATS
 * config is accepted by a real nats-server. Each check returns its problems as sentences, so the
 * mutation tests at the bottom can prove that a broken file is caught.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(__dirname, '../..');
const natsDir = join(root, 'deploy/nats');
const natsServer = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
const nodeNames = ['node1', 'node2', 'node3'];

type Service = Record<string, unknown>;
interface Compose {
  services: Record<string, Service>;
}

/**
 * Compose files use YAML merge keys (`<<: *node`), which YAML 1.2 leaves off by default. The JSON
 * round trip unshares what aliases share, so a mutation test can break one node without the others.
 */
function loadCompose(): Compose {
  const compose: unknown = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
  return JSON.parse(JSON.stringify(compose)) as Compose;
}

/**
 * Compose's `${VAR:-default}` interpolation, with defaults only, so the result does not depend on
 * the shell; a required `${VAR:?message}` becomes `<VAR>`.
 */
function interpolate(value: string): string {
  return value.replace(/\$\{(\w+)(?:(:?-)([^}]*)|:?\?[^}]*)?\}/g, (_m, name: string, dash?: string, fallback?: string) =>
    dash !== undefined ? (fallback ?? '') : /:?\?/.test(_m) ? `<${name}>` : '',
  );
}

/** A service's environment as written, before interpolation. */
function rawEnvOf(service: Service): Record<string, string> {
  const raw = service.environment ?? {};
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((line: string) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v ?? '')]));
}

/** Compose accepts environment as a map or as a list of KEY=value. */
function envOf(service: Service): Record<string, string> {
  const raw = service.environment ?? {};
  const pairs = Array.isArray(raw)
    ? raw.map((line: string) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])
    : Object.entries(raw as Record<string, unknown>);
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(String(v ?? ''))]));
}

function dependsOn(service: Service): Record<string, string> {
  const raw = service.depends_on ?? [];
  if (Array.isArray(raw)) return Object.fromEntries(raw.map((name: string) => [name, 'service_started']));
  return Object.fromEntries(
    Object.entries(raw as Record<string, { condition?: string }>).map(([k, v]) => [
      k,
      v?.condition ?? 'service_started',
    ]),
  );
}

/** Bind mounts as {source (absolute), target}; named volumes are left out. */
function bindMounts(service: Service): { source: string; target: string }[] {
  const volumes = (service.volumes ?? []) as (string | { type?: string; source: string; target: string })[];
  return volumes
    .map((v) => (typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v))
    .filter((v) => v.source.startsWith('.') || v.source.startsWith('/'))
    .map((v) => ({ source: resolve(root, v.source), target: v.target }));
}

function natsServices(compose: Compose): string[] {
  return Object.keys(compose.services).filter((name) => String(compose.services[name].image ?? '').startsWith('nats:'));
}

/** The host file behind the `-c` path a NATS service is started with, or undefined. */
function natsConfigFile(service: Service): string | undefined {
  const command = (service.command ?? []) as string[];
  const at = command.findIndex((arg) => arg === '-c' || arg === '--config');
  return bindMounts(service).find((m) => m.target === command[at + 1])?.source;
}

/** A config's text without comments and with its `include`s inlined, since users live in accounts.conf. */
function readConf(file: string): string {
  const text = readFileSync(file, 'utf8').replace(/^\s*(#|\/\/).*$/gm, '');
  return text.replace(/^\s*include\s+"?([^"\s]+)"?\s*$/gm, (_m, inc: string) => readConf(resolve(dirname(file), inc)));
}

function routeHosts(conf: string): { host: string; port: string }[] {
  const routes = /routes\s*[:=]?\s*\[([^\]]*)\]/.exec(conf)?.[1] ?? '';
  return [...routes.matchAll(/nats(?:-route)?:\/\/(?:[^@\s]*@)?([^:\s/]+):(\d+)/g)].map((m) => ({
    host: m[1],
    port: m[2],
  }));
}

function hostsOf(urls: string): string[] {
  return urls.split(',').map((url) => new URL(url.trim()).hostname);
}

function checkNodesBuild(compose: Compose): string[] {
  return nodeNames.flatMap((name) => {
    const build = compose.services[name]?.build as { context?: string; dockerfile?: string } | string | undefined;
    if (!build) return [`${name} is missing or has no build`];
    const context = resolve(root, typeof build === 'string' ? build : (build.context ?? '.'));
    const dockerfile = join(context, typeof build === 'string' ? 'Dockerfile' : (build.dockerfile ?? 'Dockerfile'));
    return existsSync(dockerfile) ? [] : [`${name} builds from ${dockerfile}, which does not exist`];
  });
}

function checkNodeNats(compose: Compose): string[] {
  const nats = natsServices(compose);
  const firsts = new Set<string>();
  const problems = nodeNames.flatMap((name) => {
    const hosts = hostsOf(envOf(compose.services[name]).NATS_URL ?? '');
    firsts.add(hosts[0]);
    const unknown = hosts
      .filter((h) => !nats.includes(h))
      .map((h) => `${name} NATS_URL names ${h}, not a NATS service`);
    const missing = nats.filter((h) => !hosts.includes(h)).map((h) => `${name} cannot fail over to ${h}`);
    return [...unknown, ...missing];
  });
  return firsts.size === nodeNames.length ? problems : [...problems, 'nodes do not each prefer their own NATS server'];
}

function checkNodeMysql(compose: Compose): string[] {
  const databases = new Set<string>();
  const problems = nodeNames.flatMap((name) => {
    const env = envOf(compose.services[name]);
    const host = new URL(env.MYSQL_URL ?? 'mysql://missing').hostname;
    databases.add(env.MYSQL_DATABASE);
    return [
      ...(compose.services[host] ? [] : [`${name} MYSQL_URL names ${host}, not a service`]),
      ...(env.MYSQL_DATABASE === `behavior_${env.NODE_ID}` ? [] : [`${name} database is not behavior_<NODE_ID>`]),
    ];
  });
  return databases.size === nodeNames.length ? problems : [...problems, 'two nodes share a database'];
}

function checkNodeIdentity(compose: Compose): string[] {
  const envs = nodeNames.map((name) => envOf(compose.services[name]));
  const ids = envs.map((env) => env.NODE_ID);
  const problems = envs.flatMap((env, i) => {
    const members = (env.CLUSTER_NODES ?? '').split(',');
    return [
      ...(members.includes(env.NODE_ID) ? [] : [`${nodeNames[i]} NODE_ID ${env.NODE_ID} is not in CLUSTER_NODES`]),
      ...(members.sort().join() === [...ids].sort().join()
        ? []
        : [`${nodeNames[i]} CLUSTER_NODES differ from the nodes`]),
    ];
  });
  const shared = ['CLUSTER_NAME', 'JWT_SECRET', 'ADMIN_USERNAME'].filter(
    (k) => new Set(envs.map((e) => e[k])).size !== 1,
  );
  return [
    ...problems,
    ...(new Set(ids).size === ids.length ? [] : [`NODE_IDs are not distinct: ${ids.join(',')}`]),
    ...shared.map((k) => `nodes disagree on ${k}`),
  ];
}

function checkNodeDependencies(compose: Compose): string[] {
  return nodeNames.flatMap((name) => {
    const env = envOf(compose.services[name]);
    const deps = dependsOn(compose.services[name]);
    const mysql = new URL(env.MYSQL_URL ?? 'mysql://missing').hostname;
    const needed = [mysql, ...hostsOf(env.NATS_URL ?? 'nats://missing')];
    return [
      ...needed.filter((s) => !deps[s]).map((s) => `${name} does not depend on ${s}`),
      ...(deps[mysql] === 'service_healthy' ? [] : [`${name} does not wait for ${mysql} to be healthy`]),
    ];
  });
}

function checkNatsServices(compose: Compose): string[] {
  const nats = natsServices(compose);
  const confs = new Map(nats.map((name) => [name, natsConfigFile(compose.services[name])]));
  const names = new Set<string>();
  const problems = nats.flatMap((name) => {
    const missingMounts = bindMounts(compose.services[name]).filter((m) => !existsSync(m.source));
    const file = confs.get(name);
    if (!file || !existsSync(file)) return [`${name} has no config file on disk`];
    const conf = readConf(file);
    names.add(/server_name\s*[:=]\s*"?(\w+)/.exec(conf)?.[1] ?? '');
    const routes = routeHosts(conf);
    const vars = [...conf.matchAll(/\$([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]);
    return [
      ...missingMounts.map((m) => `${name} mounts ${m.source}, which does not exist`),
      ...routes.filter((r) => !nats.includes(r.host) || r.host === name).map((r) => `${name} routes to ${r.host}`),
      ...nats.filter((n) => n !== name && !routes.some((r) => r.host === n)).map((n) => `${name} has no route to ${n}`),
      ...routes
        .filter((r) => !routeListens(confs.get(r.host), r.port))
        .map((r) => `${name} routes to ${r.host} on a port it does not listen on`),
      ...vars.filter((v) => !(v in envOf(compose.services[name]))).map((v) => `${name} does not pass $${v}`),
    ];
  });
  return names.size === nats.length ? problems : [...problems, 'NATS server_names are not distinct'];
}

function routeListens(file: string | undefined, port: string): boolean {
  if (!file || !existsSync(file)) return false;
  const cluster = /cluster\s*[:=]?\s*\{([\s\S]*?)\n\}/.exec(readConf(file))?.[1] ?? '';
  return new RegExp(`(listen\\s*[:=]\\s*\\S*:${port}\\b)|(port\\s*[:=]\\s*${port}\\b)`).test(cluster);
}

function checkNatsUsers(compose: Compose): string[] {
  return nodeNames.flatMap((name) => {
    const env = envOf(compose.services[name]);
    const server = hostsOf(env.NATS_URL ?? 'nats://missing')[0];
    const file = compose.services[server] && natsConfigFile(compose.services[server]);
    const users =
      file && existsSync(file) ? [...readConf(file).matchAll(/\buser\s*[:=]\s*"?(\w+)/g)].map((m) => m[1]) : [];
    return [
      ...(users.includes(env.NATS_USER) ? [] : [`${name} NATS_USER ${env.NATS_USER} is not a user of ${server}`]),
      ...(env.NATS_USER === env.NODE_ID
        ? []
        : [`${name} NATS_USER is not its NODE_ID, so its paxos permissions are wrong`]),
    ];
  });
}

/** Runs `nats-server -t`, giving every $VAR the configs reference a value, as compose does. */
function testNatsConfig(file: string): {
  status: number | null;
  output: string;
} {
  const confs = readdirSync(natsDir).filter((f) => f.endsWith('.conf'));
  const vars = confs.flatMap((f) => [...readFileSync(join(natsDir, f), 'utf8').matchAll(/\$([A-Z_][A-Z0-9_]*)/g)]);
  const env = {
    ...process.env,
    ...Object.fromEntries(vars.map((m) => [m[1], `test-${m[1].toLowerCase()}`])),
  };
  const run = spawnSync(natsServer, ['-t', '-c', file], {
    env,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return {
    status: run.status,
    output: `${run.stdout}${run.stderr}${run.error ?? ''}`,
  };
}

/** The Dockerfile's stages: each FROM image and the ENV it sets. */
function dockerStages(text: string): { from: string; env: Record<string, string> }[] {
  const stages: { from: string; env: Record<string, string> }[] = [];
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    const from = /^FROM\s+(\S+)/i.exec(line);
    if (from) stages.push({ from: from[1], env: {} });
    const env = /^ENV\s+(\w+)[= ](\S+)/i.exec(line);
    if (env && stages.length > 0) stages[stages.length - 1].env[env[1]] = env[2];
  }
  return stages;
}

function readDockerfile(): string {
  return readFileSync(join(root, 'Dockerfile'), 'utf8');
}

/** Published ports as {host, container}. */
function publishedPorts(service: Service): { host: string; container: string }[] {
  return ((service.ports ?? []) as (string | number | { published?: unknown; target?: unknown })[]).map((p) => {
    if (typeof p === 'object') return { host: String(p.published ?? ''), container: String(p.target ?? '') };
    const parts = String(p).split(':');
    return { host: parts.slice(0, -1).join(':'), container: parts[parts.length - 1].split('/')[0] };
  });
}

/** Nodes listen on every interface of their container, and publish the port they listen on. */
function checkNodeBindAddress(compose: Compose, dockerfile = readDockerfile()): string[] {
  const image = dockerStages(dockerfile).at(-1)?.env ?? {};
  return nodeNames.flatMap((name) => {
    const env = envOf(compose.services[name]);
    const host = env.HTTP_HOST ?? image.HTTP_HOST;
    const port = env.HTTP_PORT ?? image.HTTP_PORT ?? '3000';
    const published = publishedPorts(compose.services[name]);
    return [
      ...(host === '0.0.0.0' || host === '::' ? [] : [`${name} listens on ${host ?? 'the default 127.0.0.1'}, which a published port cannot reach`]),
      ...(published.length > 0 && published.every((p) => p.container === port) ? [] : [`${name} does not publish its HTTP port ${port}`]),
    ];
  });
}

/** The Dockerfile builds and runs on a current Node LTS (an even major of 22 or later). */
function checkNodeImage(dockerfile = readDockerfile()): string[] {
  return dockerStages(dockerfile).flatMap(({ from }) => {
    const major = Number(/^node:(\d+)/.exec(from)?.[1] ?? NaN);
    return major >= 22 && major % 2 === 0 ? [] : [`the Dockerfile builds FROM ${from}, not a current Node LTS`];
  });
}

/** Every NATS service has a healthcheck on its monitoring port, and every node waits for it. */
function checkNatsHealth(compose: Compose): string[] {
  return natsServices(compose).flatMap((name) => {
    const service = compose.services[name];
    const health = service.healthcheck as { test?: string[] | string; disable?: boolean } | undefined;
    const test = Array.isArray(health?.test) ? health.test.join(' ') : (health?.test ?? '');
    const file = natsConfigFile(service);
    const monitor = file && existsSync(file) ? /http_port\s*[:=]\s*(\d+)/.exec(readConf(file))?.[1] : undefined;
    return [
      ...(!health || health.disable || test === '' ? [`${name} has no healthcheck`] : []),
      // The plain nats image is built FROM scratch: no wget or shell to run a healthcheck with.
      ...(/wget|curl|CMD-SHELL/.test(test) && !/alpine/.test(String(service.image)) ? [`${name} runs its healthcheck in ${String(service.image)}, which has no shell or wget`] : []),
      ...(monitor && test.includes(`:${monitor}/`) ? [] : [`${name}'s healthcheck does not probe its monitoring port ${monitor ?? '(none configured)'}`]),
      ...nodeNames.filter((node) => dependsOn(compose.services[node])[name] !== 'service_healthy').map((node) => `${node} does not wait for ${name} to be healthy`),
    ];
  });
}

/** Some NATS service publishes its client port, for the CLI and client programs outside compose. */
function checkNatsClientPort(compose: Compose): string[] {
  const published = natsServices(compose).some((name) => {
    const file = natsConfigFile(compose.services[name]);
    const port = (file && existsSync(file) && /^\s*port\s*[:=]\s*(\d+)/m.exec(readConf(file))?.[1]) || '4222';
    return publishedPorts(compose.services[name]).some((p) => p.container === port);
  });
  return published ? [] : ['no NATS service publishes its client port'];
}

/** Each node has a MySQL server of its own (healthy before the node starts), on its own volume. */
function checkMysqlPerNode(compose: Compose): string[] {
  const hosts = nodeNames.map((name) => new URL(envOf(compose.services[name]).MYSQL_URL ?? 'mysql://missing').hostname);
  const volumes = hosts.map((host) => {
    const list = (compose.services[host]?.volumes ?? []) as (string | { source?: string })[];
    return list.map((v) => (typeof v === 'string' ? v.split(':')[0] : String(v.source))).join(',');
  });
  return [
    ...(new Set(hosts).size === nodeNames.length ? [] : [`nodes share a MySQL server: ${hosts.join(',')}`]),
    ...hosts.filter((host) => !String(compose.services[host]?.image ?? '').startsWith('mysql:')).map((host) => `${host} is not a MySQL service`),
    ...hosts.filter((host) => !compose.services[host]?.healthcheck).map((host) => `${host} has no healthcheck`),
    ...(new Set(volumes).size === hosts.length && volumes.every((v) => v !== '') ? [] : ['the MySQL servers do not each have a data volume of their own']),
  ];
}

/** The nodes' secrets have no defaults: compose refuses to start without them (`${VAR:?message}`). */
function checkSecretsRequired(compose: Compose): string[] {
  return nodeNames.flatMap((name) => {
    const env = rawEnvOf(compose.services[name]);
    return ['JWT_SECRET', 'ADMIN_PASSWORD']
      .filter((key) => !new RegExp(`^\\$\\{${key}:?\\?[^}]+\\}$`).test(env[key] ?? ''))
      .map((key) => `${name} ${key} is not required (${env[key] ?? 'unset'}); use \${${key}:?message}`);
  });
}

/** No password has a default: compose refuses to start until each one is set (OWASP ASVS: no default credentials). */
function checkNoDefaultPasswords(): string[] {
  const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
  return [...text.matchAll(/\$\{([A-Z0-9_]*(?:PASSWORD|SECRET)[A-Z0-9_]*):?-[^}]*\}/g)].map((m) => `${m[1]} has a default (${m[0]}); use \${${m[1]}:?message}`);
}

/** The student-records service runs, as the NATS user `records`, on the NATS servers, with its archives on a volume. */
function checkRecordsService(compose: Compose): string[] {
  const entry = Object.entries(compose.services).find(([, s]) => JSON.stringify(s.command ?? '').includes('dist/records/main.js'));
  if (!entry) return ['no service runs the records service (dist/records/main.js)'];
  const [name, service] = entry;
  const env = envOf(service);
  const nats = natsServices(compose);
  const hosts = hostsOf(env.NATS_URL ?? 'nats://missing');
  const file = natsConfigFile(compose.services[nats[0]]);
  const users = file && existsSync(file) ? [...readConf(file).matchAll(/\buser\s*[:=]\s*"?(\w+)/g)].map((m) => m[1]) : [];
  const volumes = ((service.volumes ?? []) as (string | { target?: string })[]).map((v) => (typeof v === 'string' ? v.split(':')[1] : v.target));
  const build = service.build as { context?: string } | undefined;
  return [
    ...(build || service.image ? [] : [`${name} has no image`]),
    ...hosts.filter((h) => !nats.includes(h)).map((h) => `${name} NATS_URL names ${h}, not a NATS service`),
    ...hosts.filter((h) => !dependsOn(service)[h]).map((h) => `${name} does not depend on ${h}`),
    ...(env.NATS_USER === 'records' && users.includes('records') ? [] : [`${name} does not connect as the NATS user records`]),
    ...(env.RECORDS_DIR && volumes.includes(env.RECORDS_DIR) ? [] : [`${name} keeps its archives (RECORDS_DIR ${env.RECORDS_DIR ?? 'unset'}) outside a volume`]),
  ];
}

const checks = {
  'the three nodes build from an existing Dockerfile': checkNodesBuild,
  "each node's NATS_URL names only NATS services of the file, its own first": checkNodeNats,
  "each node's MYSQL_URL names a service and its database is its own": checkNodeMysql,
  'NODE_IDs are distinct members of CLUSTER_NODES and shared settings agree': checkNodeIdentity,
  'each node depends on MySQL (healthy) and on its NATS servers': checkNodeDependencies,
  "NATS services' configs exist and route to the other NATS services": checkNatsServices,
  'each node connects as the NATS user named after it': checkNatsUsers,
  'each node listens on every interface of its container and publishes that port': checkNodeBindAddress,
  'each NATS service has a healthcheck the nodes wait for': checkNatsHealth,
  'a NATS client port is published': checkNatsClientPort,
  'each node has a MySQL server of its own': checkMysqlPerNode,
  'JWT_SECRET and ADMIN_PASSWORD are required, with no defaults': checkSecretsRequired,
  'no password or secret has a default': () => checkNoDefaultPasswords(),
  'the records service runs as the NATS user records, its archives on a volume': checkRecordsService,
};

describe('docker-compose.yml', () => {
  it.each(Object.entries(checks))('%s', (_title, check) => {
    expect(check(loadCompose())).toEqual([]);
  });
});

describe('Dockerfile', () => {
  it('builds and runs on a current Node LTS', () => {
    expect(checkNodeImage()).toEqual([]);
  });
});

describe('deploy/nats/*.conf', () => {
  const files = readdirSync(natsDir).filter((f) => f.endsWith('.conf'));

  it('has one config per NATS service and the shared users', () => {
    expect(files.sort()).toEqual(['accounts.conf', 'nats-1.conf', 'nats-2.conf', 'nats-3.conf']);
  });

  it.each(files)('%s passes nats-server -t', (file) => {
    const { status, output } = testNatsConfig(join(natsDir, file));
    expect({ status, output }).toEqual({
      status: 0,
      output: expect.stringContaining('is valid'),
    });
  });
});

describe('the checks catch broken files', () => {
  const env = (compose: Compose, node: string) => compose.services[node].environment as Record<string, string>;

  it('a node pointing at nats4', () => {
    const compose = loadCompose();
    env(compose, 'node1').NATS_URL = 'nats://nats4:4222,nats://nats2:4222,nats://nats3:4222';
    expect(checkNodeNats(compose)).toContain('node1 NATS_URL names nats4, not a NATS service');
    expect(checkNodeDependencies(compose)).toContain('node1 does not depend on nats4');
  });

  it('a MySQL host that is not a service, and two nodes on one database', () => {
    const compose = loadCompose();
    env(compose, 'node2').MYSQL_URL = 'mysql://root:pw@db:3306';
    env(compose, 'node3').MYSQL_DATABASE = 'behavior_n1';
    expect(checkNodeMysql(compose)).toEqual(
      expect.arrayContaining(['node2 MYSQL_URL names db, not a service', 'two nodes share a database']),
    );
  });

  it('a duplicate NODE_ID and a node outside CLUSTER_NODES', () => {
    const compose = loadCompose();
    env(compose, 'node3').NODE_ID = 'n2';
    expect(checkNodeIdentity(compose)).toContain('NODE_IDs are not distinct: n1,n2,n2');
    env(compose, 'node3').NODE_ID = 'n9';
    expect(checkNodeIdentity(compose)).toContain('node3 NODE_ID n9 is not in CLUSTER_NODES');
  });

  it('a missing Dockerfile, a missing NATS config and a missing dependency', () => {
    const compose = loadCompose();
    compose.services.node1.build = {
      context: '.',
      dockerfile: 'Nope.Dockerfile',
    };
    (compose.services.nats2.volumes as string[])[0] = './deploy/nats/nats-9.conf:/etc/nats/nats.conf:ro';
    delete (compose.services.node3.depends_on as Record<string, unknown>)['mysql-n3'];
    expect(checkNodesBuild(compose)).toHaveLength(1);
    expect(checkNatsServices(compose)).toContain('nats2 has no config file on disk');
    expect(checkNodeDependencies(compose)).toContain('node3 does not depend on mysql-n3');
  });

  it('a node bound to 127.0.0.1, or publishing a port it does not listen on', () => {
    const compose = loadCompose();
    env(compose, 'node1').HTTP_HOST = '127.0.0.1';
    compose.services.node2.ports = ['3002:4000'];
    expect(checkNodeBindAddress(compose)).toEqual(['node1 listens on 127.0.0.1, which a published port cannot reach', 'node2 does not publish its HTTP port 3000']);
    delete env(compose, 'node1').HTTP_HOST;
    const image = readDockerfile().replace(/^ENV HTTP_HOST=.*$/m, '');
    expect(checkNodeBindAddress(compose, image)).toContain('node1 listens on the default 127.0.0.1, which a published port cannot reach');
  });

  it('an old or odd Node base image', () => {
    expect(checkNodeImage(readDockerfile().replace(/node:\d+/g, 'node:20'))).toHaveLength(2);
    expect(checkNodeImage('FROM node:23-slim\n')).toEqual(['the Dockerfile builds FROM node:23-slim, not a current Node LTS']);
  });

  it('a NATS service without a healthcheck, on the scratch image, and a node that does not wait for it', () => {
    const compose = loadCompose();
    delete compose.services.nats1.healthcheck;
    compose.services.nats2.image = 'nats:2.10';
    (compose.services.node3.depends_on as Record<string, { condition: string }>).nats3.condition = 'service_started';
    expect(checkNatsHealth(compose)).toEqual(
      expect.arrayContaining([
        'nats1 has no healthcheck',
        'nats2 runs its healthcheck in nats:2.10, which has no shell or wget',
        'node3 does not wait for nats3 to be healthy',
      ]),
    );
  });

  it('no NATS client port published', () => {
    const compose = loadCompose();
    for (const name of natsServices(compose)) delete compose.services[name].ports;
    expect(checkNatsClientPort(compose)).toEqual(['no NATS service publishes its client port']);
  });

  it('two nodes on one MySQL server', () => {
    const compose = loadCompose();
    env(compose, 'node2').MYSQL_URL = env(compose, 'node1').MYSQL_URL;
    expect(checkMysqlPerNode(compose)).toEqual(expect.arrayContaining([expect.stringMatching(/^nodes share a MySQL server/)]));
  });

  it('a default JWT_SECRET or ADMIN_PASSWORD', () => {
    const compose = loadCompose();
    env(compose, 'node1').JWT_SECRET = '${JWT_SECRET:-dev-only-jwt-secret-change-me}';
    env(compose, 'node3').ADMIN_PASSWORD = 'admin-password';
    expect(checkSecretsRequired(compose)).toEqual([
      'node1 JWT_SECRET is not required (${JWT_SECRET:-dev-only-jwt-secret-change-me}); use ${JWT_SECRET:?message}',
      'node3 ADMIN_PASSWORD is not required (admin-password); use ${ADMIN_PASSWORD:?message}',
    ]);
  });

  it('no records service, or one that keeps its archives in the container', () => {
    const compose = loadCompose();
    delete (compose.services.records.environment as Record<string, string>).RECORDS_DIR;
    expect(checkRecordsService(compose)).toEqual(['records keeps its archives (RECORDS_DIR unset) outside a volume']);
    delete compose.services.records;
    expect(checkRecordsService(compose)).toEqual(['no service runs the records service (dist/records/main.js)']);
  });

  it('a NATS config nats-server rejects', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'nats-conf-')), 'broken.conf');
    writeFileSync(file, 'cluster { name: behavior, routes: [ nats://nats2:6222 }\n');
    expect(testNatsConfig(file).status).not.toBe(0);
  });
});
