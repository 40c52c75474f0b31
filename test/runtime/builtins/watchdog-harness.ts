/**
 * Test support for DAEMON_WATCHDOG: a DaemonManager on a simulated clock that loses the timers
 * of chosen lengths, so that a daemon's chart "forgets" its start, stop or heartbeat deadline —
 * the failure the watchdog exists for — while every other timer runs. The watchdog is
 * registered as DAEMON_WATCHDOG, looking every second with half a second of grace.
 */
import { afterEach } from "vitest";
import { SimulatedClock } from "xstate";
import type { WardenClock } from "../../../actors/clock.ts";
import type { Envelope } from "../../../machines/envelope.ts";
import {
  daemonWatchdog,
  type WatchdogEventData,
} from "../../../runtime/builtins/daemon-watchdog.ts";
import { DaemonManager, type RegisterOptions } from "../../../runtime/manager/daemon-manager.ts";
import { ScriptedDaemon } from "../../support/scripted-daemon.ts";
import { advance } from "../../support/simulated-runtime.ts";

export const INTERVAL_MS = 1000;
export const GRACE_MS = 500;

/** Drops every timer of a length in `lost`: it is set, and never fires. */
class LosingClock implements WardenClock {
  constructor(
    private readonly inner: SimulatedClock,
    private readonly lost: ReadonlySet<number>,
  ) {}

  now(): number {
    return this.inner.now();
  }

  setTimeout(fn: (...args: unknown[]) => void, timeout: number): unknown {
    return this.lost.has(timeout) ? { lost: timeout } : this.inner.setTimeout(fn, timeout);
  }

  clearTimeout(id: unknown): void {
    if (typeof id !== "object") this.inner.clearTimeout(id as number);
  }
}

export class WatchdogRun {
  readonly clock = new SimulatedClock();
  readonly manager: DaemonManager;
  readonly events: Envelope[] = [];
  private readonly daemons: ScriptedDaemon[] = [];

  constructor(lostTimers: readonly number[], watchdogOptions: RegisterOptions = {}) {
    this.manager = new DaemonManager({
      clock: new LosingClock(this.clock, new Set(lostTimers)),
      captureEscapedErrors: false,
      random: () => 0.5,
    });
    this.manager.events$.subscribe((event) => this.events.push(event));
    const watchdog = daemonWatchdog({
      manager: this.manager,
      intervalMs: INTERVAL_MS,
      graceMs: GRACE_MS,
    });
    this.manager.register("DAEMON_WATCHDOG", watchdog, watchdogOptions);
  }

  /** Registers a daemon whose start and stop stay pending until the test settles them. */
  daemon(name: string, options: RegisterOptions = {}, stopsAtOnce = false): ScriptedDaemon {
    const daemon = new ScriptedDaemon({ name, now: () => this.clock.now(), stopsAtOnce });
    this.daemons.push(daemon);
    this.manager.register(name, daemon, options);
    return daemon;
  }

  advance(ms: number): Promise<void> {
    return advance(this.clock, ms);
  }

  /** The watchdog's events, as [type, data]. */
  watchdogEvents(): [string, WatchdogEventData & { source: string }][] {
    return this.events
      .filter((event) => event.type.startsWith("WATCHDOG_"))
      .map((event) => [event.type, { ...(event.data as WatchdogEventData), source: event.source }]);
  }

  /** State events of `daemon`, as "TYPE:reason". */
  trail(daemon: string): string[] {
    return this.events
      .filter((event) => (event.data as { daemon?: string }).daemon === daemon)
      .filter((event) => event.type.startsWith("DAEMON_") && event.type !== "DAEMON_HEALTH_CHANGED")
      .map((event) => `${event.type}:${(event.data as { reason?: string }).reason}`);
  }

  /** Awaits `promise` while the clock runs in steps of a second. */
  async run<T>(promise: Promise<T>, limitMs = 120_000): Promise<T> {
    let done = false;
    const settled = promise.finally(() => {
      done = true;
    });
    settled.catch(() => {});
    for (let elapsed = 0; !done && elapsed <= limitMs; elapsed += 1000) await this.advance(1000);
    if (!done) throw new Error(`still pending after ${limitMs} simulated ms`);
    return settled;
  }

  async close(): Promise<void> {
    for (const daemon of this.daemons) daemon.settle();
    await this.run(this.manager.close());
  }
}

/** Call at the top of a test file: a fresh run per call, closed after the test. */
export function watchdogRunPerTest(): (
  ...args: ConstructorParameters<typeof WatchdogRun>
) => WatchdogRun {
  const runs: WatchdogRun[] = [];
  afterEach(async () => {
    for (const run of runs.splice(0)) await run.close();
  });
  return (...args) => {
    const run = new WatchdogRun(...args);
    runs.push(run);
    return run;
  };
}
