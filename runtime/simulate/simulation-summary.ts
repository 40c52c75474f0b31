/**
 * The summary of a run as `warden simulate --json` prints it (SPEC §12): `{ seed, duration,
 * daemons, events, faults, restarts, failed, invariants: { checked, violations }, digest }`, and
 * beside those each daemon's time in each state, restarts, failures and downtime.
 */
import type { DaemonStats } from "./daemon-stats.ts";
import type { FaultKind } from "./fault-spec.ts";
import type { Violation } from "./invariants.ts";
import type { SimulationResult } from "./run-simulation.ts";
import { durationText } from "./sim-duration.ts";

export interface SimulationSummary {
  seed: number;
  /** The simulated duration, as `--duration` takes it ("24h"). */
  duration: string;
  /** How many daemons ran. */
  daemons: number;
  events: number;
  faults: Record<FaultKind, number>;
  /** DAEMON_RESTARTING events: every restart, its own or a dependency's. */
  restarts: number;
  /** DAEMON_FAILED events. */
  failed: number;
  /** The critical daemon whose failure shut the manager down, or null. */
  escalatedBy: string | null;
  invariants: { checked: number; violations: (Violation & { seed: number })[] };
  digest: string;
  perDaemon: Record<string, DaemonStats>;
}

/**
 * The summary of `result`.
 *
 * @example
 * JSON.stringify(summaryOf(await runSimulation(options)));
 */
export function summaryOf(result: SimulationResult): SimulationSummary {
  return {
    seed: result.seed,
    duration: durationText(result.durationMs),
    daemons: result.daemons.length,
    events: result.events,
    faults: result.faults,
    restarts: result.restarts,
    failed: result.failed,
    escalatedBy: result.escalatedBy ?? null,
    invariants: {
      checked: result.invariants.checked,
      violations: result.invariants.violations.map((violation) => ({
        ...violation,
        seed: result.seed,
      })),
    },
    digest: result.digest,
    perDaemon: Object.fromEntries(result.stats),
  };
}
