/** Simulated durations as `--duration` writes them ("24h", "1h30m", "90s") and as it prints them. */
import { WardenError } from "../../machines/errors.ts";

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Milliseconds of a duration made of `<number><unit>` parts (ms, s, m, h, d); anything else is
 * WARDEN_ERR_USAGE naming the flag.
 *
 * @example
 * parseDuration("1h30m"); // 5_400_000
 */
export function parseDuration(text: string, flag = "--duration"): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  const consumed = parts.map((part) => part[0]).join("");
  if (parts.length === 0 || consumed !== text.trim()) {
    throw new WardenError(
      "WARDEN_ERR_USAGE",
      `${flag}: "${text}" is not a duration; write e.g. 24h, 1h30m, 90s or 500ms`,
    );
  }
  return Math.round(parts.reduce((ms, part) => ms + Number(part[1]) * UNIT_MS[part[2]!]!, 0));
}

/**
 * A simulated time span for people: "2h 05m", "3m 12s", "1.2 s", "350 ms".
 *
 * @example
 * formatSpan(125_000); // "2m 05s"
 */
export function formatSpan(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const s = Math.floor(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3_600)}h ${pad(Math.floor(s / 60) % 60)}m`;
}

/**
 * An offset from the start of the run as a clock reading: "+02:13:05.120", with days as "1d".
 *
 * @example
 * formatOffset(7_985_120); // "+02:13:05.120"
 */
export function formatOffset(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  const rest = ms - days * 86_400_000;
  const h = Math.floor(rest / 3_600_000);
  const m = Math.floor(rest / 60_000) % 60;
  const s = Math.floor(rest / 1_000) % 60;
  const millis = String(Math.floor(rest % 1_000)).padStart(3, "0");
  return `+${days > 0 ? `${days}d ` : ""}${pad(h)}:${pad(m)}:${pad(s)}.${millis}`;
}

/** The `--duration` text of a span: the largest exact unit ("24h", "90m", "1500ms"). */
export function durationText(ms: number): string {
  for (const unit of ["d", "h", "m", "s"] as const) {
    const size = UNIT_MS[unit]!;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
