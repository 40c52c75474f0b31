/**
 * The DAEMON_WATCHDOG built-in daemon (SPEC §6; docs/builtins.md): "monitors daemon health,
 * restarts stuck daemons". Every `intervalMs` it reads the manager's timings and finds daemons
 * past one of their own deadlines by more than `graceMs` (machines/watchdog-policy.ts): a start
 * or a stop hanging past `startTimeoutMs` / `stopTimeoutMs`, a RUNNING daemon silent past
 * `heartbeatTimeoutMs`. It is the second line of defence behind the lifecycle chart, which keeps
 * those deadlines itself: in a healthy manager it never acts.
 *
 * What it does, once per stuck episode, each published as one event from its own name:
 * - a hung start or stop: `manager.interrupt()` ends it as the chart's timeout would (the
 *   instance is killed; a start fails and the restart policy decides, a stop ends in STOPPED):
 *   `WATCHDOG_INTERRUPTED`;
 * - a silent RUNNING daemon: `manager.restart()`: `WATCHDOG_RESTARTED`;
 * - a stuck daemon it spares (HEALTH_SERVER, which serves in the manager's own process) or
 *   finds nothing to interrupt in: `WATCHDOG_STUCK`, and nothing else.
 * It never acts on itself. Time comes only from the manager's clock.
 */
import type { WardenClock } from "../../actors/clock.ts";
import type { DaemonContext, InProcessDaemon } from "../../actors/daemon-types.ts";
import { DEFAULTS } from "../../machines/defaults.ts";
import { messageOf } from "../../machines/errors.ts";
import type { LifecycleState } from "../../machines/lifecycle-states.ts";
import {
  lookIsLate,
  stuckOf,
  type DaemonTiming,
  type Stuck,
  type StuckReason,
} from "../../machines/watchdog-policy.ts";

/** What the watchdog needs of a manager; a DaemonManager is one. */
export interface WatchdogTarget {
  readonly clock: WardenClock;
  /** Keep heartbeat times and allow interrupts for the daemons registered from now on. */
  watchDaemons?(): void;
  timings(): DaemonTiming[];
  restart(name: string): Promise<void>;
  interrupt(name: string, step: "start" | "stop", reason: string): boolean;
}

export interface DaemonWatchdogOptions {
  manager: WatchdogTarget;
  /** How often it looks. Default `DEFAULTS.watchdog.intervalMs` (5 s). */
  intervalMs?: number;
  /** How long past a daemon's own deadline it leaves the chart to act. Default `DEFAULTS.watchdog.graceMs` (5 s). */
  graceMs?: number;
  /** Daemons it never acts on (it still reports them stuck). Default `["HEALTH_SERVER"]`; itself always. */
  spare?: readonly string[];
}

/** What the watchdog did about a stuck daemon. */
export type WatchdogAction = "restart" | "interrupt" | "none";

/** The event type of each action. */
export const WATCHDOG_EVENTS = {
  restart: "WATCHDOG_RESTARTED",
  interrupt: "WATCHDOG_INTERRUPTED",
  none: "WATCHDOG_STUCK",
} as const satisfies Record<WatchdogAction, string>;

/** The data of every watchdog event. */
export interface WatchdogEventData {
  /** The daemon acted on (or found stuck). */
  daemon: string;
  /** Its state when found: STARTING, STOPPING or RUNNING. */
  state: LifecycleState;
  /** How long it had been in that state, or RUNNING without a heartbeat. */
  stuckForMs: number;
  /** The deadline it passed. */
  reason: StuckReason;
  action: WatchdogAction;
  /** What was done or why nothing was. */
  detail: string;
}

/** `getMetrics()` of DAEMON_WATCHDOG: looks taken, and actions by kind, since it was made. */
export interface DaemonWatchdogMetrics extends Record<string, number> {
  looks: number;
  restarted: number;
  interrupted: number;
  stuck: number;
}

export interface DaemonWatchdog extends InProcessDaemon {
  start(ctx: DaemonContext): void;
  stop(ctx: DaemonContext): void;
  getMetrics(): DaemonWatchdogMetrics;
}

/** The metric each action counts in. */
const COUNTER_OF_ACTION = {
  restart: "restarted",
  interrupt: "interrupted",
  none: "stuck",
} as const satisfies Record<WatchdogAction, keyof DaemonWatchdogMetrics>;

/** The timeout behind each deadline, by its name in the configuration. */
const TIMEOUT_KEY: Record<StuckReason, keyof DaemonTiming> = {
  "start-timeout": "startTimeoutMs",
  "stop-timeout": "stopTimeoutMs",
  heartbeat: "heartbeatTimeoutMs",
};

/**
 * Makes DAEMON_WATCHDOG for `manager`.
 *
 * @example
 * manager.register("DAEMON_WATCHDOG", daemonWatchdog({ manager }), { dependsOn: ["EVENT_ROUTER"] });
 * manager.bus.subscribe("WATCHDOG_INTERRUPTED", (event) => console.log(event.data));
 * // { daemon: "AUTO_SYNC", state: "STARTING", stuckForMs: 36000, reason: "start-timeout",
 * //   action: "interrupt", detail: "start interrupted by DAEMON_WATCHDOG: ..." }
 */
export function daemonWatchdog(options: DaemonWatchdogOptions): DaemonWatchdog {
  const { manager } = options;
  // The daemons registered after this are the ones it can see beat and interrupt.
  manager.watchDaemons?.();
  const intervalMs = positive("intervalMs", options.intervalMs ?? DEFAULTS.watchdog.intervalMs);
  const graceMs = options.graceMs ?? DEFAULTS.watchdog.graceMs;
  if (!Number.isFinite(graceMs) || graceMs < 0) {
    throw new RangeError(`DAEMON_WATCHDOG graceMs must be 0 or more, got ${graceMs}`);
  }
  const spare = new Set(options.spare ?? ["HEALTH_SERVER"]);
  const metrics: DaemonWatchdogMetrics = { looks: 0, restarted: 0, interrupted: 0, stuck: 0 };
  /** Each daemon's stuck episode already acted on, while it lasts. */
  const acted = new Map<string, string>();
  let timer: unknown;
  let lastLookAt: number | undefined;

  const act = (ctx: DaemonContext, daemon: DaemonTiming, stuck: Stuck): void => {
    const { name } = daemon;
    const key = TIMEOUT_KEY[stuck.reason];
    const how = stuck.reason === "heartbeat" ? "no heartbeat" : daemon.state;
    const why = `${how} for ${stuck.stuckForMs} ms, past ${key} ${daemon[key]} ms + grace ${graceMs} ms`;
    let action: WatchdogAction = "none";
    let detail: string;
    if (spare.has(name)) {
      detail = `${why}; ${ctx.name} does not act on ${name}`;
    } else if (stuck.reason === "heartbeat") {
      action = "restart";
      detail = `restarted by ${ctx.name}: ${why}`;
      manager.restart(name).catch((error: unknown) => {
        ctx.logger.warn(`the restart of ${name} did not bring it back`, { err: messageOf(error) });
      });
    } else {
      const step = stuck.reason === "start-timeout" ? "start" : "stop";
      detail = `${step} interrupted by ${ctx.name}: ${why}`;
      if (manager.interrupt(name, step, detail)) action = "interrupt";
      else detail = `${why}; no ${step} in progress to interrupt`;
    }
    metrics[COUNTER_OF_ACTION[action]]++;
    const data: WatchdogEventData = {
      daemon: name,
      state: daemon.state,
      stuckForMs: stuck.stuckForMs,
      reason: stuck.reason,
      action,
      detail,
    };
    ctx.logger.warn(detail, { daemon: name, reason: stuck.reason, action });
    try {
      ctx.bus.publish(WATCHDOG_EVENTS[action], data);
    } catch (error) {
      // The action is taken and logged; a full EVENT_ROUTER must not stop the next ones.
      ctx.logger.error(`cannot publish ${WATCHDOG_EVENTS[action]}`, { err: messageOf(error) });
    }
  };

  const look = (ctx: DaemonContext): void => {
    metrics.looks++;
    const now = manager.clock.now();
    const late = lookIsLate(lastLookAt, now, intervalMs);
    lastLookAt = now;
    for (const daemon of manager.timings()) {
      const stuck = daemon.name === ctx.name ? undefined : stuckOf(daemon, now, graceMs);
      if (!stuck) {
        acted.delete(daemon.name);
        continue;
      }
      if (late || acted.get(daemon.name) === stuck.episode) continue;
      acted.set(daemon.name, stuck.episode);
      act(ctx, daemon, stuck);
    }
  };

  const schedule = (ctx: DaemonContext): void => {
    timer = manager.clock.setTimeout(() => {
      if (ctx.signal.aborted) return;
      try {
        look(ctx);
      } catch (error) {
        ctx.fail(error);
        return;
      }
      schedule(ctx);
    }, intervalMs);
  };

  return {
    start(ctx) {
      lastLookAt = manager.clock.now();
      schedule(ctx);
    },
    stop() {
      if (timer !== undefined) manager.clock.clearTimeout(timer);
      timer = undefined;
    },
    getMetrics: () => ({ ...metrics }),
  };
}

function positive(key: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`DAEMON_WATCHDOG ${key} must be a positive number, got ${value}`);
  }
  return value;
}
