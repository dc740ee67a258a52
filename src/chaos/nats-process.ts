import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NATS_SERVER_BIN } from '../bench/nats-server-child';
import { pollUntil } from '../bench/poll';
import { LOOPBACK, canConnect } from '../bench/ports';

/** The locked-down users and permissions every deployment and the chaos harness use. */
const ACCOUNTS_CONF = resolve(__dirname, '..', '..', 'deploy', 'nats', 'accounts.conf');

/** The password variables deploy/nats/accounts.conf reads from the server's environment. */
export const NATS_PASSWORD_VARS = ['NATS_N1_PASSWORD', 'NATS_N2_PASSWORD', 'NATS_N3_PASSWORD', 'NATS_API_PASSWORD', 'NATS_INTEGRATION_PASSWORD', 'NATS_BENCH_PASSWORD', 'NATS_RECORDS_PASSWORD', 'NATS_OPERATOR_PASSWORD'] as const;

/** The password variable of a node's NATS user: `n4` -> `NATS_N4_PASSWORD`. */
export function natsPasswordVar(nodeId: string): string {
  return `NATS_${nodeId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_PASSWORD`;
}

/** A node id as a whole word (`n1`, not `n10`; `_INBOX_n1` counts: `_` is not part of an id here). */
const nodeIdWord = (id: string): RegExp => new RegExp(`(?<![A-Za-z0-9-])${id}(?![A-Za-z0-9-])`, 'g');

/**
 * The shipped accounts.conf with a user for each of `nodeIds` (nodes added later, `cluster:add-node`):
 * the n1 block copied with n1 replaced by the new id everywhere and its own password variable, as
 * the file's header tells an operator to do.
 *
 * @throws Error when the file has no n1 block to copy (it changed shape)
 */
export function accountsConfWithNodes(shipped: string, nodeIds: readonly string[]): string {
  if (nodeIds.length === 0) return shipped;
  const block = /\n( *)\{\n\s*user: n1\n[\s\S]*?\n\1\}\n/.exec(shipped);
  if (block === null) throw new Error('accounts.conf has no user block for n1 to copy');
  const copies = nodeIds.map((id) => block[0].slice(1).replace(/NATS_N1_PASSWORD/g, natsPasswordVar(id)).replace(nodeIdWord('n1'), id));
  const at = block.index + block[0].length;
  return `${shipped.slice(0, at)}${copies.join('')}${shipped.slice(at)}`;
}

/** One server of the chaos NATS cluster. */
export interface NatsProcessSpec {
  readonly name: string;
  readonly dir: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  /** Where this server dials its peers: the ports of the route proxies in front of them. */
  readonly routePorts: readonly number[];
  /** Values of NATS_PASSWORD_VARS (and of the extra nodes' variables) for the server's environment. */
  readonly passwords: Readonly<Record<string, string>>;
  /** Node users beyond n1..n3 (spares the harness may start later), added to the shipped accounts.conf. */
  readonly extraNodeUsers?: readonly string[];
}

/**
 * The config of one chaos server: the shipped accounts.conf (one user per node and per client
 * kind), routes through the proxies, and pings every second with two outstanding at most, so a
 * cut route is dropped within about three seconds.
 */
function natsServerConfig(spec: NatsProcessSpec): string {
  return [
    `server_name: ${spec.name}`,
    `listen: ${LOOPBACK}:${spec.clientPort}`,
    'ping_interval: "1s"',
    'ping_max: 2',
    `log_file: "${join(spec.dir, 'nats-server.log')}"`,
    'include ./accounts.conf',
    'cluster {',
    '  name: chaos',
    `  listen: ${LOOPBACK}:${spec.clusterPort}`,
    `  routes: [${spec.routePorts.map((p) => `nats://${LOOPBACK}:${p}`).join(', ')}]`,
    '}',
    '',
  ].join('\n');
}

/** A nats-server child of the chaos harness, restartable on the same ports, stopped by pid. */
export class NatsProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  readonly configFile: string;

  constructor(readonly spec: NatsProcessSpec) {
    this.configFile = join(spec.dir, 'nats.conf');
  }

  get url(): string {
    return `nats://${LOOPBACK}:${this.spec.clientPort}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Writes the config and checks it with `nats-server -t`.
   * @throws Error with the server's complaint when the config is refused
   */
  writeConfig(): void {
    writeFileSync(join(this.spec.dir, 'accounts.conf'), accountsConfWithNodes(readFileSync(ACCOUNTS_CONF, 'utf8'), this.spec.extraNodeUsers ?? []));
    writeFileSync(this.configFile, natsServerConfig(this.spec));
    const check = spawnSync(NATS_SERVER_BIN, ['-t', '-c', this.configFile], { env: this.env(), encoding: 'utf8', timeout: 10_000 });
    if (check.status !== 0) throw new Error(`nats-server -t refused ${this.configFile}: ${check.stderr || check.stdout}`);
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.spec.name} is already running`);
    const child = spawn(NATS_SERVER_BIN, ['-c', this.configFile], { stdio: 'ignore', env: this.env() });
    this.child = child;
    this.exited = new Promise((done) => {
      child.once('exit', () => done());
      child.once('error', () => done());
    });
    await pollUntil(`${this.spec.name} accepting clients`, async () => {
      if (!this.running) throw new Error(`${this.spec.name} exited at start`);
      return canConnect(this.spec.clientPort);
    }, { timeoutMs: 10_000, everyMs: 50, attemptsMax: 202 });
  }

  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGTERM');
    const timer = new Promise((done) => setTimeout(done, 5000).unref());
    await Promise.race([this.exited, timer]);
    if (this.running) this.child!.kill('SIGKILL');
    await this.exited;
  }

  killNow(): void {
    if (this.running) this.child!.kill('SIGKILL');
  }

  private env(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, ...this.spec.passwords };
  }
}
