/** A source of randomness passed in as a port, so pure code stays deterministic under a seed. */
export interface Random {
  /** A uniformly drawn integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** A uniformly drawn number in [0, 1). */
  float(): number;
}

/**
 * A seeded pseudo-random source (sfc32, seeded through splitmix32): the same seed gives the
 * same sequence on every run and platform.
 *
 * @example const random = seededRandom(42); random.int(10)
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const splitmix = (): number => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next();
  const float = (): number => next() / 4294967296;
  return {
    float,
    int: (maxExclusive) => Math.floor(float() * maxExclusive),
  };
}
