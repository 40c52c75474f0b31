/**
 * The health question of the notify protocol (SPEC §4, docs/notify-protocol.md): the manager
 * writes `HEALTH?` on a daemon's notify connection, and the daemon answers `HEALTH=ok` or
 * `HEALTH=fail <detail>`. This file holds the words of that exchange and the parse of an
 * answer's value, without any I/O; actors/notify-message.ts calls it for `HEALTH=` lines.
 */

/** The line (without its `\n`) the manager writes to ask a daemon whether it is healthy. */
export const HEALTH_QUESTION = "HEALTH?";
/**
 * The longest detail of `HEALTH=fail <detail>` kept, in characters: a longer one is cut there
 * (with `…`), so that what reaches events, status and the log stays small.
 */
export const MAX_HEALTH_DETAIL_LENGTH = 256;
/** The detail of a `HEALTH=fail` that gives none. */
export const NO_DETAIL = "the daemon answered HEALTH=fail";

/** What a daemon said of its health. `detail` is set on a failure only. */
export interface HealthAnswer {
  healthy: boolean;
  detail?: string;
}

export type HealthAnswerResult = ({ ok: true } & HealthAnswer) | { ok: false; error: string };

/**
 * Parses the value of a `HEALTH=` line: exactly `ok`, or `fail` alone or followed by a space and
 * a detail (taken as written, cut at MAX_HEALTH_DETAIL_LENGTH characters).
 *
 * @example
 * parseHealthAnswer("ok"); // { ok: true, healthy: true }
 * parseHealthAnswer("fail disk full"); // { ok: true, healthy: false, detail: "disk full" }
 * parseHealthAnswer("OK"); // { ok: false, error: 'expected "ok" or "fail <detail>", got "OK"' }
 */
export function parseHealthAnswer(value: string): HealthAnswerResult {
  if (value === "ok") return { ok: true, healthy: true };
  if (value === "fail") return { ok: true, healthy: false, detail: NO_DETAIL };
  if (value.startsWith("fail ")) {
    const detail = value.slice("fail ".length);
    return { ok: true, healthy: false, detail: detail.trim() === "" ? NO_DETAIL : cut(detail) };
  }
  return { ok: false, error: `expected "ok" or "fail <detail>", got ${quote(value)}` };
}

/** `detail` cut at MAX_HEALTH_DETAIL_LENGTH code points, never inside a surrogate pair. */
function cut(detail: string): string {
  if (detail.length <= MAX_HEALTH_DETAIL_LENGTH) return detail;
  const points = [...detail];
  if (points.length <= MAX_HEALTH_DETAIL_LENGTH) return detail;
  return `${points.slice(0, MAX_HEALTH_DETAIL_LENGTH).join("")}…`;
}

/** A value as the error quotes it: JSON-escaped, shortened to 60 code points. */
function quote(value: string): string {
  // 124 UTF-16 units hold more than 60 code points whenever the value has more than 60.
  const points = [...value.slice(0, 124)];
  return points.length > 60
    ? `${JSON.stringify(points.slice(0, 60).join(""))}…`
    : JSON.stringify(value);
}
