/**
 * A simulated daemon: an in-process daemon (SPEC §4) run by the real driver and lifecycle chart,
 * whose only work is to take simulated time and to misbehave when the seeded fault stream says so
 * (fault-spec.ts). It starts in 50 ms – 2 s (a slow start: ½ to 1½ × its start timeout), sends a
 * heartbeat every `heartbeatMs`, answers health checks, and while it runs draws the time of its
 * next fault from a Poisson process of the per-hour rates.
 */
import type { WardenClock } from "../../actors/clock.ts";
import type { DaemonContext, HealthReport, InProcessDaemon } from "../../actors/daemon-types.ts";
import type { DaemonPolicy } from "../../machines/daemon-policy.ts";
import type { FaultKind, FaultRates } from "./fault-spec.ts";
import { between, exponentialMs, type RandomSource } from "../../machines/seeded-random.ts";

/** The faults a running daemon draws (dep-loss is the simulator's, slow-start and stop-timeout per operation). */
const RUNNING_FAULTS = ["crash", "hang", "health", "heartbeat"] as const;

/** How long a health failure lasts: 1 to 20 minutes (it may heal before the threshold). */
const HEALTH_FAILURE_MS = { min: 60_000, max: 1_200_000 } as const;
/** How long a normal start and a normal stop take. */
const START_MS = { min: 50, max: 2_000 } as const;
const STOP_MS = { min: 10, max: 1_000 } as const;

export interface SimulatedDaemonOptions {
  name: string;
  clock: WardenClock;
  /** The run's fault stream, shared by every daemon (draws happen in a deterministic order). */
  random: RandomSource;
  rates: FaultRates;
  policy: DaemonPolicy;
  /** How often it sends a heartbeat; none when the policy has no heartbeat timeout. */
  heartbeatMs: number;
  /** Told of every fault as it is injected. */
  onFault(daemon: string, kind: FaultKind, detail: string): void;
}

/** One instance: what it has scheduled and how it misbehaves. */
interface Instance {
  ctx: DaemonContext;
  timers: Set<unknown>;
  hung: boolean;
  heartbeats: boolean;
  unhealthyUntil: number;
}

/**
 * Makes a simulated daemon.
 *
 * @example
 * manager.register("AUTO_SYNC", simulatedDaemon({ name: "AUTO_SYNC", clock, random, rates, policy, heartbeatMs, onFault }));
 */
export function simulatedDaemon(options: SimulatedDaemonOptions): InProcessDaemon {
  const { name, clock, random, rates, policy } = options;
  let current: Instance | undefined;

  const later = (instance: Instance, ms: number, fn: () => void) => {
    const timer = clock.setTimeout(() => {
      instance.timers.delete(timer);
      fn();
    }, ms);
    instance.timers.add(timer);
  };
  const quiet = (instance: Instance) => {
    for (const timer of instance.timers) clock.clearTimeout(timer);
    instance.timers.clear();
  };
  const fault = (kind: FaultKind, detail: string) => options.onFault(name, kind, detail);

  const heartbeat = (instance: Instance) => {
    if (!instance.heartbeats || instance.hung) return;
    instance.ctx.heartbeat();
    later(instance, options.heartbeatMs, () => heartbeat(instance));
  };

  const nextFault = (instance: Instance) => {
    const total = RUNNING_FAULTS.reduce((sum, kind) => sum + rates[kind], 0);
    const inMs = exponentialMs(random, total);
    if (!Number.isFinite(inMs)) return;
    let pick = random() * total;
    const kind = RUNNING_FAULTS.find((k) => (pick -= rates[k]) < 0) ?? "crash";
    later(instance, inMs, () => strike(instance, kind));
  };

  const strike = (instance: Instance, kind: (typeof RUNNING_FAULTS)[number]) => {
    if (kind === "crash") {
      fault("crash", "reports a crash");
      quiet(instance);
      instance.ctx.fail(new Error("simulated crash"));
      return;
    }
    if (kind === "hang") {
      fault("hang", "stops answering: no health answer, no heartbeat, no stop");
      quiet(instance);
      instance.hung = true;
      return;
    }
    if (kind === "heartbeat") {
      if (policy.heartbeatTimeoutMs === undefined) return nextFault(instance);
      fault("heartbeat", "stops sending heartbeats");
      instance.heartbeats = false;
      return;
    }
    const forMs = between(random, HEALTH_FAILURE_MS.min, HEALTH_FAILURE_MS.max);
    fault("health", `health check fails for ${Math.round(forMs / 1000)} s`);
    instance.unhealthyUntil = clock.now() + forMs;
    nextFault(instance);
  };

  const daemon: InProcessDaemon = {
    start(ctx) {
      const instance: Instance = {
        ctx,
        timers: new Set(),
        hung: false,
        heartbeats: policy.heartbeatTimeoutMs !== undefined,
        unhealthyUntil: 0,
      };
      current = instance;
      ctx.signal.addEventListener("abort", () => quiet(instance), { once: true });
      const slow = random() < rates["slow-start"];
      const startMs = slow
        ? Math.round(policy.startTimeoutMs * (0.5 + random()))
        : between(random, START_MS.min, START_MS.max);
      if (slow) fault("slow-start", `start takes ${Math.round(startMs / 1000)} s`);
      return new Promise<void>((resolve) =>
        later(instance, startMs, () => {
          resolve();
          heartbeat(instance);
          nextFault(instance);
        }),
      );
    },
    stop(ctx) {
      const instance = current?.ctx === ctx ? current : undefined;
      if (instance) quiet(instance);
      if (instance?.hung) return new Promise<void>(() => {});
      if (random() < rates["stop-timeout"]) {
        fault("stop-timeout", "its stop never finishes");
        return new Promise<void>(() => {});
      }
      const stopMs = between(random, STOP_MS.min, STOP_MS.max);
      return new Promise<void>((resolve) => clock.setTimeout(() => resolve(), stopMs));
    },
    healthCheck(): Promise<HealthReport> | HealthReport {
      const instance = current;
      if (instance?.hung) return new Promise<HealthReport>(() => {});
      if (instance && clock.now() < instance.unhealthyUntil) {
        return { healthy: false, detail: "simulated health failure" };
      }
      return { healthy: true };
    },
  };
  return daemon;
}
