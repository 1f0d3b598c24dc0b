// Small deterministic helpers for the demo-data generator: a seeded PRNG (mulberry32), a
// string hash (FNV-1a, 32 bit) and v4-shaped UUIDs drawn from a PRNG. No I/O, no Date.now().

/** 32-bit FNV-1a hash of a string (UTF-16 code units). */
export function hashString(text: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A seeded pseudo-random generator (mulberry32: 2^32 period, fast, good enough for demo data). */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next raw 32-bit unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick() from an empty list");
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks a key by relative weight. */
  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of entries) total += w;
    let r = this.next() * total;
    for (const [value, w] of entries) {
      r -= w;
      if (r < 0) return value;
    }
    return entries[entries.length - 1][0];
  }

  /** Up to `max` distinct items, in the order of `items`. */
  subset<T>(items: readonly T[], max: number): T[] {
    const count = this.int(0, Math.min(max, items.length));
    if (count === 0) return [];
    const chosen = new Set<number>();
    while (chosen.size < count) chosen.add(Math.floor(this.next() * items.length));
    return [...chosen].sort((a, b) => a - b).map((i) => items[i]);
  }
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** A UUID with the version-4 / RFC 4122 variant bits set, drawn from `rng` (four 32-bit draws). */
export function uuidFrom(rng: Random): string {
  const a = rng.nextUint32();
  const b = rng.nextUint32();
  const c = rng.nextUint32();
  const d = rng.nextUint32();
  return (
    HEX[a >>> 24] + HEX[(a >>> 16) & 0xff] + HEX[(a >>> 8) & 0xff] + HEX[a & 0xff] + "-" +
    HEX[b >>> 24] + HEX[(b >>> 16) & 0xff] + "-" +
    HEX[((b >>> 8) & 0x0f) | 0x40] + HEX[b & 0xff] + "-" +
    HEX[((c >>> 24) & 0x3f) | 0x80] + HEX[(c >>> 16) & 0xff] + "-" +
    HEX[(c >>> 8) & 0xff] + HEX[c & 0xff] +
    HEX[d >>> 24] + HEX[(d >>> 16) & 0xff] + HEX[(d >>> 8) & 0xff] + HEX[d & 0xff]
  );
}

/** A stable v4-shaped UUID derived from a string only (used for platform-level records such as users). */
export function uuidFromString(text: string): string {
  return uuidFrom(new Random(hashString(text) ^ hashString(text, 0x9e3779b9)));
}
