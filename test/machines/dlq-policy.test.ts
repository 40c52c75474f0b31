import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { afterFailure, dlqPolicy, retryDelay } from "../../machines/dlq-policy.ts";

const POLICY = dlqPolicy();

describe("dlqPolicy", () => {
  it("has the defaults of SPEC §5 and keeps what is given", () => {
    expect(POLICY).toEqual({
      maxAttempts: 5,
      backoff: { initialMs: 1000, maxMs: 60_000, factor: 2 },
    });
    expect(dlqPolicy({ maxAttempts: 2, backoff: { factor: 3 } })).toEqual({
      maxAttempts: 2,
      backoff: { initialMs: 1000, maxMs: 60_000, factor: 3 },
    });
  });
});

describe("afterFailure", () => {
  it("waits initialMs after the original delivery, doubling up to maxMs, then parks", () => {
    const waits = [1, 2, 3, 4].map((attempts) => afterFailure(attempts, 0, POLICY).nextRetryAt);
    expect(waits).toEqual([1000, 2000, 4000, 8000]);
    expect(afterFailure(5, 10, POLICY)).toEqual({ attempts: 5, parked: true, nextRetryAt: null });
    expect(afterFailure(9, 10, POLICY).parked).toBe(true);
    const long = dlqPolicy({ maxAttempts: 100 });
    expect(retryDelay(7, long)).toBe(60_000); // 1000 × 2^6 = 64,000
  });

  it("parks at once when maxAttempts is 1: the original delivery was the only one", () => {
    expect(afterFailure(1, 0, dlqPolicy({ maxAttempts: 1 })).parked).toBe(true);
  });

  it("is due within [now + min(initialMs, maxMs), now + maxMs] and never earlier than before (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (initialMs, maxMs, factor, attempts, now) => {
          const policy = dlqPolicy({
            maxAttempts: Infinity,
            backoff: { initialMs, maxMs, factor },
          });
          const at = afterFailure(attempts, now, policy).nextRetryAt!;
          expect(at).toBeGreaterThanOrEqual(now + Math.min(initialMs, maxMs));
          expect(at).toBeLessThanOrEqual(now + maxMs);
          expect(retryDelay(attempts + 1, policy)).toBeGreaterThanOrEqual(
            retryDelay(attempts, policy),
          );
        },
      ),
    );
  });

  it("parks exactly when attempts reach maxAttempts (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 60 }), (max, n) => {
        const standing = afterFailure(n, 0, dlqPolicy({ maxAttempts: max }));
        expect(standing.parked).toBe(n >= max);
        expect(standing.nextRetryAt === null).toBe(n >= max);
      }),
    );
  });
});
