import { STATE_OF_EVENT, type Envelope, type LifecycleEventData } from "../machines/envelope.ts";
import type { LifecycleState } from "../machines/lifecycle-states.ts";
import { clockTime, paint, paintState } from "./style.ts";
import { terminalSafe } from "./terminal-safe.ts";
import { isCountedRestart } from "../machines/restart-reason.ts";
import { FAILED_BEFORE_RESTART } from "../machines/restart-record.ts";

/**
 * One line for a lifecycle event (a DAEMON_WAITING included), or undefined for any other event.
 *
 * @example
 * formatTransition(event, false, 14);
 * // "12:00:05.120  flaky-worker    RUNNING → RESTARTING  crash: simulated fault (attempt 1, next start in 312 ms)"
 */
export function formatTransition(
  event: Envelope,
  color: boolean,
  nameWidth: number,
): string | undefined {
  const target = STATE_OF_EVENT[event.type];
  const waiting = event.type === "DAEMON_WAITING";
  if (!target && event.type !== "DAEMON_HEALTH_CHANGED" && !waiting) return undefined;
  const data = event.data as LifecycleEventData;
  const time = paint(color, "gray", clockTime(event.time));
  const name = terminalSafe(data.daemon).padEnd(nameWidth);
  if (waiting) {
    // SPEC §6a: a daemon held in PENDING until the units it requires are free.
    const what = terminalSafe(data.waitingFor ?? "resources");
    return `${time}  ${name}  ${paintState(color, "PENDING")} waiting for ${what}`;
  }
  if (event.type === "DAEMON_HEALTH_CHANGED") {
    const health = data.healthy
      ? paint(color, "green", "healthy")
      : paint(color, "red", "unhealthy");
    return `${time}  ${name}  ${health}${data.detail ? `  ${terminalSafe(data.detail)}` : ""}`;
  }
  if (!target) return undefined;
  const from = paintState(color, data.from as LifecycleState);
  return `${time}  ${name}  ${from} → ${paintState(color, target)}${explain(target, data)}`;
}

function explain(target: LifecycleState, data: LifecycleEventData): string {
  const parts: string[] = [];
  if (target === "RESTARTING") {
    parts.push(data.error ? `${data.reason}: ${data.error}` : (data.reason ?? ""));
    if (isCountedRestart(data.reason)) {
      parts.push(`(attempt ${data.attempt}, next start in ${data.delayMs} ms)`);
    }
  } else if (target === "FAILED") {
    parts.push(`${data.reason}${data.error ? `: ${data.error}` : ""}`);
    if (data.reason === "intensity") parts.push("— too many restarts; `warden restart` to retry");
    if (data.reason === FAILED_BEFORE_RESTART) {
      parts.push(`— FAILED before the manager restarted; \`warden start ${data.daemon}\` to retry`);
    }
  } else if (target === "STOPPED" && data.forced) {
    parts.push("forced after stop timeout");
  } else if (target === "STOPPED" && data.reason === "exit") {
    parts.push(`exited with code ${data.exitCode}`);
  }
  // Error text comes from daemons: escape what would steer the terminal.
  const text = terminalSafe(parts.filter((part) => part.length > 0).join(" "));
  return text ? `  ${text}` : "";
}
