import { LogSampler } from '../../../src/shared/log-sampler';

describe('LogSampler: the access log under load', () => {
  const clock = () => {
    let now = 0;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('writes every ordinary line up to perSecondMax a second, then 1 in round(1/sampleRate), and again in full the next second', () => {
    const time = clock();
    const sampler = new LogSampler({ slowMs: 1000, perSecondMax: 3, sampleRate: 0.25 }, time.now);
    const first = Array.from({ length: 11 }, () => sampler.decide(200, 5));
    expect(first).toEqual(['log', 'log', 'log', 'skip', 'skip', 'skip', 'sampled', 'skip', 'skip', 'skip', 'sampled']);
    time.advance(1000);
    expect(sampler.decide(200, 5)).toBe('log');
  });

  it('always writes errors and slow requests, however many came', () => {
    const sampler = new LogSampler({ slowMs: 500, perSecondMax: 0, sampleRate: 0 }, clock().now);
    expect(sampler.decide(200, 5)).toBe('skip');
    expect(sampler.decide(404, 5)).toBe('log');
    expect(sampler.decide(503, 5)).toBe('log');
    expect(sampler.decide(200, 500)).toBe('log');
    expect(sampler.decide(201, 1)).toBe('skip');
  });

  it('writes every line with a sample rate of 1', () => {
    const sampler = new LogSampler({ slowMs: 1000, perSecondMax: 0, sampleRate: 1 }, clock().now);
    expect(Array.from({ length: 5 }, () => sampler.decide(200, 1))).toEqual(['sampled', 'sampled', 'sampled', 'sampled', 'sampled']);
  });
});
