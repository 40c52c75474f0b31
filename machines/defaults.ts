/**
 * Every default of warden in one place: what a setting is when the configuration, an option of
 * the API, a flag of the CLI, a query parameter of the control API or an environment variable
 * leaves it out (SPEC §2, §4, §7, §8, §9). Code reads them from here; README.md and docs/ quote
 * them. Durations are milliseconds, sizes bytes.
 *
 * Limits (the most of something: a notify line's length, metric names per daemon) and internal
 * tuning (poll intervals, grace periods) are not defaults: each is a named constant in the one
 * file that uses it.
 *
 * @example
 * const port = config.server?.port ?? DEFAULTS.server.port; // 7070
 */
export const DEFAULTS = {
  /** What a daemon definition leaves out (`daemons.<name>`, `DaemonManager.register`). */
  daemon: {
    restart: "on-failure",
    /** Exponential with full jitter; the formula is in machines/backoff.ts. */
    backoff: { initialMs: 500, maxMs: 30_000, factor: 2 },
    /** RUNNING this long resets the backoff attempt counter. */
    resetAfterMs: 60_000,
    /** More restarts than this within `withinMs` send the daemon to FAILED. */
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
    /** A process daemon's stdout/stderr log: rotated before 10 MiB, 5 files kept in all. */
    logs: { maxBytes: 10 * 1024 * 1024, maxFiles: 5 },
  },
  /** Where a manager keeps its state, relative to the configuration file. */
  stateDir: ".warden",
  /** The control and health API (HEALTH_SERVER). */
  server: { host: "127.0.0.1", port: 7070 },
  /**
   * Lifecycle actors per group supervisor (`DaemonManagerOptions.groupSize`). Stopping a group
   * costs O(size²): XState copies the group's children map (≈ 2 µs an entry) for every child it
   * stops. With 30,000 daemons, close() costs ≈ 0.12 ms per daemon at 64 against ≈ 0.6 ms at 256
   * (BENCHMARKS.md), and the root's own children map (one entry per group) stays small enough.
   */
  groupSize: 64,
  /** The time-box for loading a user's configuration or module (`WARDEN_LOAD_TIMEOUT_MS`). */
  loadTimeoutMs: 30_000,
  /** How long `DaemonManager.waitFor` waits for a state. */
  waitForMs: 30_000,
  /** How often process daemons with `limits.memoryMb` have their memory measured (one /proc scan for all). */
  memorySampleMs: 1_000,
  events: {
    /** Recent events a manager keeps: the most `GET /v1/events` and `warden events` can show. */
    historyCapacity: 1000,
    /**
     * Dead letters kept (in memory, and in the journal when there is one); beyond, the oldest
     * parked one makes room, else the oldest (runtime/bus/dead-letter-queue.ts).
     */
    deadLetterCapacity: 10_000,
    /** The same bound in bytes: the events' JSON and the error texts of the dead letters kept. */
    deadLetterMaxBytes: 64 * 1024 * 1024,
  },
  /**
   * The dead-letter queue's retries (SPEC §5, top-level `dlq`; machines/dlq-policy.ts): the
   * original delivery counts as attempt 1; attempt n failing waits min(maxMs, initialMs ×
   * factor^(n − 1)) before the next; after `maxAttempts` failed deliveries the entry is parked
   * until retried by hand.
   */
  dlq: { maxAttempts: 5, backoff: { initialMs: 1_000, maxMs: 60_000, factor: 2 } },
  /**
   * The EVENT_ROUTER built-in daemon (docs/builtins.md): while it is not RUNNING, the events
   * daemons publish wait, at most this many and this many bytes (as JSON); beyond, a publish
   * is refused with WARDEN_ERR_EVENT_ROUTER_FULL.
   */
  eventRouter: { maxHeldEvents: 10_000, maxHeldBytes: 8 * 1024 * 1024 },
  /**
   * The DAEMON_WATCHDOG built-in daemon (docs/builtins.md): how often it looks, and how long
   * past a daemon's own timeout (start, stop, heartbeat) it leaves the chart to act first.
   */
  watchdog: { intervalMs: 5_000, graceMs: 5_000 },
  /** The control API (docs/control-api.md) and the commands that call it. */
  control: {
    /** How long start/stop/restart wait for each daemon (`timeoutMs`, `warden start --timeout`). */
    actionTimeoutMs: 60_000,
    /** Events `GET /v1/events` answers without `limit` (and without `follow`). */
    eventsLimit: 100,
    /** The largest request body. */
    bodyLimitBytes: 64 * 1024,
  },
  cli: {
    /** `warden logs -n`: lines printed before following. */
    logLines: 10,
    /** `warden events --follow` without `-n`: recent events printed before the new ones. */
    followBacklog: 10,
  },
} as const;
