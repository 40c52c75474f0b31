/**
 * Liveness of a process daemon (SPEC §4): its `health.probe` run on the same loop as a module's
 * `healthCheck()` (actors/health-check-loop.ts), so that results take the same path — a
 * HEALTH_RESULT report to the lifecycle chart, which counts failures against
 * `failureThreshold`, restarts the daemon, and announces DAEMON_HEALTH_CHANGED.
 *
 * What this file adds to the loop is what a probe of the outside world needs: each probe gets an
 * AbortSignal that fires at `timeoutMs` (the loop has already counted the failure then) and when
 * the daemon leaves RUNNING, so an HTTP request, a connect or a command never outlives it; and
 * probes of one daemon never overlap — while one has not finished, the next is a failure
 * without starting anything.
 */
import { Observable } from "rxjs";
import { messageOf } from "../machines/errors.ts";
import type { HealthPolicy } from "../machines/daemon-policy.ts";
import type { InstanceReport } from "../machines/instance-protocol.ts";
import type { WardenClock } from "./clock.ts";
import { healthReports, type HealthResult } from "./health-check-loop.ts";
import { probeExec } from "./health-probes/exec-probe.ts";
import { probeHttp } from "./health-probes/http-probe.ts";
import { probeTcp } from "./health-probes/tcp-probe.ts";
import type { HealthProbe, ProcessDaemonSpec } from "./process-spec.ts";

/** The detail of a probe due while the previous one has not finished. */
export const STILL_RUNNING = "the previous health probe has not finished";

export interface ProcessHealthOptions {
  name: string;
  probe: HealthProbe;
  /** For `exec`: the daemon's working directory and environment. */
  spec: Pick<ProcessDaemonSpec, "cwd" | "env">;
  policy: HealthPolicy;
  clock: WardenClock;
  /** For `notify`: asks `HEALTH?` on the daemon's notify connections (actors/process-notify.ts). */
  askNotify(signal: AbortSignal): Promise<HealthResult>;
}

/**
 * The probe's results as HEALTH_RESULT reports for the instance with process id `pid`: the loop
 * runs while the Observable is subscribed to (the daemon is RUNNING), and an unsubscribe aborts
 * the probe under way.
 *
 * @example
 * merge(instance.reports, processHealthReports(options, instance.pid));
 */
export function processHealthReports(
  options: ProcessHealthOptions,
  pid: number | undefined,
): Observable<InstanceReport> {
  const { clock, policy } = options;
  return new Observable<InstanceReport>((subscriber) => {
    const runner = new SerialProbe(clock, policy.timeoutMs, (signal) =>
      runProbe(options, pid, signal),
    );
    const subscription = healthReports(clock, policy, () => runner.run()).subscribe(subscriber);
    return () => {
      subscription.unsubscribe();
      runner.stop();
    };
  });
}

/** One probe of `options.probe`, by its kind. */
function runProbe(
  options: ProcessHealthOptions,
  pid: number | undefined,
  signal: AbortSignal,
): Promise<HealthResult> {
  const { probe } = options;
  if ("http" in probe) return probeHttp(probe.http, signal);
  if ("tcp" in probe) return probeTcp(probe.tcp, signal);
  if ("exec" in probe) return probeExec(execOf(options, probe.exec, pid), signal);
  return options.askNotify(signal);
}

/** The command of an `exec` probe, run where and as the daemon runs, told who it checks. */
function execOf(options: ProcessHealthOptions, argv: readonly string[], pid: number | undefined) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.spec.env };
  env.WARDEN_DAEMON_NAME = options.name;
  if (pid !== undefined) env.WARDEN_DAEMON_PID = String(pid);
  return { argv, cwd: options.spec.cwd, env };
}

/**
 * Runs a probe at most once at a time, each with a signal aborted at `timeoutMs` on `clock` or
 * by `stop()`.
 *
 * @example
 * const runner = new SerialProbe(clock, 5000, (signal) => probeTcp(5432, signal));
 * await runner.run(); // { healthy: true }
 */
export class SerialProbe {
  private running: AbortController | undefined;
  private stopped = false;

  constructor(
    private readonly clock: WardenClock,
    private readonly timeoutMs: number,
    private readonly probe: (signal: AbortSignal) => Promise<HealthResult>,
  ) {}

  run(): Promise<HealthResult> {
    if (this.running) return Promise.resolve({ healthy: false, detail: STILL_RUNNING });
    const controller = new AbortController();
    this.running = controller;
    if (this.stopped) controller.abort();
    const timer = this.clock.setTimeout(() => controller.abort(), this.timeoutMs);
    return Promise.resolve()
      .then(() => this.probe(controller.signal))
      .catch((error: unknown) => ({ healthy: false, detail: `probe failed: ${messageOf(error)}` }))
      .finally(() => {
        this.clock.clearTimeout(timer);
        if (this.running === controller) this.running = undefined;
      });
  }

  /** Aborts the probe under way, and any later one at once. */
  stop(): void {
    this.stopped = true;
    this.running?.abort();
  }
}
