import type { DaemonPolicyOptions } from "../../machines/daemon-policy.ts";
import type { ProcessDaemonSpec } from "../../actors/process-spec.ts";
import { resolveFromConfig, stateDirOf, type LoadedConfig } from "./load-config.ts";
import type { DaemonDefinition } from "./types.ts";
import {
  DaemonManager,
  type DaemonManagerOptions,
  type RegisterOptions,
} from "../manager/daemon-manager.ts";
import { WardenError } from "../../machines/errors.ts";
import { loadDaemonModule } from "./load-daemon-module.ts";
import type { DaemonImplementation } from "../manager/supervised-driver.ts";

/**
 * A DaemonManager with every daemon of a loaded configuration registered (modules loaded,
 * paths resolved against the configuration's folder). Nothing is started yet.
 *
 * @example
 * const manager = await managerFromConfig(await loadConfig("warden.config.ts"));
 * await manager.startAll();
 */
export async function managerFromConfig(
  loaded: LoadedConfig,
  options: DaemonManagerOptions = {},
): Promise<DaemonManager> {
  const { config } = loaded;
  if (config.catalog !== undefined) {
    throw new WardenError(
      "WARDEN_ERR_CONFIG",
      `${loaded.file}: catalog: the built-in "${config.catalog}" catalog is not part of this release yet; ` +
        `define the daemons under "daemons" instead`,
    );
  }
  const daemons = await Promise.all(
    Object.entries(config.daemons).map(async ([name, definition]) => ({
      name,
      definition,
      daemon: await implementationOf(loaded, name, definition),
    })),
  );
  const manager = new DaemonManager({ stateDir: stateDirOf(loaded), ...options });
  for (const { name, definition, daemon } of daemons) {
    manager.register(name, daemon, registerOptions(definition));
  }
  return manager;
}

/** A module's daemon object, or the program of a `command` definition (cwd resolved). */
async function implementationOf(
  loaded: LoadedConfig,
  name: string,
  definition: DaemonDefinition,
): Promise<DaemonImplementation> {
  if (definition.module !== undefined) {
    const file = resolveFromConfig(loaded, definition.module);
    return loadDaemonModule(file, definition.options, name);
  }
  const spec: ProcessDaemonSpec = {
    command: definition.command,
    cwd: resolveFromConfig(loaded, definition.cwd ?? "."),
  };
  if (definition.args) spec.args = definition.args;
  if (definition.env) spec.env = definition.env;
  if (definition.ready) spec.ready = definition.ready;
  if (definition.health?.probe) spec.healthProbe = definition.health.probe;
  if (definition.logs) spec.logs = definition.logs;
  return spec;
}

/** `health` without its `probe` (which goes with the program): cadence and threshold. */
function healthPolicyOf(definition: DaemonDefinition): DaemonPolicyOptions["health"] {
  if (definition.health === undefined) return undefined;
  const { intervalMs, timeoutMs, failureThreshold } = definition.health;
  const health = { intervalMs, timeoutMs, failureThreshold };
  return Object.fromEntries(Object.entries(health).filter(([, value]) => value !== undefined));
}

/** The supervision options of one definition, as DaemonManager.register takes them. */
function registerOptions(definition: DaemonDefinition): RegisterOptions {
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
  };
}
