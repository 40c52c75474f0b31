import type { DaemonPolicyOptions } from "../../machines/daemon-policy.ts";
import { machineResources } from "./gpu-count.ts";
import type { ProcessDaemonSpec } from "../../actors/process-spec.ts";
import { resolveFromConfig, stateDirOf, type LoadedConfig } from "./load-config.ts";
import type { DaemonDefinition } from "./types.ts";
import {
  DaemonManager,
  type DaemonManagerOptions,
  type RegisterOptions,
} from "../manager/daemon-manager.ts";
import { loadDaemonModule } from "./load-daemon-module.ts";
import type { DaemonImplementation } from "../manager/supervised-driver.ts";
import { resolve } from "node:path";
import type { InProcessDaemon } from "../../actors/daemon-types.ts";
import { daemonWatchdog } from "../builtins/daemon-watchdog.ts";
import { eventRouterDaemon } from "../builtins/event-router.ts";
import { dlqRetryDaemon } from "../builtins/dlq-retry.ts";
import { crossProcessPoller } from "../builtins/cross-process-poller.ts";
import { Journal } from "../journal/journal.ts";
import {
  BUILT_IN_DAEMONS,
  configuredDaemons,
  dependencyGraphOf,
  type ConfiguredDaemon,
} from "../catalog/config-daemons.ts";
import { dependencyClosure } from "../../machines/dependency-graph.ts";
import { pythonProcessSpec, resolvedPython, wardenPackageRoot } from "./python-daemon.ts";

/**
 * A DaemonManager with every daemon of a loaded configuration registered that can run (modules
 * loaded, paths resolved against the configuration's folder): those bound to a module, a
 * program or a Python class, and, with a catalog, the built-in EVENT_ROUTER and DAEMON_WATCHDOG
 * where they will run (`options.builtIns`; HEALTH_SERVER is `warden up`'s:
 * runtime/control/control-plane.ts). A daemon that needs an unbound catalog daemon, or a built-in
 * left out, is left out too: it could not start (runtime/catalog/start-plan.ts says so for what
 * `warden up` would start). Nothing is started yet.
 *
 * @example
 * const manager = await managerFromConfig(await loadConfig("warden.config.ts"));
 * await manager.startAll();
 */
export async function managerFromConfig(
  loaded: LoadedConfig,
  options: ManagerFromConfigOptions = {},
): Promise<DaemonManager> {
  const { builtIns, ...managerOptions } = options;
  const daemons = configuredDaemons(loaded.config);
  const wanted = new Set(builtIns ?? neededBuiltIns(daemons));
  const runnable = runnableDaemons(daemons, wanted);
  const bound = await Promise.all(
    runnable
      .filter((daemon) => daemon.binding !== "built-in")
      .map(async ({ name, definition }) => ({
        name,
        definition,
        daemon: await implementationOf(loaded, name, definition),
      })),
  );
  const resources = managerOptions.resources ?? (await machineResources(loaded.config.resources));
  const manager = new DaemonManager({ stateDir: stateDirOf(loaded), ...managerOptions, resources });
  // Built-ins first, EVENT_ROUTER first of all: it gates the bus from the moment it is made.
  // (Only a built-in one: a configuration may bind a catalog name to a daemon of its own.)
  const order = Object.keys(BUILT_IN_DAEMONS);
  const builtInOnes = runnable
    .filter((daemon) => daemon.binding === "built-in")
    .sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  for (const { name, definition } of builtInOnes) {
    const builtIn = builtInDaemon(name, definition, manager, {
      journal: options.journal instanceof Journal ? options.journal : undefined,
      dlq: (loaded.config as { dlq?: unknown }).dlq,
    });
    if (builtIn) manager.register(name, builtIn, registerOptions(definition));
  }
  for (const { name, definition, daemon } of bound) {
    manager.register(name, daemon, registerOptions(definition));
  }
  return manager;
}

export interface ManagerFromConfigOptions extends DaemonManagerOptions {
  /**
   * The built-in daemons to register: those that will run. Default: the ones the configuration
   * names or its daemons depend on. (A registered EVENT_ROUTER holds daemons' events until it
   * runs, so one that will not run must not be registered; the daemons that need a built-in
   * left out are left out too.)
   */
  builtIns?: Iterable<string>;
}

/** The built-in daemons a configuration names, or that its daemons depend on, transitively. */
function neededBuiltIns(daemons: ReadonlyMap<string, ConfiguredDaemon>): string[] {
  const graph = dependencyGraphOf(daemons);
  const configured = [...daemons.values()].filter((daemon) => daemon.configured);
  const needed = dependencyClosure(
    configured.map((daemon) => daemon.name),
    graph,
  );
  return [...needed].filter((name) => daemons.get(name)?.binding === "built-in");
}

/**
 * The daemons that can run, in the configuration's order: bound, or built in, available and
 * `wanted`, with every dependency runnable too.
 */
function runnableDaemons(
  daemons: ReadonlyMap<string, ConfiguredDaemon>,
  wanted: ReadonlySet<string>,
): ConfiguredDaemon[] {
  const verdicts = new Map<string, boolean>();
  const runnable = (name: string, path: Set<string>): boolean => {
    const known = verdicts.get(name);
    if (known !== undefined) return known;
    const daemon = daemons.get(name);
    // A cycle is left to the graph check, which names it.
    if (daemon === undefined || path.has(name)) return daemon !== undefined;
    path.add(name);
    const own =
      daemon.binding === "built-in"
        ? BUILT_IN_DAEMONS[name]?.missing === undefined &&
          (wanted.has(name) || name === HEALTH_SERVER_NAME)
        : daemon.binding !== "unbound";
    const verdict =
      own && (daemon.definition.dependsOn ?? []).every((dependency) => runnable(dependency, path));
    path.delete(name);
    verdicts.set(name, verdict);
    return verdict;
  };
  return [...daemons.values()].filter(
    (daemon) =>
      (daemon.configured || daemon.binding === "built-in") &&
      daemon.name !== HEALTH_SERVER_NAME &&
      runnable(daemon.name, new Set()),
  );
}

/** HEALTH_SERVER is registered by `warden up` with the control plane, not here. */
const HEALTH_SERVER_NAME = "HEALTH_SERVER";

/** The built-in daemon of that name, with the definition's `options`; undefined for others. */
function builtInDaemon(
  name: string,
  definition: DaemonDefinition,
  manager: DaemonManager,
  { journal, dlq }: { journal: Journal | undefined; dlq: unknown },
): InProcessDaemon | undefined {
  const options = (isObject(definition.options) ? definition.options : {}) as Record<
    string,
    unknown
  >;
  if (name === "EVENT_ROUTER") return eventRouterDaemon({ ...options, bus: manager.bus });
  if (name === "DAEMON_WATCHDOG") return daemonWatchdog({ ...options, manager });
  if (name === "DLQ_RETRY")
    return dlqRetryDaemon({ ...options, bus: manager.bus, clock: manager.clock, dlq });
  if (name === "CROSS_PROCESS_POLLER") {
    return crossProcessPoller({
      ...options,
      bus: manager.bus,
      journal,
      stateDir: manager.stateDir,
    });
  }
  return undefined;
}

/** A module's daemon object, or the program of a `command` or `python` definition (cwd resolved). */
async function implementationOf(
  loaded: LoadedConfig,
  name: string,
  definition: DaemonDefinition,
): Promise<DaemonImplementation> {
  if (definition.module !== undefined) {
    const file = resolveFromConfig(loaded, definition.module);
    return loadDaemonModule(file, definition.options, name);
  }
  const cwd = resolveFromConfig(loaded, definition.cwd ?? ".");
  const program =
    definition.python !== undefined
      ? pythonProcessSpec(definition.python, resolve(loaded.dir), wardenPackageRoot(), {
          // The interpreter's real path, asked once: a pyenv shim costs ≈ 0.6 s per spawn.
          command: await resolvedPython(),
          ...(definition.env ? { env: definition.env } : {}),
          ...(definition.options !== undefined ? { options: definition.options } : {}),
          ...(process.env.PYTHONPATH ? { inheritedPythonPath: process.env.PYTHONPATH } : {}),
        })
      : { command: definition.command!, args: definition.args, env: definition.env };
  const spec: ProcessDaemonSpec = { command: program.command, cwd };
  if (program.args) spec.args = program.args;
  if (program.env) spec.env = program.env;
  const ready = definition.ready ?? ("ready" in program ? program.ready : undefined);
  if (ready) spec.ready = ready;
  const probe =
    definition.health && "probe" in definition.health ? definition.health.probe : undefined;
  if (probe) spec.healthProbe = probe;
  if (definition.logs) spec.logs = definition.logs;
  if (definition.limits) spec.limits = definition.limits;
  return spec;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `health` without its `probe` (which goes with the program): cadence and threshold. */
function healthPolicyOf(definition: DaemonDefinition): DaemonPolicyOptions["health"] {
  if (definition.health === undefined) return undefined;
  const { intervalMs, timeoutMs, failureThreshold } = definition.health;
  const health = { intervalMs, timeoutMs, failureThreshold };
  return Object.fromEntries(Object.entries(health).filter(([, value]) => value !== undefined));
}

/**
 * The supervision options of one definition, as DaemonManager.register takes them (`warden
 * simulate` registers its simulated daemons with them too, runtime/simulate/simulation-plan.ts).
 *
 * @example
 * manager.register("api", daemon, registerOptions({ module: "./api.ts", dependsOn: ["db"] }));
 */
export function registerOptions(definition: DaemonDefinition): RegisterOptions {
  const policy: DaemonPolicyOptions = {
    restart: definition.restart,
    backoff: definition.backoff,
    resetAfterMs: definition.resetAfterMs,
    maxRestarts: definition.maxRestarts,
    withinMs: definition.withinMs,
    startTimeoutMs: definition.startTimeoutMs,
    stopTimeoutMs: definition.stopTimeoutMs,
    health: healthPolicyOf(definition),
    heartbeatTimeoutMs: definition.heartbeatTimeoutMs,
    retryFailedAfterMs: definition.retryFailedAfterMs,
    critical: definition.critical,
  };
  const defined = Object.fromEntries(
    Object.entries(policy).filter(([, value]) => value !== undefined),
  ) as DaemonPolicyOptions;
  return {
    ...defined,
    dependsOn: definition.dependsOn ?? [],
    ...(definition.description !== undefined ? { description: definition.description } : {}),
    ...(definition.conflicts !== undefined ? { conflicts: definition.conflicts } : {}),
    ...(definition.requires !== undefined ? { requires: definition.requires } : {}),
  };
}
