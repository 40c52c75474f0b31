/**
 * A daemon's driver as the manager hands it to the lifecycle chart, with what DAEMON_WATCHDOG
 * (runtime/builtins/daemon-watchdog.ts) needs to see and do beyond the chart: when the instance
 * last sent a heartbeat, and a way to end a start or a stop that hangs although the chart's own
 * deadline has passed. Everything else goes to the wrapped driver unchanged.
 */
import { tap, type Observable } from "rxjs";
import type { WardenClock } from "../../actors/clock.ts";
import type { DaemonDriver } from "../../actors/lifecycle-actors.ts";
import type { InstanceReport } from "../../machines/instance-protocol.ts";

/** A start or a stop of the driver that has not settled yet. */
interface Pending {
  step: "start" | "stop";
  reject(error: Error): void;
}

/**
 * Wraps `inner`. With `heartbeats` (the daemon has `heartbeatTimeoutMs`), the time of each
 * heartbeat its instances report is kept in `lastHeartbeatAt`; without, reports pass untouched.
 *
 * @example
 * const driver = new WatchedDriver(supervised.driver, clock, policy.heartbeatTimeoutMs !== undefined);
 * driver.interrupt("stop", new Error("stop forced")); // true when a stop was pending
 */
export class WatchedDriver implements DaemonDriver {
  /** When an instance last reported a heartbeat, on `clock`; undefined before the first. */
  lastHeartbeatAt: number | undefined;
  private pending: Pending | undefined;

  constructor(
    private readonly inner: DaemonDriver,
    private readonly clock: WardenClock,
    private readonly heartbeats: boolean,
  ) {}

  start(signal: AbortSignal): Promise<void> {
    return this.track("start", () => this.inner.start(signal));
  }

  stop(signal: AbortSignal): Promise<void> {
    return this.track("stop", () => this.inner.stop(signal));
  }

  reports(): Observable<InstanceReport> {
    const reports = this.inner.reports();
    if (!this.heartbeats) return reports;
    return reports.pipe(
      tap((report) => {
        if (report.type === "HEARTBEAT") this.lastHeartbeatAt = this.clock.now();
      }),
    );
  }

  kill(): void {
    this.inner.kill();
  }

  /**
   * Ends the pending `step` now, as the chart does when its timeout fires: the instance is
   * killed and the start or stop rejects with `error`, so the chart takes its failure path
   * (a failed start: restart policy and intensity decide; a failed stop: STOPPED). False, and
   * nothing done, when no such step is pending.
   */
  interrupt(step: "start" | "stop", error: Error): boolean {
    const pending = this.pending;
    if (pending?.step !== step) return false;
    this.pending = undefined;
    this.inner.kill();
    pending.reject(error);
    return true;
  }

  /** Runs `work` now (not a microtask later) and remembers it until it settles. */
  private track(step: Pending["step"], work: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { step, reject };
      this.pending = pending;
      const settled = () => {
        // A newer start or stop may have taken the slot: leave it.
        if (this.pending === pending) this.pending = undefined;
      };
      let running: Promise<void>;
      try {
        running = work();
      } catch (error) {
        running = Promise.reject(error);
      }
      running.then(
        () => {
          settled();
          resolve();
        },
        (error: unknown) => {
          settled();
          reject(error);
        },
      );
    });
  }
}
