// Deterministic randomness for the demo county: a seeded sfc32 generator for the order-dependent choices
// (who lives where, who exits when), order-free hashes for per-item values (this household's dividend in
// this month), and UUID-shaped command ids derived from the seed and a counter. Nothing reads Math.random
// or the clock, so a seed always gives the same log.
import { createHash } from 'node:crypto';

/** 32-bit FNV-1a of a string: turns names into numbers for the hashes below. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes a 32-bit state with one more integer (murmur3's finaliser after each step). */
function mix(h: number, value: number): number {
  h = Math.imul(h ^ (value | 0), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) fixed by the seed and the parts: the same parts always give the same number. */
export function unit(seed: number, ...parts: number[]): number {
  let h = mix(0x9e3779b9, seed);
  for (const part of parts) h = mix(h, part);
  h = mix(h, parts.length);
  return h / 4_294_967_296;
}

/** sfc32: a small, fast generator with a 128-bit state; streams with different names are independent. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream: string) {
    const s = hashString(stream);
    this.a = mix(0x243f6a88, seed);
    this.b = mix(0x85a308d3, s);
    this.c = mix(0x13198a2e, seed ^ s);
    this.d = 1;
    for (let i = 0; i < 16; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  }

  /** An integer from lo to hi, both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Index into weights, chosen in proportion to them. */
  weighted(weights: readonly number[]): number {
    const total = weights.reduce((sum, w) => sum + w, 0);
    let x = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i]!;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

/**
 * Command ids: lowercase UUIDs from sha256 of the seed and a counter, with the version nibble 8 (RFC 9562's
 * custom version) and the RFC variant bits, so they look and sort like any other client's ids.
 */
export class IdSource {
  private counter = 0;
  constructor(private readonly seed: number) {}

  next(): string {
    const hex = createHash('sha256').update(`fundtrail-demo/${this.seed}/${this.counter++}`).digest('hex');
    const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  get issued(): number {
    return this.counter;
  }
}
