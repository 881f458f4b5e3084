import { isoFromMicros } from './time';

const HEX_SCRATCH = Buffer.alloc(64);

/** A weighted choice: the value and its relative weight. */
export type Weighted<T> = readonly [value: T, weight: number];

/** Seeded PRNG (mulberry32) so that a book is a pure function of its seed. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    // splitmix-style scramble so that nearby seeds start far apart
    let s = (seed ^ 0x9e3779b9) >>> 0;
    s = Math.imul(s ^ (s >>> 16), 0x85ebca6b) >>> 0;
    s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35) >>> 0;
    this.state = (s ^ (s >>> 16)) >>> 0;
  }

  /** Next unsigned 32-bit integer. */
  uint32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
      throw new RangeError(`bad int range [${min}, ${max}]`);
    }
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** One value chosen by relative weight. */
  weighted<T>(entries: readonly Weighted<T>[]): T {
    let total = 0;
    for (const [, w] of entries) total += w;
    if (!(total > 0)) throw new RangeError('weighted pick needs a positive total weight');
    let r = this.next() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    return (entries[entries.length - 1] as Weighted<T>)[0];
  }

  /** Uniform bigint in [min, max], both inclusive (64 extra bits keep the modulo bias negligible). */
  bigint(min: bigint, max: bigint): bigint {
    if (max < min) throw new RangeError(`bad bigint range [${min}, ${max}]`);
    const span = max - min + 1n;
    if (span <= 0x100000n) return min + BigInt(this.int(0, Number(span) - 1));
    const bits = span.toString(16).length * 4 + 64;
    let acc = 0n;
    for (let got = 0; got < bits; got += 32) acc = (acc << 32n) | BigInt(this.uint32());
    return min + (acc % span);
  }

  /** A fresh copy of `items` in random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }

  /** `count` lowercase hex digits (built in a byte buffer so the string is flat and cheap to keep). */
  hex(count: number): string {
    const bytes = Math.ceil(count / 2);
    if (bytes > HEX_SCRATCH.length) throw new RangeError(`hex(${count}) is too long`);
    for (let i = 0; i < bytes; i += 4) {
      const x = this.uint32();
      HEX_SCRATCH[i] = x >>> 24;
      HEX_SCRATCH[i + 1] = (x >>> 16) & 255;
      HEX_SCRATCH[i + 2] = (x >>> 8) & 255;
      HEX_SCRATCH[i + 3] = x & 255;
    }
    const out = HEX_SCRATCH.toString('hex', 0, bytes);
    return out.length === count ? out : out.slice(0, count);
  }

  /** `count` decimal digits, first one non-zero. */
  digits(count: number): string {
    let out = String(this.int(1, 9));
    while (out.length < count) out += String(this.int(0, 9));
    return out;
  }

  /** A GUID-shaped id: 8-4-4-4-12 lowercase hex. */
  guid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  /** Integer epoch microseconds in [fromUs, toUs]. */
  micros(fromUs: number, toUs: number): number {
    return this.int(fromUs, toUs);
  }

  /** Deterministic ISO timestamp (six fractional digits) in [fromUs, toUs]. */
  isoBetween(fromUs: number, toUs: number): string {
    return isoFromMicros(this.micros(fromUs, toUs));
  }
}
