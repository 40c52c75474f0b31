/**
 * Every default of warden's supervision model in one place (SPEC §2, §7).
 * Durations are milliseconds.
 */
export const DEFAULTS = {
  restart: "on-failure",
  backoff: { initialMs: 500, maxMs: 30_000, factor: 2 },
  resetAfterMs: 60_000,
  maxRestarts: 5,
  withinMs: 60_000,
  startTimeoutMs: 30_000,
  stopTimeoutMs: 10_000,
  health: { intervalMs: 10_000, timeoutMs: 5_000, failureThreshold: 3 },
  /** Off unless set: a RUNNING daemon silent this long is restarted. */
  heartbeatTimeoutMs: undefined,
  /** Off unless set: how long FAILED waits before trying again. */
  retryFailedAfterMs: undefined,
  critical: false,
  singleton: false,
  stateDir: ".warden",
  server: { host: "127.0.0.1", port: 7070 },
} as const;
