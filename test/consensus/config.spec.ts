import { ConfigError, type ConsensusConfigInput, consensusConfig } from '../../src/consensus/config';

const members = (n: number): string[] => Array.from({ length: n }, (_, i) => `n${i + 1}`);
const input = (n: number, extra: Partial<ConsensusConfigInput> = {}): ConsensusConfigInput => ({
  nodeId: 'n1',
  members: members(n),
  ...extra,
});

describe('consensusConfig: quorums', () => {
  it.each([
    [1, 1, 1],
    [3, 2, 2],
    [4, 3, 3],
    [5, 3, 3],
  ])('defaults to majorities: %i members -> phase1Quorum %i, phase2Quorum %i', (n, q1, q2) => {
    const config = consensusConfig(input(n));
    expect(config.phase1Quorum).toBe(q1);
    expect(config.phase2Quorum).toBe(q2);
  });

  it.each([
    [5, 2, 3],
    [5, 2, 2],
    [3, 1, 2],
    [3, 1, 1],
  ])('refuses %i members with quorums %i/%i that need not intersect, naming both quorums', (n, q1, q2) => {
    const build = (): unknown => consensusConfig(input(n, { phase1Quorum: q1, phase2Quorum: q2 }));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(`phase1Quorum (${q1}) + phase2Quorum (${q2}) must exceed members (${n})`);
  });

  it('refuses a phase1Quorum below a majority even when it intersects phase 2 (5 members, 2/4): two leaders could both win', () => {
    expect(() => consensusConfig(input(5, { phase1Quorum: 2, phase2Quorum: 4 }))).toThrow(
      /phase1Quorum \(2\) must be a majority of 5/,
    );
  });

  it('accepts intersecting flexible quorums (5 members, 4/2)', () => {
    expect(consensusConfig(input(5, { phase1Quorum: 4, phase2Quorum: 2 }))).toMatchObject({
      phase1Quorum: 4,
      phase2Quorum: 2,
    });
  });

  it.each([
    [5, 2, 3],
    [5, 2, 2],
    [3, 1, 2],
    [3, 1, 1],
  ])(
    'lets %i members with %i/%i through when allowNonIntersectingQuorums is set (the mutation test only)',
    (n, q1, q2) => {
      const config = consensusConfig(input(n, { phase1Quorum: q1, phase2Quorum: q2 }), {
        allowNonIntersectingQuorums: true,
      });
      expect(config).toMatchObject({ phase1Quorum: q1, phase2Quorum: q2 });
    },
  );

  it.each([0, 1.5, 4])('refuses phase1Quorum %p with 3 members even when intersection checks are off', (q) => {
    const build = (): unknown => consensusConfig(input(3, { phase1Quorum: q }), { allowNonIntersectingQuorums: true });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow('phase1Quorum must be an integer in 1..3');
  });
});

describe('consensusConfig: membership', () => {
  it.each<[string, ConsensusConfigInput, RegExp]>([
    ['no members', { nodeId: 'n1', members: [] }, /at least one node/],
    ['a nodeId that is not a valid id', { nodeId: 'n 9', members: members(3) }, /nodeId must match/],
    ['duplicate members', { nodeId: 'n1', members: ['n1', 'n2', 'n2'] }, /members must be distinct: n1,n2,n2/],
    ['a member id with a space', { nodeId: 'n1', members: ['n1', 'n 2', 'n3'] }, /member ids must match/],
    ['a member id with a NATS wildcard', { nodeId: 'n1', members: ['n1', 'n2.>', 'n3'] }, /member ids must match/],
  ])('refuses %s', (_, bad, message) => {
    expect(() => consensusConfig(bad)).toThrow(ConfigError);
    expect(() => consensusConfig(bad)).toThrow(message);
  });
});

describe('consensusConfig: limits', () => {
  const limits = [
    'heartbeatTicks',
    'electionTicksMin',
    'electionTicksMax',
    'retransmitTicks',
    'inflightSlotsMax',
    'batchCommandsMax',
    'batchBytesMax',
    'pendingCommandsMax',
    'acceptWindowSlots',
    'catchupBatchMax',
  ] as const;

  it.each(limits.flatMap((key) => [0, -1, 1.5, Number.NaN].map((value) => [key, value] as const)))(
    'refuses %s = %p',
    (key, value) => {
      const build = (): unknown => consensusConfig(input(3, { [key]: value }));
      expect(build).toThrow(ConfigError);
      expect(build).toThrow(`${key} must be a positive integer`);
    },
  );

  it.each([
    [30, 30],
    [30, 20],
  ])('refuses electionTicksMax (%i -> max %i) not above electionTicksMin', (min, max) => {
    expect(() => consensusConfig(input(3, { electionTicksMin: min, electionTicksMax: max }))).toThrow(
      'electionTicksMax must exceed electionTicksMin',
    );
  });

  it('refuses electionTicksMin not above twice heartbeatTicks: followers would time out between heartbeats', () => {
    expect(() => consensusConfig(input(3, { heartbeatTicks: 5, electionTicksMin: 10, electionTicksMax: 40 }))).toThrow(
      'electionTicksMin must exceed twice heartbeatTicks',
    );
  });

  it('refuses acceptWindowSlots below twice inflightSlotsMax', () => {
    expect(() => consensusConfig(input(3, { inflightSlotsMax: 64, acceptWindowSlots: 127 }))).toThrow(
      'acceptWindowSlots must be at least twice inflightSlotsMax',
    );
  });

  it('accepts the boundary values', () => {
    const config = consensusConfig(
      input(3, {
        heartbeatTicks: 5,
        electionTicksMin: 11,
        electionTicksMax: 12,
        inflightSlotsMax: 64,
        acceptWindowSlots: 128,
        batchBytesMax: 1000,
        phase1bBytesMax: 128 * (1000 + 128),
      }),
    );
    expect(config).toMatchObject({ electionTicksMin: 11, electionTicksMax: 12, acceptWindowSlots: 128 });
  });

  it('refuses a promise budget that cannot hold a full accept window', () => {
    expect(() => consensusConfig(input(3, { batchBytesMax: 1000, acceptWindowSlots: 32, phase1bBytesMax: 32 * 1128 - 1 }))).toThrow(
      /phase1bBytesMax .* must hold acceptWindowSlots/,
    );
  });

  it('fills defaults for settings left out or given as undefined', () => {
    const config = consensusConfig(input(3, { heartbeatTicks: undefined, catchupBatchMax: 9 }));
    expect(config).toMatchObject({
      heartbeatTicks: 5,
      catchupBatchMax: 9,
      inflightSlotsMax: 16,
      acceptWindowSlots: 32,
      batchBytesMax: 24 * 1024,
      phase1bBytesMax: 800_000,
    });
  });
});
