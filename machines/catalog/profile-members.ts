/**
 * From a profile (or any choice of catalog daemons) to the daemons to start: the chosen ones plus
 * everything they depend on, transitively, in dependency order (SPEC §3: "A profile pulls in the
 * dependencies of its members").
 */
import { suggestion } from "../closest-name.ts";
import { dependencyClosure, dependencyOrder, type DependencyGraph } from "../dependency-graph.ts";
import { WardenError } from "../errors.ts";
import { catalogGraph, catalogProfile, type Catalog } from "./catalog.ts";

const graphs = new WeakMap<Catalog, DependencyGraph>();

/** The catalog's dependency graph, built once per catalog. */
function graphOf(catalog: Catalog): DependencyGraph {
  let graph = graphs.get(catalog);
  if (graph === undefined) {
    graph = catalogGraph(catalog);
    graphs.set(catalog, graph);
  }
  return graph;
}

/**
 * `names` and every daemon they depend on, transitively, each once, in dependency order: a daemon
 * comes after all of its dependencies; daemons of one dependency level keep the catalog's order.
 * Throws `WARDEN_ERR_UNKNOWN_DAEMON` for a name the catalog does not have.
 *
 * @example
 * catalogClosure(["S3_BACKUP"], CATALOGS.ringrift);
 * // ["EVENT_ROUTER", "MODEL_DISTRIBUTION", "S3_BACKUP"]
 */
export function catalogClosure(names: Iterable<string>, catalog: Catalog): string[] {
  const graph = graphOf(catalog);
  const wanted = [...names];
  for (const name of wanted) {
    if (!graph.has(name)) {
      throw new WardenError(
        "WARDEN_ERR_UNKNOWN_DAEMON",
        `no daemon named "${name}" in the "${catalog.name}" catalog${suggestion(name, graph.keys())}`,
      );
    }
  }
  const closure = dependencyClosure(wanted, graph);
  const ordered = catalog.entries.map((entry) => entry.name).filter((name) => closure.has(name));
  return dependencyOrder(ordered, graph);
}

/**
 * The daemons a profile starts: its members and their dependencies, transitively, in dependency
 * order (see `catalogClosure`). Throws `WARDEN_ERR_UNKNOWN_PROFILE`, naming the closest profile
 * and all of them, for a profile the catalog does not have.
 *
 * @example
 * profileMembers("ephemeral", CATALOGS.ringrift); // ["EVENT_ROUTER", "EPHEMERAL_SYNC"]
 */
export function profileMembers(profile: string, catalog: Catalog): string[] {
  const found = catalogProfile(profile, catalog);
  if (found === undefined) {
    const names = catalog.profiles.map((known) => known.name);
    throw new WardenError(
      "WARDEN_ERR_UNKNOWN_PROFILE",
      `no profile named "${profile}" in the "${catalog.name}" catalog${suggestion(profile, names)}` +
        `; profiles: ${names.join(", ")}`,
    );
  }
  return catalogClosure(
    found.members.map((member) => member.daemon),
    catalog,
  );
}

const profileIndexes = new WeakMap<Catalog, ReadonlyMap<string, readonly string[]>>();

/**
 * The profiles that start a daemon, as a member or as a dependency of one, in the catalog's
 * profile order (`profiles` of `warden catalog --json`). Empty for a name in no profile.
 *
 * @example
 * profilesOf("EPHEMERAL_SYNC", CATALOGS.ringrift); // ["ephemeral"]
 */
export function profilesOf(daemon: string, catalog: Catalog): string[] {
  let index = profileIndexes.get(catalog);
  if (index === undefined) {
    const built = new Map<string, string[]>();
    for (const profile of catalog.profiles) {
      for (const name of profileMembers(profile.name, catalog)) {
        built.set(name, [...(built.get(name) ?? []), profile.name]);
      }
    }
    index = built;
    profileIndexes.set(catalog, index);
  }
  return [...(index.get(daemon) ?? [])];
}
