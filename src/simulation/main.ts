import { type SimResult, runSeed } from './run';

/**
 * `npm run sim -- [--seeds N] [--from S] [--seed S] [--nodes 3|5] [--trace]`: runs seeds of the
 * Multi-Paxos simulation and prints one summary line; a failing seed is named so that
 * `--seed S` replays it exactly.
 */
function main(argv: string[]): number {
  const args = parseArgs(argv);
  if (args === null) {
    process.stderr.write('usage: npm run sim -- [--seeds N] [--from S] [--seed S] [--nodes 3|5] [--trace]\n');
    return 2;
  }
  const started = Date.now();
  const seeds = args.seed !== undefined ? [args.seed] : Array.from({ length: args.seeds }, (_, i) => args.from + i);
  const failures: SimResult[] = [];
  let slots = 0;
  let safety = 0;
  let liveness = 0;
  const sizes = new Set<number>();
  for (const seed of seeds) {
    const result = runSeed({ seed, nodes: args.nodes, trace: args.trace ? (l) => process.stdout.write(`${l}\n`) : undefined });
    sizes.add(result.nodes);
    slots += result.slotsChosen;
    safety += result.safety.length > 0 ? 1 : 0;
    liveness += result.liveness.length > 0 ? 1 : 0;
    if (result.safety.length > 0 || result.liveness.length > 0) failures.push(result);
    if (args.seed !== undefined) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  }
  for (const f of failures) {
    process.stdout.write(`FAILED seed ${f.seed} (${f.nodes} nodes): ${[...f.safety, ...f.liveness].join('; ')}\n`);
    process.stdout.write(`  replay: npm run sim -- --seed ${f.seed}\n`);
  }
  const nodeText = [...sizes].sort().join(' and ');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `seeds ${seeds.length} (${nodeText} nodes): ${safety} safety violations, ${liveness} liveness failures, ${slots} slots chosen, ${seconds} s\n`,
  );
  return failures.length > 0 ? 1 : 0;
}

interface Args {
  seeds: number;
  from: number;
  seed?: number;
  nodes?: number;
  trace: boolean;
}

function parseArgs(argv: string[]): Args | null {
  const args: Args = { seeds: 500, from: 1, trace: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--trace') {
      args.trace = true;
      continue;
    }
    const value = Number(argv[++i]);
    if (!Number.isSafeInteger(value) || value < 0) return null;
    if (flag === '--seeds') args.seeds = value;
    else if (flag === '--from') args.from = value;
    else if (flag === '--seed') args.seed = value;
    else if (flag === '--nodes' && (value === 3 || value === 5)) args.nodes = value;
    else return null;
  }
  return args;
}

process.exitCode = main(process.argv.slice(2));
