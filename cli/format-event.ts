import type { Envelope } from "../machines/envelope.ts";
import { formatTransition } from "./format-transition.ts";
import { clockTime, paint } from "./style.ts";
import { terminalSafe } from "./terminal-safe.ts";

/**
 * One line for any event: a lifecycle event as `warden up` prints it (time, daemon, from → to,
 * why); any other as time, type, source and its data as compact JSON, with control characters
 * (which daemons choose) shown as `\xNN`.
 *
 * @example
 * formatEvent({ id: "a-1", type: "MODEL_SAVED", source: "api", time, data: { epoch: 3 } }, false, 8);
 * // "12:00:05.120  MODEL_SAVED  api  {\"epoch\":3}"
 */
export function formatEvent(event: Envelope, color: boolean, nameWidth: number): string {
  const transition = isLifecycle(event) ? formatTransition(event, color, nameWidth) : undefined;
  if (transition !== undefined) return transition;
  const time = paint(color, "gray", clockTime(event.time));
  const node = event.node === undefined ? "" : `@${event.node}`;
  const data = event.data === undefined || event.data === null ? "" : `  ${compact(event.data)}`;
  const text = `${event.source}${node}${data}`;
  return `${time}  ${paint(color, "bold", terminalSafe(event.type))}  ${terminalSafe(text)}`;
}

/** Lifecycle events carry a daemon name; anything else is printed as a plain event. */
function isLifecycle(event: Envelope): boolean {
  const data = event.data as { daemon?: unknown } | null | undefined;
  return event.type.startsWith("DAEMON_") && typeof data?.daemon === "string";
}

function compact(data: unknown): string {
  try {
    return JSON.stringify(data) ?? String(data);
  } catch {
    // Events from the API are JSON already; this only guards odd values.
    return String(data);
  }
}
