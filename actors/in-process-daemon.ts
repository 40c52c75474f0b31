/**
 * The driver of an in-process daemon (SPEC §4): one object with `start` and `stop`, each run
 * attributed to its daemon so that anything it throws or rejects, now or later, crashes that
 * daemon alone.
 */
import type { ResourceUnits } from "../machines/resource-book.ts";
import { messageOf } from "../machines/errors.ts";
import { merge, of, ReplaySubject, type Observable } from "rxjs";
import type { HealthPolicy } from "../machines/daemon-policy.ts";
import type { InstanceReport } from "../machines/instance-protocol.ts";
import type { BusClient, DaemonContext, DaemonLogger, InProcessDaemon } from "./daemon-types.ts";
import type { WardenClock } from "./clock.ts";
import { runAs, type Owner } from "./daemon-ownership.ts";
import type { DaemonDriver } from "./lifecycle-actors.ts";
import { LazyAbortController } from "./lazy-abort-controller.ts";
import { whenAborted } from "./when-aborted.ts";
import { healthReports } from "./health-check-loop.ts";

export interface InProcessDriverOptions {
  name: string;
  daemon: InProcessDaemon;
  clock: WardenClock;
  health: HealthPolicy;
  logger: DaemonLogger;
  /** The bus as this daemon sees it: its handlers run as its own code. */
  bus: (owner: Owner) => BusClient;
  /** The resource units it holds now (SPEC §6a), handed over as `ctx.resources`. */
  resources?: () => ResourceUnits;
}

interface Instance {
  owner: Owner;
  controller: LazyAbortController;
  ctx: DaemonContext;
  /**
   * What it reports (heartbeats, a crash), made on first use. The latest report is replayed to
   * a subscriber that comes later; a crash completes it, so nothing after it is told.
   */
  reports: ReplaySubject<InstanceReport> | undefined;
  /** Set while it starts: a crash then fails the start instead of being reported. */
  failure: ((error: unknown) => void) | undefined;
}

const HEARTBEAT: InstanceReport = { type: "HEARTBEAT" };
const NO_INSTANCE: InstanceReport = {
  type: "CRASHED",
  error: "the daemon has no running instance",
};

function reportsOf(instance: Instance): ReplaySubject<InstanceReport> {
  return (instance.reports ??= new ReplaySubject<InstanceReport>(1));
}

/**
 * Calls daemon code now (not a microtask later: the next daemon of a critical path must not wait
 * behind its siblings) and turns a synchronous throw into a rejection.
 */
function settle(fn: () => Promise<void> | void): Promise<void> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}

export class InProcessDriver implements DaemonDriver {
  private instance: Instance | undefined;
  private instances = 0;

  constructor(private readonly options: InProcessDriverOptions) {}

  /** The daemon object, for metrics and inspection. */
  get daemon(): InProcessDaemon {
    return this.options.daemon;
  }

  /**
   * Starts an instance. A cancelled start needs no listener on `_signal`: every way out of
   * STARTING stops or kills the instance, which aborts `ctx.signal`.
   */
  async start(_signal: AbortSignal): Promise<void> {
    const instance = this.createInstance();
    this.instance = instance;
    try {
      const failed = new Promise<never>((_, reject) => {
        instance.failure = reject;
      });
      const started = runAs(instance.owner, () =>
        settle(() => this.options.daemon.start(instance.ctx)),
      );
      await Promise.race([started, failed]);
    } finally {
      instance.failure = undefined;
    }
  }

  async stop(signal: AbortSignal): Promise<void> {
    const instance = this.instance;
    if (!instance) return;
    this.instance = undefined;
    instance.controller.abort(new Error("stopping"));
    const stopped = runAs(instance.owner, () =>
      settle(() => this.options.daemon.stop(instance.ctx)),
    );
    await Promise.race([stopped, whenAborted(signal)]);
  }

  /** The current instance's heartbeats and crash, and its health checks while subscribed. */
  reports(): Observable<InstanceReport> {
    const instance = this.instance;
    if (!instance) return of(NO_INSTANCE);
    const { daemon, clock, health } = this.options;
    const { healthCheck } = daemon;
    if (!healthCheck) return reportsOf(instance);
    const check = () => runAs(instance.owner, () => healthCheck.call(daemon));
    return merge(reportsOf(instance), healthReports(clock, health, check));
  }

  kill(): void {
    const instance = this.instance;
    if (!instance) return;
    this.instance = undefined;
    instance.controller.abort(new Error("killed"));
  }

  private createInstance(): Instance {
    const { name, logger } = this.options;
    const id = ++this.instances;
    const instance: Instance = {
      owner: { daemon: name, instance: id, crash: (error) => this.crash(instance, error) },
      controller: new LazyAbortController(),
      ctx: undefined as unknown as DaemonContext,
      reports: undefined,
      failure: undefined,
    };
    let bus: BusClient | undefined;
    const { options } = this;
    // `signal` and `bus` are made when the daemon first uses them: most starts need neither.
    instance.ctx = {
      name,
      get signal() {
        return instance.controller.signal;
      },
      get bus() {
        return (bus ??= options.bus(instance.owner));
      },
      logger,
      resources: options.resources?.() ?? {},
      heartbeat: () => {
        if (this.instance === instance) reportsOf(instance).next(HEARTBEAT);
      },
      fail: (error) => this.crash(instance, error),
    };
    return instance;
  }

  /** A crash of `instance`, whenever and however it is reported; stale instances are ignored. */
  private crash(instance: Instance, error: unknown): void {
    if (this.instance !== instance || instance.controller.aborted) return;
    if (instance.failure) {
      instance.failure(error);
      return;
    }
    const reports = reportsOf(instance);
    reports.next({ type: "CRASHED", error: messageOf(error) });
    reports.complete();
  }
}
