/**
 * Test support: a DaemonManager on xstate's SimulatedClock, scriptable in-process daemons, and
 * the helpers that let promises and timers run without a single real sleep.
 */
import { SimulatedClock } from "xstate";
import { DaemonManager, type DaemonManagerOptions } from "../../runtime/manager/daemon-manager.ts";
import type { DaemonContext, HealthReport, InProcessDaemon } from "../../actors/daemon-types.ts";
import type { Envelope, LifecycleEventData } from "../../machines/envelope.ts";

/** Lets pending promise callbacks and their follow-ups run: a few turns of the event loop. */
export async function flush(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

interface PendingTimeout {
  start: number;
  timeout: number;
}

/**
 * When the earliest timer of `clock` is due, or undefined when none is set. SimulatedClock keeps
 * its timers private; peeking lets `advance` stop at each deadline like a real clock would.
 */
function nextDeadline(clock: SimulatedClock): number | undefined {
  const timeouts = (clock as unknown as { timeouts: Map<number, PendingTimeout> }).timeouts;
  let next: number | undefined;
  for (const { start, timeout } of timeouts.values()) {
    const due = start + timeout;
    if (next === undefined || due < next) next = due;
  }
  return next;
}

/**
 * Moves `clock` forward by `ms`, stopping at every timer deadline on the way and letting
 * promises settle there, so that chains of timers and promises happen at the times they would
 * on a real clock. SimulatedClock alone would fire every due timer at the end time and run
 * 0 ms timers only on the next increment.
 */
export async function advance(clock: SimulatedClock, ms: number): Promise<void> {
  const target = clock.now() + ms;
  for (let guard = 0; guard < 100_000; guard++) {
    await flush(3);
    const due = nextDeadline(clock);
    if (due !== undefined && due <= target) clock.increment(Math.max(0, due - clock.now()));
    else if (clock.now() < target) clock.increment(target - clock.now());
    else return;
  }
  throw new Error(`timers kept firing at ${clock.now()} ms without end`);
}

/** Runs everything due now: promise callbacks and 0 ms timers, without moving the clock. */
export function settle(clock: SimulatedClock): Promise<void> {
  return advance(clock, 0);
}

/** How a scripted daemon behaves; everything may be changed between steps of a test. */
export interface Script {
  /** Simulated milliseconds `start` takes; 0 resolves at once. */
  startMs: number;
  /** Simulated milliseconds `stop` takes; Infinity never resolves. */
  stopMs: number;
  /** The next start fails (rejects) instead of resolving; cleared when used. */
  failNextStart: boolean;
  /** Every start fails. */
  failStarts: boolean;
  /** Throw synchronously from `start` instead of returning a promise. */
  throwSync: boolean;
  /** `stop` rejects (after `stopMs`). */
  rejectStop: boolean;
  /** When set, the daemon has a health check answering this. */
  health?: HealthReport | (() => HealthReport);
}

/** A scripted in-process daemon that records what the manager did to it. */
export interface FakeDaemon extends InProcessDaemon {
  readonly script: Script;
  starts: number;
  stops: number;
  /** The context of the latest start. */
  ctx: DaemonContext | undefined;
  contexts: DaemonContext[];
  healthChecks: number;
}

/** A daemon on `clock` whose behaviour `script` decides. */
export function fakeDaemon(clock: SimulatedClock, script: Partial<Script> = {}): FakeDaemon {
  const delay = (ms: number) =>
    ms === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          if (Number.isFinite(ms)) clock.setTimeout(resolve, ms);
        });
  const daemon: FakeDaemon = {
    script: {
      startMs: 0,
      stopMs: 0,
      failNextStart: false,
      failStarts: false,
      throwSync: false,
      rejectStop: false,
      ...script,
    },
    starts: 0,
    stops: 0,
    ctx: undefined,
    contexts: [],
    healthChecks: 0,
    start(ctx) {
      daemon.starts++;
      daemon.ctx = ctx;
      daemon.contexts.push(ctx);
      const fail = daemon.script.failStarts || daemon.script.failNextStart;
      daemon.script.failNextStart = false;
      if (daemon.script.throwSync) throw new Error("start threw");
      return delay(daemon.script.startMs).then(() => {
        if (fail) throw new Error("start failed");
      });
    },
    stop() {
      daemon.stops++;
      return delay(daemon.script.stopMs).then(() => {
        if (daemon.script.rejectStop) throw new Error("stop failed");
      });
    },
  };
  if (script.health !== undefined) {
    daemon.healthCheck = () => {
      daemon.healthChecks++;
      const health = daemon.script.health!;
      return typeof health === "function" ? health() : health;
    };
  }
  return daemon;
}

/** A lifecycle event as the tests read it. */
export interface Seen {
  type: string;
  time: number;
  data: LifecycleEventData;
}

/** A DaemonManager on a SimulatedClock that records every event on its bus. */
export class Simulation {
  readonly clock = new SimulatedClock();
  readonly manager: DaemonManager;
  readonly events: Envelope[] = [];

  constructor(options: Omit<DaemonManagerOptions, "clock"> = {}) {
    this.manager = new DaemonManager({
      captureEscapedErrors: false,
      random: () => 0.5,
      ...options,
      clock: this.clock,
    });
    this.manager.events$.subscribe((event) => this.events.push(event));
  }

  /** Registers a fake daemon and returns it. */
  daemon(
    name: string,
    script: Partial<Script> = {},
    options: Parameters<DaemonManager["register"]>[2] = {},
  ): FakeDaemon {
    const daemon = fakeDaemon(this.clock, script);
    this.manager.register(name, daemon, options);
    return daemon;
  }

  advance(ms: number): Promise<void> {
    return advance(this.clock, ms);
  }

  settle(): Promise<void> {
    return settle(this.clock);
  }

  /** Awaits `promise` while the simulated clock runs in steps of `stepMs`, up to `limitMs`. */
  async run<T>(promise: Promise<T>, limitMs = 600_000, stepMs = 1000): Promise<T> {
    let done = false;
    let failure: unknown;
    let value: T | undefined;
    promise.then(
      (result) => {
        done = true;
        value = result;
      },
      (error: unknown) => {
        done = true;
        failure = error ?? new Error("rejected");
      },
    );
    await this.settle();
    for (let elapsed = 0; !done && elapsed < limitMs; elapsed += stepMs) {
      await this.advance(stepMs);
    }
    if (!done) throw new Error(`still pending after ${limitMs} simulated ms`);
    if (failure !== undefined) throw failure;
    return value as T;
  }

  state(name: string): string {
    return this.manager.stateOf(name);
  }

  states(): Record<string, string> {
    return Object.fromEntries(this.manager.names().map((name) => [name, this.state(name)]));
  }

  /** Lifecycle events, optionally of one daemon and/or one type, from index `since`. */
  seen(filter: { daemon?: string; type?: string; since?: number } = {}): Seen[] {
    return this.events
      .slice(filter.since ?? 0)
      .filter((event) => event.type.startsWith("DAEMON_"))
      .map((event) => ({
        type: event.type,
        time: event.time,
        data: event.data as LifecycleEventData,
      }))
      .filter(
        (event) =>
          (filter.daemon === undefined || event.data.daemon === filter.daemon) &&
          (filter.type === undefined || event.type === filter.type),
      );
  }

  /** "TYPE:daemon" for each lifecycle event, for order assertions. */
  trail(since = 0): string[] {
    return this.seen({ since }).map((event) => `${event.type}:${event.data.daemon}`);
  }

  async close(): Promise<void> {
    await this.run(this.manager.close());
  }
}
