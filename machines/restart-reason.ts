/**
 * Why a daemon restarts, and which restarts count (SPEC §2, §3): crashes, failed or timed-out
 * starts, health and heartbeat failures, memory over `limits.memoryMb` and clean exits under
 * `always` count against the intensity limit and advance the backoff; a manual restart and one
 * caused by a dependency leaving RUNNING (OTP's rest_for_one) do not, and do not blame the daemon.
 */
export const RESTART_REASONS = [
  "crash",
  "exit",
  "start-failed",
  "start-timeout",
  "health",
  "heartbeat",
  "memory",
  "dependency",
  "manual",
] as const;

export type RestartReason = (typeof RESTART_REASONS)[number];

/**
 * Whether a restart for `reason` counts against the intensity limit (and blames the daemon).
 * Takes any string, as events carry it: reasons that are not restart reasons do not count.
 *
 * @example
 * isCountedRestart("crash"); // true
 * isCountedRestart("manual"); // false
 */
export function isCountedRestart(reason: string | undefined): boolean {
  return (
    reason !== undefined &&
    reason !== "manual" &&
    reason !== "dependency" &&
    (RESTART_REASONS as readonly string[]).includes(reason)
  );
}
