/**
 * The driver of an in-process daemon (SPEC §4): one object with `start` and `stop`, each run
 * attributed to its daemon so that anything it throws or rejects, now or later, crashes that
 * daemon alone.
 */
import type { DaemonDriver, DriverReport } from "../machines/daemon-driver.ts";
import type { HealthPolicy } from "../machines/daemon-policy.ts";
import type { BusClient, DaemonContext, DaemonLogger, InProcessDaemon } from "./daemon-types.ts";
import type { WardenClock } from "./clock.ts";
import { runAs, type Owner } from "./daemon-ownership.ts";
import { LazyAbortController } from "./lazy-abort-controller.ts";
import { whenAborted } from "./when-aborted.ts";
import { startHealthLoop } from "./health-check-loop.ts";

export interface InProcessDriverOptions {
  name: string;
  daemon: InProcessDaemon;
  clock: WardenClock;
  health: HealthPolicy;
  logger: DaemonLogger;
  /** The bus as this daemon sees it: its handlers run as its own code. */
  bus: (owner: Owner) => BusClient;
}

interface Instance {
  owner: Owner;
  controller: LazyAbortController;
  ctx: DaemonContext;
  /** Set by `watch`; reports before it was attached wait in `pending`. */
  report: ((event: DriverReport) => void) | undefined;
  pending: DriverReport | undefined;
  failure: ((error: unknown) => void) | undefined;
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
    instance.report = undefined;
    instance.controller.abort(new Error("stopping"));
    const stopped = runAs(instance.owner, () =>
      settle(() => this.options.daemon.stop(instance.ctx)),
    );
    await Promise.race([stopped, whenAborted(signal)]);
  }

  watch(report: (event: DriverReport) => void): () => void {
    const instance = this.instance;
    if (!instance) {
      report({ type: "CRASHED", error: "the daemon has no running instance" });
      return () => {};
    }
    instance.report = report;
    if (instance.pending) report(instance.pending);
    const { healthCheck } = this.options.daemon;
    const stopHealth = healthCheck
      ? startHealthLoop(
          this.options.clock,
          this.options.health,
          () => runAs(instance.owner, () => healthCheck.call(this.options.daemon)),
          (result) => instance.report?.({ type: "HEALTH_RESULT", ...result }),
        )
      : () => {};
    return () => {
      instance.report = undefined;
      stopHealth();
    };
  }

  kill(): void {
    const instance = this.instance;
    if (!instance) return;
    this.instance = undefined;
    instance.report = undefined;
    instance.controller.abort(new Error("killed"));
  }

  private createInstance(): Instance {
    const { name, logger } = this.options;
    const id = ++this.instances;
    const instance: Instance = {
      owner: { daemon: name, instance: id, crash: (error) => this.crash(instance, error) },
      controller: new LazyAbortController(),
      ctx: undefined as unknown as DaemonContext,
      report: undefined,
      pending: undefined,
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
      heartbeat: () => instance.report?.({ type: "HEARTBEAT" }),
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
    const event: DriverReport = { type: "CRASHED", error: messageOf(error) };
    if (instance.report) instance.report(event);
    else instance.pending ??= event;
  }
}
