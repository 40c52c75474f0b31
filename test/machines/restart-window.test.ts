import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { intensityExceeded, restartsWithin } from "../../machines/restart-window.ts";

describe("restartsWithin", () => {
  it("keeps the restarts less than withinMs before now", () => {
    expect(restartsWithin([0, 10, 50, 99, 100], 100, 60)).toEqual([50, 99, 100]);
  });

  it("drops a restart exactly withinMs old: the window is half-open", () => {
    expect(restartsWithin([40], 100, 60)).toEqual([]);
    expect(restartsWithin([41], 100, 60)).toEqual([41]);
  });

  it("does not modify its input", () => {
    const times = [1, 2, 3];
    restartsWithin(times, 1000, 10);
    expect(times).toEqual([1, 2, 3]);
  });
});

describe("intensityExceeded", () => {
  it("allows maxRestarts restarts within the window and refuses the next", () => {
    expect(intensityExceeded([], 0, 3, 60_000)).toBe(false);
    expect(intensityExceeded([0, 10], 20, 3, 60_000)).toBe(false);
    expect(intensityExceeded([0, 10, 20], 30, 3, 60_000)).toBe(true);
  });

  it("forgets restarts that left the window", () => {
    expect(intensityExceeded([0, 10, 20], 60_000, 3, 60_000)).toBe(false);
    expect(intensityExceeded([0, 10, 20], 59_999, 3, 60_000)).toBe(true);
  });

  it("refuses every restart when maxRestarts is 0", () => {
    expect(intensityExceeded([], 0, 0, 60_000)).toBe(true);
  });

  it("agrees with counting the window by hand", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10_000 }), { maxLength: 20 }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 1, max: 5_000 }),
        (offsets, extra, maxRestarts, withinMs) => {
          const times = [...offsets].sort((a, b) => a - b);
          const now = (times.at(-1) ?? 0) + extra;
          const inWindow = times.filter((time) => time > now - withinMs).length;
          expect(restartsWithin(times, now, withinMs)).toHaveLength(inWindow);
          expect(intensityExceeded(times, now, maxRestarts, withinMs)).toBe(
            inWindow + 1 > maxRestarts,
          );
        },
      ),
    );
  });
});
