import { InvalidArgumentError } from "commander";
import { describe, expect, it } from "vitest";
import { sinceTime } from "../../cli/since-option.ts";

const NOW = Date.parse("2026-11-23T05:10:00.000Z");

describe("sinceTime", () => {
  it.each([
    ["90s", NOW - 90_000],
    ["5m", NOW - 300_000],
    ["2h", NOW - 7_200_000],
    ["1d", NOW - 86_400_000],
    ["1h30m", NOW - 5_400_000],
    ["250ms", NOW - 250],
    [" 5m ", NOW - 300_000],
    ["2026-11-23T05:00:00Z", Date.parse("2026-11-23T05:00:00Z")],
    ["2026-11-23T05:00:00.500+01:00", Date.parse("2026-11-23T04:00:00.500Z")],
  ])("%j is %i", (text, time) => {
    expect(sinceTime(text, NOW)).toBe(time);
  });

  it.each(["", "5", "yesterday", "5 minutes", "-5m", "5x"])("%j is a usage error", (text) => {
    expect(() => sinceTime(text, NOW)).toThrow(InvalidArgumentError);
    expect(() => sinceTime(text, NOW)).toThrow(/expected a duration such as 90s, 5m/);
  });
});
