/**
 * The `dep-loss` fault: a daemon that others depend on is taken away — stopped by command, as an
 * operator or a failing host would — for 1 to 10 simulated minutes, then started again. Its
 * dependents must leave RUNNING at once and come back after it (SPEC §3, rest_for_one). Each such
 * daemon draws its losses from a Poisson process of the `dep-loss` rate, while it is RUNNING.
 */
import type { LifecycleState } from "../../machines/lifecycle-states.ts";
import type { SimulationClock } from "./sim-clock.ts";
import { between, exponentialMs, type RandomSource } from "../../machines/seeded-random.ts";

const OUTAGE_MS = { min: 60_000, max: 600_000 } as const;

export interface DependencyLossOptions {
  /** Daemons with dependents: those whose loss is news. */
  names: readonly string[];
  perHour: number;
  clock: SimulationClock;
  random: RandomSource;
  stateOf(name: string): LifecycleState;
  stop(name: string): Promise<void>;
  start(name: string): Promise<void>;
  onFault(daemon: string, detail: string): void;
  /** False once the shutdown has begun: nothing is taken away or started then. */
  active(): boolean;
}

/**
 * Starts the losses; returns nothing to stop: the timers end with the run's clock.
 *
 * @example
 * scheduleDependencyLoss({ names: ["EVENT_ROUTER"], perHour: 0.01, clock, random, ... });
 */
export function scheduleDependencyLoss(options: DependencyLossOptions): void {
  const { clock, random } = options;
  const next = (name: string) => {
    const inMs = exponentialMs(random, options.perHour);
    if (Number.isFinite(inMs)) clock.setTimeout(() => strike(name), inMs);
  };
  const strike = (name: string) => {
    if (!options.active()) return;
    if (options.stateOf(name) !== "RUNNING") return next(name);
    const outageMs = between(random, OUTAGE_MS.min, OUTAGE_MS.max);
    options.onFault(name, `taken away for ${Math.round(outageMs / 1000)} s`);
    // A stop or start refused or failed is the chart's business; the run goes on.
    options.stop(name).catch(() => {});
    clock.setTimeout(() => {
      if (!options.active()) return;
      options.start(name).catch(() => {});
      next(name);
    }, outageMs);
  };
  for (const name of options.names) next(name);
}
