/**
 * An in-process daemon whose every move is made by the test: `start()` and `stop()` stay pending
 * until the test resolves or rejects them, health checks answer what the test scripted, and the
 * daemon crashes or beats its heart when told to. Time is read from the test's clock.
 */
import type { DaemonContext, HealthReport, InProcessDaemon } from "../../actors/daemon-types.ts";

interface Pending {
  resolve(): void;
  reject(error: Error): void;
}

function pending(): { promise: Promise<void>; call: Pending } {
  let call: Pending | undefined;
  const promise = new Promise<void>((resolve, reject) => {
    call = { resolve, reject };
  });
  return { promise, call: call! };
}

export interface ScriptedDaemonOptions {
  name: string;
  now: () => number;
  /** Stop at once instead of waiting for `finishStop`/`failStop`. */
  stopsAtOnce?: boolean;
}

export class ScriptedDaemon implements InProcessDaemon {
  /** The context of the latest instance. */
  ctx: DaemonContext | undefined;
  starts = 0;
  stops = 0;
  healthChecks = 0;
  /** Clock time of the latest health check. */
  lastHealthCheckAt: number | undefined;
  private startCall: Pending | undefined;
  private stopCall: Pending | undefined;
  private readonly health: HealthReport[] = [];
  private settleEverything = false;

  constructor(private readonly options: ScriptedDaemonOptions) {}

  start(ctx: DaemonContext): Promise<void> | void {
    this.ctx = ctx;
    this.starts++;
    if (this.settleEverything) return;
    const { promise, call } = pending();
    this.startCall = call;
    return promise;
  }

  stop(): Promise<void> | void {
    this.stops++;
    if (this.options.stopsAtOnce || this.settleEverything) return;
    const { promise, call } = pending();
    this.stopCall = call;
    return promise;
  }

  healthCheck(): HealthReport {
    this.healthChecks++;
    this.lastHealthCheckAt = this.options.now();
    return this.health.shift() ?? { healthy: true };
  }

  get startPending(): boolean {
    return this.startCall !== undefined;
  }

  finishStart(): void {
    this.takeStart().resolve();
  }

  failStart(error: Error): void {
    this.takeStart().reject(error);
  }

  finishStop(): void {
    this.takeStop().resolve();
  }

  failStop(error: Error): void {
    this.takeStop().reject(error);
  }

  /** The next health check answers `report`; later ones are healthy again. */
  scriptHealth(report: HealthReport): void {
    this.health.push(report);
  }

  /** Reports a crash of the running instance, as daemon code would. */
  crash(error: Error): void {
    this.context().fail(error);
  }

  heartbeat(): void {
    this.context().heartbeat();
  }

  /** From now on every start and stop settles at once, pending ones included: for teardown. */
  settle(): void {
    this.settleEverything = true;
    this.startCall?.resolve();
    this.stopCall?.resolve();
    this.startCall = this.stopCall = undefined;
  }

  private context(): DaemonContext {
    if (!this.ctx) throw new Error(`${this.options.name} has never been started`);
    return this.ctx;
  }

  private takeStart(): Pending {
    const call = this.startCall;
    if (!call) throw new Error(`${this.options.name}: no start() is pending`);
    this.startCall = undefined;
    return call;
  }

  private takeStop(): Pending {
    const call = this.stopCall;
    if (!call) throw new Error(`${this.options.name}: no stop() is pending`);
    this.stopCall = undefined;
    return call;
  }
}
