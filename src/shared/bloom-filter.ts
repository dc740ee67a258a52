import { assert } from './assert';

/**
 * A Bloom filter of strings: `mightContain` never says no for an added string, and says yes
 * for an absent one with a probability set by the size (about 1% at 10 bits per string).
 *
 * @example const seen = new BloomFilter(1 << 24, 7); seen.add('cmd-1'); seen.mightContain('cmd-1') // true
 */
export class BloomFilter {
  private readonly bits: Uint32Array;
  private added = 0;

  constructor(
    private readonly sizeBits: number,
    private readonly hashes: number,
  ) {
    assert(Number.isInteger(sizeBits) && sizeBits >= 64 && sizeBits % 32 === 0, `sizeBits must be a multiple of 32 >= 64, got ${sizeBits}`);
    assert(Number.isInteger(hashes) && hashes >= 1 && hashes <= 16, `hashes must be in 1..16, got ${hashes}`);
    this.bits = new Uint32Array(sizeBits / 32);
  }

  /** How many strings were added. */
  get count(): number {
    return this.added;
  }

  add(value: string): void {
    const [h1, h2] = hashPair(value);
    for (let i = 0; i < this.hashes; i++) {
      const bit = (h1 + Math.imul(i, h2)) >>> 0;
      const index = bit % this.sizeBits;
      this.bits[index >>> 5] |= 1 << (index & 31);
    }
    this.added += 1;
  }

  mightContain(value: string): boolean {
    const [h1, h2] = hashPair(value);
    for (let i = 0; i < this.hashes; i++) {
      const index = ((h1 + Math.imul(i, h2)) >>> 0) % this.sizeBits;
      if ((this.bits[index >>> 5] & (1 << (index & 31))) === 0) return false;
    }
    return true;
  }
}

/** Two independent 32-bit hashes (FNV-1a and a murmur-style mix) for double hashing. */
function hashPair(value: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, (b | 1) >>> 0];
}
