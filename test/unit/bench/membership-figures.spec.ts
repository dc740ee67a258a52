import { errorKind, phasesOf, ratePerSecond, windowFigures } from '../../../src/bench/membership-figures';

describe('windowFigures', () => {
  const samples = [
    { endMs: 100, latencyMs: 5 },
    { endMs: 900, latencyMs: 1 },
    { endMs: 1000, latencyMs: 50 },
    { endMs: 1999, latencyMs: 3 },
    { endMs: 2000, latencyMs: 7 },
    { endMs: 1500, latencyMs: 30_000, failed: true },
  ];

  it('counts the writes that completed in [from, to), with their rate and percentiles, and the failures apart', () => {
    expect(windowFigures(samples, 1000, 2000)).toEqual({ seconds: 1, writes: 2, errors: 1, writesPerSecond: 2, p50Ms: 3, p99Ms: 50 });
    expect(windowFigures(samples, 0, 2000)).toEqual({ seconds: 2, writes: 4, errors: 1, writesPerSecond: 2, p50Ms: 3, p99Ms: 50 });
    expect(windowFigures(samples, 0, 1000)).toEqual({ seconds: 1, writes: 2, errors: 0, writesPerSecond: 2, p50Ms: 1, p99Ms: 5 });
  });

  it('given a window without writes, then no rate and no percentiles', () => {
    const none = windowFigures(samples, 3000, 4000);
    expect(none).toMatchObject({ seconds: 1, writes: 0, errors: 0, writesPerSecond: 0 });
    expect(none.p50Ms).toBeNaN();
    expect(none.p99Ms).toBeNaN();
  });

  it('given an empty window, then a rate of 0', () => {
    expect(windowFigures(samples, 100, 100)).toMatchObject({ seconds: 0, writes: 0, writesPerSecond: 0 });
  });

  it('refuses a window that ends before it starts', () => {
    expect(() => windowFigures(samples, 10, 5)).toThrow('a window ends after it starts');
  });
});

describe('phasesOf (the notes of cluster:replace-node --json)', () => {
  it('names each change from its ask to its being in force, and the catch-up in between', () => {
    const notes = [
      { atMs: 10, step: 'add-learner', state: 'asking' },
      { atMs: 30, step: 'add-learner', state: 'in-force' },
      { atMs: 1000, step: 'catch-up' },
      { atMs: 2000, step: 'catch-up' },
      { atMs: 2500, step: 'promote', state: 'asking' },
      { atMs: 2600, step: 'promote', state: 'in-force' },
      { atMs: 2700, step: 'remove', state: 'asking' },
      { atMs: 3100, step: 'remove', state: 'in-force' },
    ];
    expect(phasesOf(notes, 0, 3500)).toEqual([
      { name: 'start', fromMs: 0, toMs: 10 },
      { name: 'add-learner', fromMs: 10, toMs: 30 },
      { name: 'catch-up', fromMs: 30, toMs: 2500 },
      { name: 'promote', fromMs: 2500, toMs: 2600 },
      { name: 'after promote', fromMs: 2600, toMs: 2700 },
      { name: 'remove', fromMs: 2700, toMs: 3100 },
      { name: 'end', fromMs: 3100, toMs: 3500 },
    ]);
  });

  it('given a change never in force (the command failed), then the rest of the run is its end', () => {
    expect(phasesOf([{ atMs: 1, step: 'remove', state: 'asking' }], 0, 50)).toEqual([
      { name: 'start', fromMs: 0, toMs: 1 },
      { name: 'end', fromMs: 1, toMs: 50 },
    ]);
  });

  it('given a change asked twice (another leader), then it lasts from its first ask', () => {
    const notes = [
      { atMs: 5, step: 'remove', state: 'asking' },
      { atMs: 8, step: 'remove', state: 'asking' },
      { atMs: 20, step: 'remove', state: 'in-force' },
    ];
    expect(phasesOf(notes, 0, 25).map((p) => [p.name, p.fromMs, p.toMs])).toEqual([
      ['start', 0, 5],
      ['remove', 5, 20],
      ['end', 20, 25],
    ]);
  });

  it('given no notes, then the whole run is one phase', () => {
    expect(phasesOf([], 3, 9)).toEqual([{ name: 'end', fromMs: 3, toMs: 9 }]);
  });

  it('refuses a run that ends before it starts', () => {
    expect(() => phasesOf([], 9, 3)).toThrow('a command ends after it starts');
  });
});

describe('ratePerSecond', () => {
  it('rounds count per second, and is 0 when no time passed', () => {
    expect(ratePerSecond(1000, 3)).toBe(333);
    expect(ratePerSecond(10, 0)).toBe(0);
  });
});

describe('errorKind', () => {
  it('takes the ids out of a message, so that one kind of error counts once', () => {
    expect(errorKind('command 995c3abf-25a2-4baf-ab64-1634d8ec5dde timed out; its outcome is unknown')).toBe('command <id> timed out; its outcome is unknown');
    expect(errorKind('slot of 0123456789abcdef0123 refused')).toBe('slot of <id> refused');
    expect(errorKind('no quorum')).toBe('no quorum');
  });

  it('keeps a long message to 300 characters', () => {
    expect(errorKind('x'.repeat(1000))).toHaveLength(300);
  });
});
