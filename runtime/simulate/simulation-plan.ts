/**
 * What a simulation runs: the daemons `warden up` would start for the same configuration (or the
 * built-in catalog) and selection — each with its dependencies, supervision policy, resources
 * and conflicts as configured — in dependency order. Every one of them becomes a simulated
 * daemon, bound or not: the simulation needs no modules or programs, only the graph and the
 * policies. Where a definition sets no health cadence or heartbeat timeout the simulator gives
 * it one (SIMULATED_CADENCE), so that hangs, health failures and missed heartbeats can happen
 * and be caught.
 */
import { conflictingPairs } from "../../machines/daemon-conflicts.ts";
import { resolvePolicy, type DaemonPolicy } from "../../machines/daemon-policy.ts";
import { dependencyClosure, dependencyOrder, findCycle } from "../../machines/dependency-graph.ts";
import { WardenError } from "../../machines/errors.ts";
import {
  ALWAYS_RUNNING_BUILT_INS,
  catalogOf,
  configuredDaemons,
  dependencyGraphOf,
} from "../catalog/config-daemons.ts";
import { selectDaemons, type Selection } from "../config/select-daemons.ts";
import type { DaemonDefinition, WardenConfig } from "../config/types.ts";
import { registerOptions } from "../config/manager-from-config.ts";
import type { RegisterOptions } from "../manager/manager-options.ts";

/**
 * The simulated daemons' cadence where the configuration sets none: a health check every
 * 5 minutes (3 failures in a row restart it) and a heartbeat as often, missed after 15 minutes.
 * Slower than SPEC §2's health default (10 s) on purpose: each check is a step of the
 * simulation, and at this cadence a simulated day of 63 daemons is ≈ 18,000 steps instead of
 * 550,000 (BENCHMARKS.md). Both start when the daemon is ready, so they fall in the same step.
 * A configuration that sets `health` or `heartbeatTimeoutMs` is simulated with its own.
 */
export const SIMULATED_CADENCE = {
  health: { intervalMs: 300_000, timeoutMs: 5_000, failureThreshold: 3 },
  heartbeatMs: 300_000,
  heartbeatTimeoutMs: 900_000,
} as const;

/** One daemon of the plan. */
export interface PlannedDaemon {
  name: string;
  dependsOn: string[];
  /** What `DaemonManager.register` takes. */
  options: RegisterOptions;
  /** The policy the lifecycle chart will run with (options resolved). */
  policy: DaemonPolicy;
  /** How often the simulated daemon sends a heartbeat. */
  heartbeatMs: number;
}

export interface SimulationPlan {
  daemons: PlannedDaemon[];
  /** The machine's countable resources (SPEC §6a). */
  resources: Record<string, number>;
}

/**
 * The plan for `config` and `selection`: a profile, `--daemons`, or (none given) the
 * configuration's own daemons, or with a catalog and no daemons of its own, the whole catalog.
 *
 * @example
 * planSimulation({ catalog: "ringrift", daemons: {} }, { profile: "coordinator" }).daemons.length;
 */
export function planSimulation(config: WardenConfig, selection: Selection): SimulationPlan {
  const known = configuredDaemons(config);
  const graph = dependencyGraphOf(known);
  const cycle = findCycle(graph);
  if (cycle) {
    throw new WardenError("WARDEN_ERR_DEPENDENCY_CYCLE", `dependency cycle: ${cycle.join(" -> ")}`);
  }
  const nothingChosen = !selection.all && !selection.daemons && !selection.profile;
  const chosen =
    nothingChosen && Object.keys(config.daemons).length === 0
      ? (catalogOf(config)?.entries.map((entry) => entry.name) ?? [])
      : selectDaemons(config, selection);
  const builtIns = Object.keys(ALWAYS_RUNNING_BUILT_INS).filter((name) => known.has(name));
  const closure = dependencyClosure([...chosen, ...builtIns], graph);
  const names = dependencyOrder(
    [...known.keys()].filter((name) => closure.has(name)),
    graph,
  );
  for (const name of names) {
    for (const dependency of graph.get(name) ?? []) {
      if (!known.has(dependency)) {
        throw new WardenError(
          "WARDEN_ERR_UNKNOWN_DEPENDENCY",
          `daemons.${name}: depends on "${dependency}", which is not defined`,
        );
      }
    }
  }
  const declared = new Map(
    names.map((name) => [name, known.get(name)!.definition.conflicts ?? []]),
  );
  const pairs = conflictingPairs(names, declared);
  if (pairs.length > 0) {
    throw new WardenError(
      "WARDEN_ERR_CONFIG",
      `the selection holds daemons that conflict: ${pairs.map(([a, b]) => `${a} and ${b}`).join("; ")}`,
    );
  }
  const daemons = names.map((name) => plannedDaemon(name, known.get(name)!.definition));
  return { daemons, resources: resourcesOf(config, daemons) };
}

function plannedDaemon(name: string, definition: DaemonDefinition): PlannedDaemon {
  const health = {
    ...SIMULATED_CADENCE.health,
    ...Object.fromEntries(
      Object.entries(definition.health ?? {}).filter(
        ([key, value]) => key !== "probe" && value !== undefined,
      ),
    ),
  };
  // As `warden up` registers it, with the simulated cadence where the configuration sets none.
  const heartbeatTimeoutMs = definition.heartbeatTimeoutMs ?? SIMULATED_CADENCE.heartbeatTimeoutMs;
  const options: RegisterOptions = { ...registerOptions(definition), health, heartbeatTimeoutMs };
  const dependsOn = [...(options.dependsOn ?? [])];
  const policy = resolvePolicy(options);
  const heartbeatMs =
    definition.heartbeatTimeoutMs === undefined
      ? SIMULATED_CADENCE.heartbeatMs
      : Math.max(1, Math.floor(definition.heartbeatTimeoutMs / 4));
  return { name, dependsOn, options, policy, heartbeatMs };
}

/**
 * The configuration's resources; one it does not count (`gpu` is detected by `warden up`, never
 * in a simulation) gets as many units as the most any daemon requires, so that a run is the
 * same on every machine.
 */
function resourcesOf(
  config: WardenConfig,
  daemons: readonly PlannedDaemon[],
): Record<string, number> {
  const resources: Record<string, number> = { ...(config.resources ?? {}) };
  for (const daemon of daemons) {
    for (const [name, count] of Object.entries(daemon.options.requires ?? {})) {
      if (!Object.hasOwn(config.resources ?? {}, name)) {
        resources[name] = Math.max(resources[name] ?? 0, count);
      }
    }
  }
  return resources;
}
