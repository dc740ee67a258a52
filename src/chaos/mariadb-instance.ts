import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from '../bench/poll';
import { LOOPBACK, canConnect } from '../bench/ports';

/** The server binary and the tool that creates a data dir; overridable for other layouts. */
const MARIADBD_BIN = process.env.MARIADBD_BIN ?? '/usr/sbin/mariadbd';
const MARIADB_INSTALL_DB_BIN = process.env.MARIADB_INSTALL_DB_BIN ?? 'mariadb-install-db';

/** How long a server may take to accept TCP after spawn (crash recovery included). */
const START_TIMEOUT_MS = 60_000;
const EXIT_WAIT_MS = 10_000;
/** innodb_flush_log_at_timeout of an unsafe server (seconds of commits a crash may lose). */
const UNSAFE_FLUSH_TIMEOUT_S = 3;

/** One host's own MariaDB: its data dir, socket, pid file and loopback port. */
export interface MariadbSpec {
  readonly name: string;
  readonly dir: string;
  readonly port: number;
  /** innodb_flush_log_at_trx_commit: 1 (the safe setting) or 0 (the negative control). */
  readonly flushLogAtTrxCommit: 0 | 1 | 2;
}

/**
 * A private mariadbd a chaos run owns: created with mariadb-install-db in a temp dir, started on a
 * spare loopback port, SIGKILLed and restarted (crash recovery) on the same data dir, stopped by
 * its pid. Root has no password and only loopback TCP is open.
 */
export class MariadbInstance {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly spec: MariadbSpec) {}

  get url(): string {
    return `mysql://root@${LOOPBACK}:${this.spec.port}`;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Creates the data dir (once).
   * @throws Error with the tool's output when it fails
   */
  install(): void {
    mkdirSync(this.tmpDir, { recursive: true });
    const result = spawnSync(
      MARIADB_INSTALL_DB_BIN,
      [
        '--no-defaults',
        `--datadir=${this.dataDir}`,
        `--tmpdir=${this.tmpDir}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
        `--user=${userName()}`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    if (result.status !== 0) throw new Error(`mariadb-install-db for ${this.spec.name} failed: ${result.stderr || result.stdout || result.error}`);
  }

  /** Spawns mariadbd and waits (bounded) until it accepts TCP. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.spec.name} is already running`);
    const child = spawn(MARIADBD_BIN, this.args(), { stdio: 'ignore' });
    this.child = child;
    this.exited = new Promise((done) => {
      child.once('exit', () => done());
      child.once('error', () => done());
    });
    await pollUntil(
      `${this.spec.name} accepting connections on ${this.spec.port}`,
      async () => {
        if (!this.running) throw new MariadbExitedError(`${this.spec.name} exited at start:\n${this.errorLogTail()}`);
        return canConnect(this.spec.port);
      },
      { timeoutMs: START_TIMEOUT_MS, everyMs: 100, attemptsMax: START_TIMEOUT_MS / 100 + 2, isFatal: (e) => e instanceof MariadbExitedError },
    );
  }

  /** SIGKILL (a crash: whatever InnoDB did not flush is lost) and waits for the exit. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGKILL');
    await this.waitExit(EXIT_WAIT_MS);
  }

  /** SIGTERM, SIGKILL after a bounded wait. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGTERM');
    if (await this.waitExit(EXIT_WAIT_MS)) return;
    this.child!.kill('SIGKILL');
    await this.waitExit(EXIT_WAIT_MS);
  }

  /** SIGKILL without waiting, for a process 'exit' hook. */
  killNow(): void {
    if (this.running) this.child!.kill('SIGKILL');
  }

  errorLogTail(chars = 2000): string {
    try {
      return readFileSync(join(this.spec.dir, 'error.log'), 'utf8').slice(-chars);
    } catch {
      return '(no error log)';
    }
  }

  private get dataDir(): string {
    return join(this.spec.dir, 'data');
  }

  /**
   * Its own temporary files' folder: installs and servers sharing /tmp once failed a bootstrap
   * (a temporary table file of the install gone before the install removed it).
   */
  private get tmpDir(): string {
    return join(this.spec.dir, 'tmp');
  }

  private args(): string[] {
    const dir = this.spec.dir;
    return [
      '--no-defaults',
      `--datadir=${this.dataDir}`,
      `--tmpdir=${this.tmpDir}`,
      `--port=${this.spec.port}`,
      `--bind-address=${LOOPBACK}`,
      `--socket=${join(dir, 'mysqld.sock')}`,
      `--pid-file=${join(dir, 'mysqld.pid')}`,
      `--log-error=${join(dir, 'error.log')}`,
      `--user=${userName()}`,
      `--innodb-flush-log-at-trx-commit=${this.spec.flushLogAtTrxCommit}`,
      // With 0, InnoDB writes its log only every innodb_flush_log_at_timeout seconds: a kill loses
      // what committed since. A few seconds make the negative control's loss reliable while the
      // schema and migrations of a start a few seconds old are already on disk.
      ...(this.spec.flushLogAtTrxCommit === 1 ? [] : [`--innodb-flush-log-at-timeout=${UNSAFE_FLUSH_TIMEOUT_S}`]),
      '--innodb-buffer-pool-size=64M',
      '--innodb-log-file-size=48M',
      '--skip-name-resolve',
      '--skip-log-bin',
      '--max-connections=200',
      '--local-infile=1',
    ];
  }

  private async waitExit(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((done) => (timer = setTimeout(() => done(false), ms)));
    const result = await Promise.race([this.exited.then(() => true as const), timeout]);
    clearTimeout(timer);
    return result;
  }
}

class MariadbExitedError extends Error {
  override readonly name = 'MariadbExitedError';
}

function userName(): string {
  return process.env.USER ?? (process.getuid?.() === 0 ? 'root' : 'mysql');
}
