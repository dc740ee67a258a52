import { ConfigError } from '../../src/consensus/config';
import { type SimResult, runSeed } from '../../src/simulation/run';

const SEEDS = 1000;

/** One line naming a failing seed and how to replay it. */
function failure(r: SimResult): string {
  return `seed ${r.seed} (${r.nodes} nodes): ${[...r.safety, ...r.liveness].join('; ')} | replay: npm run sim -- --seed ${r.seed}`;
}

describe('seeded simulation', () => {
  it(`seeds 1..${SEEDS} (odd: 5 nodes, even: 3) end with no safety violation and no liveness failure`, () => {
    const started = Date.now();
    const results = Array.from({ length: SEEDS }, (_, i) => runSeed({ seed: i + 1, nodes: (i + 1) % 2 === 0 ? 3 : 5 }));
    const safety = results.filter((r) => r.safety.length > 0).length;
    const liveness = results.filter((r) => r.liveness.length > 0).length;
    const slots = results.reduce((sum, r) => sum + r.slotsChosen, 0);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `seeds ${SEEDS} (3 and 5 nodes): ${safety} safety violations, ${liveness} liveness failures, ${slots} slots chosen, ${seconds} s`,
    );
    expect(results.filter((r) => r.safety.length > 0 || r.liveness.length > 0).map(failure)).toEqual([]);
    // the runs did real work under their faults: every seed chose slots and acknowledged values
    expect(results.filter((r) => r.slotsChosen === 0 || r.valuesAcked === 0).map((r) => r.seed)).toEqual([]);
    expect(new Set(results.map((r) => r.nodes))).toEqual(new Set([3, 5]));
  });

  it.each([7, 8])('replays seed %i exactly', (seed) => {
    const first = runSeed({ seed });
    const second = runSeed({ seed });
    expect(second).toEqual(first);
    // and a different seed is a different run
    expect(runSeed({ seed: seed + 2 })).not.toEqual(first);
  });
});

/** Seeds per flexible quorum configuration. */
const FLEXIBLE_SEEDS = 500;

describe('flexible quorums the configuration accepts', () => {
  it.each([
    [5, 4, 2],
    [5, 5, 1],
    [3, 3, 1],
  ])(`%i nodes with phase1Quorum %i / phase2Quorum %i: seeds 1..${FLEXIBLE_SEEDS} end with no safety violation and no liveness failure`, (nodes, q1, q2) => {
    const quorums = { nodes, phase1Quorum: q1, phase2Quorum: q2 };
    // given the configuration accepts these quorums (no bypass)
    const results = Array.from({ length: FLEXIBLE_SEEDS }, (_, i) => runSeed({ seed: i + 1, ...quorums }));
    // then every seed keeps every invariant and converges after the heal
    expect(results.filter((r) => r.safety.length > 0 || r.liveness.length > 0).map(failure)).toEqual([]);
    // and the runs did real work under their faults
    expect(results.filter((r) => r.slotsChosen === 0 || r.valuesAcked === 0).map((r) => r.seed)).toEqual([]);
    expect(results.every((r) => r.nodes === nodes)).toBe(true);
    // and the quorums were in force: the same seed with majority quorums runs differently
    expect(results.slice(0, 20).filter((r) => JSON.stringify(r) !== JSON.stringify(runSeed({ seed: r.seed, nodes })))).not.toEqual([]);
  });
});

/**
 * The conflicting-choice violation, with the two values: the simulator's cross-node check
 * ("slot 4 chosen with two values (n2 has A, another node B)") or a learner's own assertion
 * ("n2 asserted: slot 4 chosen twice with different values: A / B").
 */
const TWO_VALUES_FOR_ONE_SLOT = /^(?:slot \d+ chosen with two values \(n\d+ has (.+), another node (.+)\)|n\d+ asserted: slot \d+ chosen twice with different values: (.+) \/ (.+))$/;

describe('mutation test: quorums that need not intersect', () => {
  it.each([
    [5, 2, 2],
    [3, 1, 1],
  ])(
    '%i nodes with phase1Quorum %i / phase2Quorum %i: the simulator finds a safety violation within 300 seeds',
    (nodes, q1, q2) => {
      const mutated = { nodes, phase1Quorum: q1, phase2Quorum: q2 };
      // given the configuration refuses such quorums unless validation is bypassed
      expect(() => runSeed({ seed: 1, ...mutated })).toThrow(ConfigError);
      // when seeds run with the bypass until one breaks safety
      let found: SimResult | undefined;
      for (let seed = 1; seed <= 300 && found === undefined; seed++) {
        const result = runSeed({ seed, ...mutated, allowNonIntersectingQuorums: true });
        if (result.safety.length > 0) found = result;
      }
      // then one does, and the violation is the one disjoint quorums cause: one slot chosen with
      // two different values (seen across nodes, or by a node's learner), not any other message
      expect(found).toBeDefined();
      const first = found as SimResult;
      console.log(
        `mutation ${nodes} nodes ${q1}/${q2}: first safety violation at seed ${first.seed}: ${first.safety[0]} ` +
          `(replay: runSeed({ seed: ${first.seed}, nodes: ${nodes}, phase1Quorum: ${q1}, phase2Quorum: ${q2}, allowNonIntersectingQuorums: true }))`,
      );
      expect(first.safety).toContainEqual(expect.stringMatching(TWO_VALUES_FOR_ONE_SLOT));
      const m = TWO_VALUES_FOR_ONE_SLOT.exec(first.safety.find((s) => TWO_VALUES_FOR_ONE_SLOT.test(s))!)!;
      expect(m[1] ?? m[3]).not.toBe(m[2] ?? m[4]);
      // and the same seed with majority quorums is safe: the quorums are the cause
      expect(runSeed({ seed: first.seed, nodes }).safety).toEqual([]);
    },
  );
});

/** Seeds of each membership run: the operator grows, shrinks and replaces nodes (the leader too) under every fault. */
const MEMBERSHIP_SEEDS = 150;

describe('membership changes under faults', () => {
  it(`seeds 1..${MEMBERSHIP_SEEDS}: no two configurations choose different values for a slot, and the cluster converges`, () => {
    const results = Array.from({ length: MEMBERSHIP_SEEDS }, (_, i) => runSeed({ seed: i + 1, membership: true }));
    const liveness = results.filter((r) => r.liveness.length > 0);
    console.log(
      `membership seeds ${MEMBERSHIP_SEEDS}: ${results.filter((r) => r.safety.length > 0).length} safety violations, ${liveness.length} liveness failures, ` +
        `${results.reduce((n, r) => n + r.configChanges, 0)} configuration changes applied${liveness.length ? `; liveness: ${liveness.slice(0, 3).map(failure).join(' || ')}` : ''}`,
    );
    expect(results.filter((r) => r.safety.length > 0).map(failure)).toEqual([]);
    // the operator's changes were decided: every seed applied bindings and at least one add or removal
    expect(results.filter((r) => r.configChanges < 4).map((r) => r.seed)).toEqual([]);
    expect(liveness.length).toBeLessThanOrEqual(MEMBERSHIP_SEEDS * 0.02);
  });
});

describe('chosen tails lost at a crash', () => {
  it(`seeds 1..${MEMBERSHIP_SEEDS}: every node crashes at once and restarts with up to 2α chosen slots unstored (membership changing), and no safety invariant breaks`, () => {
    const results = Array.from({ length: MEMBERSHIP_SEEDS }, (_, i) => runSeed({ seed: i + 1, membership: true, lostTails: true }));
    const liveness = results.filter((r) => r.liveness.length > 0);
    console.log(`lost-tail seeds ${MEMBERSHIP_SEEDS}: ${results.filter((r) => r.safety.length > 0).length} safety violations, ${liveness.length} liveness failures`);
    expect(results.filter((r) => r.safety.length > 0).map(failure)).toEqual([]);
    expect(liveness.length).toBeLessThanOrEqual(MEMBERSHIP_SEEDS * 0.02);
  });
});

describe('lost and rolled-back storage', () => {
  it(`with the guard, seeds 1..${MEMBERSHIP_SEEDS} of wipes and restored backups (and membership changes) keep every safety invariant`, () => {
    const results = Array.from({ length: MEMBERSHIP_SEEDS }, (_, i) => runSeed({ seed: i + 1, membership: true, storageFaults: true }));
    const liveness = results.filter((r) => r.liveness.length > 0);
    console.log(`storage-fault seeds ${MEMBERSHIP_SEEDS}: ${results.filter((r) => r.safety.length > 0).length} safety violations, ${liveness.length} liveness failures`);
    expect(results.filter((r) => r.safety.length > 0).map(failure)).toEqual([]);
    expect(results.filter((r) => r.valuesAcked === 0).map((r) => r.seed)).toEqual([]);
    expect(liveness.length).toBeLessThanOrEqual(MEMBERSHIP_SEEDS * 0.02);
  });

  it.each(['wipe', 'rollback'] as const)('mutation: without the guard, a %s makes the simulator find one slot chosen with two values', (kind) => {
    let found: SimResult | undefined;
    for (let seed = 1; seed <= 600 && found === undefined; seed++) {
      const result = runSeed({ seed, membership: true, storageFaults: kind, guard: false });
      if (result.safety.some((s) => TWO_VALUES_FOR_ONE_SLOT.test(s))) found = result;
    }
    expect(found).toBeDefined();
    const first = found as SimResult;
    console.log(`mutation ${kind} without guard: first violation at seed ${first.seed}: ${first.safety[0]}`);
    // and the same seed with the guard is safe: the guard is what keeps it
    expect(runSeed({ seed: first.seed, membership: true, storageFaults: kind }).safety).toEqual([]);
  });
});
