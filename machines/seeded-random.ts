/**
 * The simulator's random numbers (docs/decisions/0012-deterministic-simulation.md): mulberry32, a 32-bit
 * generator small enough to read in full, seeded from the run's seed and a stream name, so that
 * the faults and the backoff jitter draw from separate streams and one never shifts the other.
 */

/** A source of uniform numbers in [0, 1), as `Math.random`. */
export type RandomSource = () => number;

/**
 * mulberry32 (Tommy Ettinger, public domain): each call advances a 32-bit state by a Weyl
 * constant and mixes it; period 2³², ample for a simulation's few million draws.
 *
 * @example
 * const random = mulberry32(42);
 * random(); // 0.6011037519201636, the same on every machine
 */
export function mulberry32(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over a string: the stream name's share of the seed. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The stream `name` of the run seeded with `seed`: independent of every other stream's draws.
 *
 * @example
 * const faults = seededStream(7, "faults");
 * const jitter = seededStream(7, "jitter");
 */
export function seededStream(seed: number, name: string): RandomSource {
  return mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ fnv1a(name)) >>> 0);
}

/**
 * Milliseconds until the next event of a Poisson process of `perHour` events an hour; Infinity
 * for a rate of 0.
 *
 * @example
 * exponentialMs(random, 0.5); // on average 2 hours
 */
export function exponentialMs(random: RandomSource, perHour: number): number {
  if (perHour <= 0) return Infinity;
  // 1 - random() is in (0, 1]: its logarithm is finite.
  return Math.round((-Math.log(1 - random()) / perHour) * 3_600_000);
}

/**
 * An integer in [min, max], inclusive.
 *
 * @example
 * between(random, 100, 500); // 317
 */
export function between(random: RandomSource, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}
