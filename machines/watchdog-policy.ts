/**
 * When DAEMON_WATCHDOG (runtime/builtins/daemon-watchdog.ts) holds a daemon for stuck: plain
 * maths over what the manager says of the daemon, with the time passed in.
 *
 * The lifecycle chart keeps its own deadlines — `startTimeoutMs` in STARTING, `stopTimeoutMs` in
 * STOPPING, `heartbeatTimeoutMs` in RUNNING — and acts on them itself. The watchdog is the second
 * line: a daemon is stuck only once it is `graceMs` past the deadline the chart should have
 * kept, which in a healthy manager never happens (the chart acts first).
 */
import type { LifecycleState } from "./lifecycle-states.ts";

/** What the watchdog reads of one daemon (DaemonManager.timings()). */
export interface DaemonTiming {
  name: string;
  state: LifecycleState;
  /** When the daemon entered `state`, on the manager's clock; undefined when not known. */
  since: number | undefined;
  /** When its instance last sent a heartbeat (tracked for daemons with `heartbeatTimeoutMs`). */
  lastHeartbeatAt: number | undefined;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  heartbeatTimeoutMs: number | undefined;
}

/** Which deadline a stuck daemon passed. */
export type StuckReason = "start-timeout" | "stop-timeout" | "heartbeat";

/** A daemon past one of its deadlines by more than the grace. */
export interface Stuck {
  reason: StuckReason;
  /** How long it has been so: in STARTING or STOPPING, or RUNNING without a heartbeat. */
  stuckForMs: number;
  /** The limit it passed: the chart's timeout plus the grace. */
  limitMs: number;
  /**
   * Names this stuck episode: it stays the same while nothing changes for the daemon, and
   * changes when it takes a transition or sends a heartbeat.
   */
  episode: string;
}

/**
 * Whether `daemon` is stuck at `now`: STARTING longer than `startTimeoutMs + graceMs`, STOPPING
 * longer than `stopTimeoutMs + graceMs`, or RUNNING with `heartbeatTimeoutMs` set and no
 * heartbeat (nor entry into RUNNING) for longer than `heartbeatTimeoutMs + graceMs`.
 *
 * @example
 * stuckOf({ name: "db", state: "STARTING", since: 0, lastHeartbeatAt: undefined,
 *   startTimeoutMs: 30_000, stopTimeoutMs: 10_000, heartbeatTimeoutMs: undefined }, 36_000, 5_000);
 * // { reason: "start-timeout", stuckForMs: 36000, limitMs: 35000, episode: "STARTING@0/0" }
 */
export function stuckOf(daemon: DaemonTiming, now: number, graceMs: number): Stuck | undefined {
  const { state, since } = daemon;
  if (since === undefined) return undefined;
  const past = (reason: StuckReason, from: number, timeoutMs: number): Stuck | undefined => {
    const stuckForMs = now - from;
    const limitMs = timeoutMs + graceMs;
    if (stuckForMs <= limitMs) return undefined;
    return { reason, stuckForMs, limitMs, episode: `${state}@${since}/${from}` };
  };
  switch (state) {
    case "STARTING":
      return past("start-timeout", since, daemon.startTimeoutMs);
    case "STOPPING":
      return past("stop-timeout", since, daemon.stopTimeoutMs);
    case "RUNNING": {
      if (daemon.heartbeatTimeoutMs === undefined) return undefined;
      // A heartbeat of an earlier instance (before this RUNNING) does not count.
      const last = Math.max(since, daemon.lastHeartbeatAt ?? since);
      return past("heartbeat", last, daemon.heartbeatTimeoutMs);
    }
    default:
      return undefined;
  }
}

/** A look this many intervals after the previous one is late. */
const LATE_AFTER_INTERVALS = 2;

/**
 * True when a look at `now` comes much later than planned after the one at `previousAt` (the
 * event loop was blocked, the wall clock jumped), or before it (the clock went back). The
 * chart's timers were as late as the look, so they get their turn first: a late look acts on
 * nothing.
 *
 * @example
 * lookIsLate(10_000, 15_000, 5_000); // false
 * lookIsLate(10_000, 60_000, 5_000); // true
 */
export function lookIsLate(
  previousAt: number | undefined,
  now: number,
  intervalMs: number,
): boolean {
  if (previousAt === undefined) return false;
  return now < previousAt || now - previousAt > LATE_AFTER_INTERVALS * intervalMs;
}
