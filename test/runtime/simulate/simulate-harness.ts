/**
 * Test support for the simulator: one run of the ringrift catalog (or a configuration given as
 * an object) with a seed, a duration and `--faults`, as `warden simulate` makes it.
 */
import type { DaemonLifecycleMachine } from "../../../machines/daemon-lifecycle.ts";
import type { SupervisorMachine } from "../../../machines/supervisor.ts";
import { validateConfig } from "../../../runtime/config/validate-config.ts";
import type { Selection } from "../../../runtime/config/select-daemons.ts";
import { parseFaults } from "../../../runtime/simulate/fault-spec.ts";
import { runSimulation, type SimulationResult } from "../../../runtime/simulate/run-simulation.ts";
import { durationText, parseDuration } from "../../../runtime/simulate/sim-duration.ts";

export interface HarnessRun {
  seed: number;
  duration: string;
  faults?: string;
  /** A configuration object; default the ringrift catalog alone. */
  config?: Record<string, unknown>;
  selection?: Selection;
  lifecycleMachine?: DaemonLifecycleMachine;
  supervisorMachine?: SupervisorMachine;
  keepLog?: boolean;
  expected?: readonly string[];
  pace?: (due: number) => Promise<void>;
}

/** Runs one simulation. */
export function simulateRun(run: HarnessRun): Promise<SimulationResult> {
  const durationMs = parseDuration(run.duration);
  const config = validateConfig(run.config ?? { catalog: "ringrift", daemons: {} }, "test config");
  return runSimulation({
    config,
    selection: run.selection ?? {},
    seed: run.seed,
    durationMs,
    faults: parseFaults(run.faults),
    inputs: { duration: durationText(durationMs), catalog: "ringrift" },
    machines: {
      ...(run.lifecycleMachine ? { lifecycle: run.lifecycleMachine } : {}),
      ...(run.supervisorMachine ? { supervisor: run.supervisorMachine } : {}),
    },
    ...(run.keepLog ? { keepLog: true } : {}),
    ...(run.expected ? { expected: run.expected } : {}),
    ...(run.pace ? { pace: run.pace } : {}),
  });
}

/** "invariant: message" of each violation, for readable failures. */
export function violationsOf(result: SimulationResult): string[] {
  return result.invariants.violations.map((v) => `${v.invariant} at ${v.at} ms: ${v.message}`);
}
