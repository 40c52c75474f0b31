import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffCap, backoffDelay } from "../../machines/backoff.ts";
import type { BackoffPolicy } from "../../machines/daemon-policy.ts";

const POLICY: BackoffPolicy = { initialMs: 500, maxMs: 30_000, factor: 2 };

/** The largest value `Math.random()` can return. */
const ALMOST_ONE = 1 - Number.EPSILON / 2;

describe("backoffCap", () => {
  it("starts at initialMs and grows by factor per attempt", () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoffCap(attempt, POLICY))).toEqual([
      500, 1000, 2000, 4000, 8000,
    ]);
    const triple = { initialMs: 10, maxMs: 1_000_000, factor: 3 };
    expect([1, 2, 3, 4].map((attempt) => backoffCap(attempt, triple))).toEqual([10, 30, 90, 270]);
  });

  it("never exceeds maxMs", () => {
    expect(backoffCap(7, POLICY)).toBe(30_000); // 500 × 2^6 = 32,000
    expect(backoffCap(1000, POLICY)).toBe(30_000);
    expect(backoffCap(100_000, POLICY)).toBe(30_000); // factor^exponent is Infinity here
  });

  it("treats attempt 0 and below as the first attempt", () => {
    expect(backoffCap(0, POLICY)).toBe(500);
    expect(backoffCap(-3, POLICY)).toBe(500);
  });

  it("stays constant with factor 1 and zero with initialMs 0, however many attempts", () => {
    expect(backoffCap(5000, { initialMs: 250, maxMs: 1000, factor: 1 })).toBe(250);
    expect(backoffCap(5000, { initialMs: 0, maxMs: 1000, factor: 2 })).toBe(0);
  });
});

describe("backoffDelay (full jitter)", () => {
  it("uses the injected random source over [0, cap)", () => {
    expect(backoffDelay(3, POLICY, () => 0)).toBe(0);
    expect(backoffDelay(3, POLICY, () => 0.5)).toBe(1000);
    expect(backoffDelay(3, POLICY, () => 0.25)).toBe(500);
    expect(backoffDelay(3, POLICY, () => ALMOST_ONE)).toBe(1999);
    expect(backoffDelay(50, POLICY, () => ALMOST_ONE)).toBe(29_999);
  });

  it("is floor(r × min(maxMs, initialMs × factor^(attempt − 1))), as every comment says", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, initialMs, maxMs, factor, r) => {
          const formula = Math.floor(r * Math.min(maxMs, initialMs * factor ** (attempt - 1)));
          expect(backoffDelay(attempt, { initialMs, maxMs, factor }, () => r)).toBe(formula);
        },
      ),
    );
  });

  it("draws exactly one random number per delay", () => {
    let calls = 0;
    backoffDelay(4, POLICY, () => {
      calls++;
      return 0.3;
    });
    expect(calls).toBe(1);
  });

  it("is a whole number in [0, cap) for every attempt, policy and draw", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -2, max: 5000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, initialMs, maxMs, factor, draw) => {
          const policy = { initialMs, maxMs, factor };
          const cap = backoffCap(attempt, policy);
          const delay = backoffDelay(attempt, policy, () => draw);
          expect(Number.isInteger(delay)).toBe(true);
          expect(cap).toBeLessThanOrEqual(maxMs);
          expect(delay).toBeGreaterThanOrEqual(0);
          if (cap > 0) expect(delay).toBeLessThan(cap);
          else expect(delay).toBe(0);
        },
      ),
    );
  });

  it("has a cap that never shrinks as attempts grow", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        (attempt, initialMs, maxMs, factor) => {
          const policy = { initialMs, maxMs, factor };
          expect(backoffCap(attempt + 1, policy)).toBeGreaterThanOrEqual(
            backoffCap(attempt, policy),
          );
        },
      ),
    );
  });
});
