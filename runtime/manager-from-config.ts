import type { DaemonPolicyOptions } from "../machines/daemon-policy.ts";
import { resolveFromConfig, type LoadedConfig } from "./config/load-config.ts";
import type { DaemonDefinition } from "./config/types.ts";
import {
  DaemonManager,
  type DaemonManagerOptions,
  type RegisterOptions,
} from "./daemon-manager.ts";
import { WardenError } from "./errors.ts";
import { loadDaemonModule } from "./load-daemon-module.ts";

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
    Object.entries(config.daemons).map(async ([name, definition]) => {
      if (definition.module === undefined) {
        throw new WardenError(
          "WARDEN_ERR_CONFIG",
          `${loaded.file}: daemons.${name}.command: process daemons are not part of this release yet; ` +
            `bind "${name}" to a module instead`,
        );
      }
      const file = resolveFromConfig(loaded, definition.module);
      return { name, definition, daemon: await loadDaemonModule(file, definition.options, name) };
    }),
  );
  const manager = new DaemonManager(options);
  for (const { name, definition, daemon } of daemons) {
    manager.register(name, daemon, registerOptions(definition));
  }
  return manager;
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
    health: definition.health,
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
