/**
 * The daemons a configuration knows, with the built-in catalog folded in (SPEC §6): with
 * `catalog: "ringrift"`, every daemon type of the catalog is a known name, with its dependencies
 * and description; the configuration binds some of them to a module, a program or a Python
 * class (and may override any option), tunes the built-in ones, and adds daemons of its own.
 * Without a catalog the configuration's daemons are all there is, as before.
 */
import {
  CATALOGS,
  catalogEntry,
  type Catalog,
  type CatalogEntry,
} from "../../machines/catalog/catalog.ts";
import type { DaemonDefinition, WardenConfig } from "../config/types.ts";

/** How a daemon runs: bound by the configuration, built into warden, or not bound at all. */
export type DaemonBinding = "module" | "command" | "python" | "built-in" | "unbound";

/**
 * The infrastructure daemons warden provides itself (SPEC §6), and what is missing of the ones
 * that are not real yet: a configuration that would start one of those is refused, never faked.
 */
export const BUILT_IN_DAEMONS: Readonly<Record<string, { missing?: string }>> = {
  EVENT_ROUTER: {},
  DAEMON_WATCHDOG: {},
  HEALTH_SERVER: {},
  CROSS_PROCESS_POLLER: {},
  DLQ_RETRY: {},
};

/**
 * The built-ins `warden up` always runs, with or without a catalog (SPEC §5), besides
 * HEALTH_SERVER (which the control plane registers): known by name to every configuration.
 */
export const ALWAYS_RUNNING_BUILT_INS: Readonly<Record<string, string>> = {
  CROSS_PROCESS_POLLER: "Delivers the events other processes append to the journal",
  DLQ_RETRY: "Retries the dead-letter queue with backoff, then parks what keeps failing",
};

/** Whether `name` is a built-in every configuration knows. */
export function isAlwaysRunning(name: string): boolean {
  return Object.hasOwn(ALWAYS_RUNNING_BUILT_INS, name);
}

/** One daemon as the configuration and the catalog together define it. */
export interface ConfiguredDaemon {
  name: string;
  binding: DaemonBinding;
  /** The definition with the catalog's `dependsOn` and `description` where it sets none. */
  definition: DaemonDefinition;
  /** The catalog's entry, for a catalog daemon. */
  entry?: CatalogEntry;
  /** Whether the configuration's `daemons` mentions it. */
  configured: boolean;
}

/**
 * The catalog a configuration uses, if any.
 *
 * @example
 * catalogOf({ catalog: "ringrift", daemons: {} })?.entries.length; // 63
 */
export function catalogOf(config: WardenConfig): Catalog | undefined {
  return config.catalog === undefined ? undefined : CATALOGS[config.catalog];
}

/**
 * Every daemon the configuration knows, by name: its own daemons first (in file order), then the
 * catalog's daemons it does not mention (in catalog order).
 *
 * @example
 * const daemons = configuredDaemons({ catalog: "ringrift", daemons: { AUTO_SYNC: { module: "./s.ts" } } });
 * daemons.get("AUTO_SYNC")?.definition.dependsOn; // ["EVENT_ROUTER"] (from the catalog)
 * daemons.get("AUTO_EXPORT")?.binding; // "unbound"
 */
export function configuredDaemons(config: WardenConfig): Map<string, ConfiguredDaemon> {
  const catalog = catalogOf(config);
  const daemons = new Map<string, ConfiguredDaemon>();
  for (const [name, definition] of Object.entries(config.daemons)) {
    const entry = catalog && catalogEntry(name, catalog);
    daemons.set(name, {
      name,
      binding: bindingOf(name, definition, entry !== undefined),
      definition: entry ? withCatalogDefaults(definition, entry) : definition,
      ...(entry ? { entry } : {}),
      configured: true,
    });
  }
  for (const entry of catalog?.entries ?? []) {
    if (daemons.has(entry.name)) continue;
    daemons.set(entry.name, {
      name: entry.name,
      binding: Object.hasOwn(BUILT_IN_DAEMONS, entry.name) ? "built-in" : "unbound",
      definition: withCatalogDefaults({}, entry),
      entry,
      configured: false,
    });
  }
  for (const [name, description] of Object.entries(ALWAYS_RUNNING_BUILT_INS)) {
    if (daemons.has(name)) continue;
    daemons.set(name, {
      name,
      binding: "built-in",
      definition: { dependsOn: [], description } as DaemonDefinition,
      configured: false,
    });
  }
  return daemons;
}

/**
 * The dependency graph of every known daemon (effective `dependsOn`).
 *
 * @example
 * dependencyGraphOf(configuredDaemons(config)).get("AUTO_SYNC"); // ["EVENT_ROUTER"]
 */
export function dependencyGraphOf(
  daemons: ReadonlyMap<string, ConfiguredDaemon>,
): Map<string, readonly string[]> {
  return new Map([...daemons].map(([name, daemon]) => [name, daemon.definition.dependsOn ?? []]));
}

function bindingOf(name: string, definition: DaemonDefinition, inCatalog: boolean): DaemonBinding {
  if (definition.module !== undefined) return "module";
  if (definition.command !== undefined) return "command";
  if (definition.python !== undefined) return "python";
  return (inCatalog && Object.hasOwn(BUILT_IN_DAEMONS, name)) || isAlwaysRunning(name)
    ? "built-in"
    : "unbound";
}

function withCatalogDefaults(definition: DaemonDefinition, entry: CatalogEntry): DaemonDefinition {
  return {
    ...definition,
    dependsOn: definition.dependsOn ?? [...entry.dependsOn],
    description: definition.description ?? entry.description,
  } as DaemonDefinition;
}
