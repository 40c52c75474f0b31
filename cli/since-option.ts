import { InvalidArgumentError } from "commander";

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * The time `--since` names, in ms since the epoch: a duration back from `now` (`90s`, `5m`,
 * `2h`, `1d`, `1h30m`) or a date and time (`2026-11-23T05:00:00Z`, anything `Date.parse`
 * reads). Anything else is commander's InvalidArgumentError, a usage error (exit 2).
 *
 * @example
 * sinceTime("5m", Date.parse("2026-11-23T05:10:00Z")); // Date.parse("2026-11-23T05:05:00Z")
 */
export function sinceTime(text: string, now: number): number {
  const trimmed = text.trim();
  if (/^(\d+(ms|s|m|h|d))+$/.test(trimmed)) {
    let ago = 0;
    for (const [, amount, unit] of trimmed.matchAll(/(\d+)(ms|s|m|h|d)/g)) {
      ago += Number(amount) * UNIT_MS[unit!]!;
    }
    return now - ago;
  }
  // Bare numbers are ambiguous (seconds? a year?): only durations with a unit and dates.
  const time = /^\d+$/.test(trimmed) ? NaN : Date.parse(trimmed);
  if (Number.isNaN(time)) {
    throw new InvalidArgumentError(
      "expected a duration such as 90s, 5m, 2h or 1d, or a date such as 2026-11-23T05:00:00Z.",
    );
  }
  return time;
}
