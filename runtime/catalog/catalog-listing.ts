/**
 * The rows of `warden catalog` (SPEC §6): every daemon type of the built-in catalog, or the
 * members of one profile with their dependencies, each with whether the configuration binds it.
 */
import {
  CATALOGS,
  catalogEntry,
  type Catalog,
  type CatalogName,
} from "../../machines/catalog/catalog.ts";
import { profilesOf } from "../../machines/catalog/profile-members.ts";
import { dependencyClosure } from "../../machines/dependency-graph.ts";
import { selectDaemons } from "../config/select-daemons.ts";
import type { WardenConfig } from "../config/types.ts";
import { BUILT_IN_DAEMONS, configuredDaemons, dependencyGraphOf } from "./config-daemons.ts";

/** One object of `warden catalog --json`, in the order of its keys there. */
export interface CatalogRow {
  name: string;
  title: string;
  category: string;
  description: string;
  dependsOn: string[];
  deprecated: null | { replacement: string; removal: string };
  builtIn: boolean;
  /** Runnable as configured: bound to a module, program or Python class, or a built-in warden has. */
  bound: boolean;
  /** The catalog's profiles that start it, as a member or a dependency. */
  profiles: string[];
}

/**
 * The catalog's rows, in catalog order; with `profile`, only that profile's members and their
 * dependencies (a profile of the configuration's own counts too). `config` says what is bound;
 * without one, only the built-in daemons are.
 *
 * @example
 * catalogRows(undefined, { profile: "ephemeral" }).map((row) => row.name);
 * // ["EVENT_ROUTER", "EPHEMERAL_SYNC"]
 */
export function catalogRows(
  config: WardenConfig | undefined,
  options: { profile?: string; catalog?: CatalogName } = {},
): CatalogRow[] {
  const effective: WardenConfig = {
    ...(config ?? { daemons: {} }),
    catalog: options.catalog ?? config?.catalog ?? "ringrift",
  };
  const catalog: Catalog = CATALOGS[effective.catalog!];
  const daemons = configuredDaemons(effective);
  let names = catalog.entries.map((entry) => entry.name);
  if (options.profile !== undefined) {
    const members = profileNames(effective, options.profile);
    names = names.filter((name) => members.has(name));
  }
  return names.map((name) => {
    const entry = catalogEntry(name, catalog)!;
    const daemon = daemons.get(name);
    const builtIn = Object.hasOwn(BUILT_IN_DAEMONS, name);
    const bound =
      daemon !== undefined &&
      daemon.binding !== "unbound" &&
      (daemon.binding !== "built-in" || BUILT_IN_DAEMONS[name]?.missing === undefined);
    return {
      name,
      title: entry.title,
      category: entry.category,
      description: entry.description,
      dependsOn: [...(daemon?.definition.dependsOn ?? entry.dependsOn)],
      deprecated: entry.deprecated === null ? null : { ...entry.deprecated },
      builtIn,
      bound,
      profiles: profilesOf(name, catalog),
    };
  });
}

/** The members of `profile` with their dependencies; an unknown profile is named in the error. */
function profileNames(config: WardenConfig, profile: string): Set<string> {
  const members = selectDaemons(config, { profile });
  return dependencyClosure(members, dependencyGraphOf(configuredDaemons(config)));
}
