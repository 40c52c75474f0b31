import { SimulatedClock } from "xstate";
import { describe, expect, it } from "vitest";
import { RateLimitedWarning } from "../../actors/rate-limited-warning.ts";

function limiter(burst = 3, periodMs = 10_000) {
  const clock = new SimulatedClock();
  const lines: { message: string; fields: Record<string, unknown> | undefined }[] = [];
  const warning = new RateLimitedWarning({
    what: "malformed notify messages",
    burst,
    periodMs,
    clock,
    warn: (message, fields) => lines.push({ message, fields }),
  });
  return { clock, lines, warning };
}

describe("RateLimitedWarning", () => {
  it("logs the first few in full and nothing more until the period ends", () => {
    const { lines, warning } = limiter();
    for (let n = 0; n < 1000; n++) warning.warn(`bad line ${n}`, { n });
    expect(lines.map((line) => line.message)).toEqual(["bad line 0", "bad line 1", "bad line 2"]);
    expect(warning.total).toBe(1000);
  });

  it("then says once per period how many it held back, with the latest", () => {
    const { clock, lines, warning } = limiter();
    for (let n = 0; n < 1000; n++) warning.warn(`bad line ${n}`, { n });
    clock.increment(9_999);
    expect(lines).toHaveLength(3);
    clock.increment(1);
    expect(lines).toHaveLength(4);
    expect(lines[3]!.message).toBe(
      "997 more malformed notify messages not logged (1000 in all); the latest: bad line 999",
    );
    expect(lines[3]!.fields).toMatchObject({ suppressed: 997, total: 1000, n: 999 });
  });

  it("a flood that goes on gets one summary per period, not a new burst", () => {
    const { clock, lines, warning } = limiter();
    for (let second = 0; second < 60; second++) {
      for (let n = 0; n < 100; n++) warning.warn("bad");
      clock.increment(1_000);
    }
    // The first burst, then one summary at the end of each of the six periods.
    expect(lines).toHaveLength(3 + 6);
    expect(
      lines.slice(3).every((line) => / more malformed notify messages /.test(line.message)),
    ).toBe(true);
    const held = lines.slice(3).reduce((sum, line) => sum + (line.fields!.suppressed as number), 0);
    expect(held + 3).toBe(6_000);
    expect(warning.total).toBe(6_000);
  });

  it("after a quiet period, warnings are logged in full again", () => {
    const { clock, lines, warning } = limiter();
    for (let n = 0; n < 5; n++) warning.warn("first flood");
    clock.increment(10_000); // the summary of the two held back
    clock.increment(10_000); // a quiet period
    warning.warn("later");
    expect(lines.map((line) => line.message)).toEqual([
      "first flood",
      "first flood",
      "first flood",
      "2 more malformed notify messages not logged (5 in all); the latest: first flood",
      "later",
    ]);
  });

  it("flush() says what is held back at once and cancels the pending summary", () => {
    const { clock, lines, warning } = limiter(1);
    warning.warn("a");
    warning.warn("b");
    warning.flush();
    expect(lines.map((line) => line.message)).toEqual([
      "a",
      "1 more malformed notify messages not logged (2 in all); the latest: b",
    ]);
    clock.increment(60_000);
    expect(lines).toHaveLength(2);
  });

  it("rejects limits that are not positive integers", () => {
    expect(() => limiter(0)).toThrow(/burst must be a positive integer, got 0/);
    expect(() => limiter(1, 0.5)).toThrow(/periodMs must be a positive integer, got 0.5/);
  });
});
