/**
 * The dependency graph `warden diagram deps` draws (SPEC §10): the daemons a configuration
 * selects — its own daemons, or with a profile that profile's members — with everything they
 * depend on, as `warden catalog --profile` lists them. Without a configuration it is the built-in
 * "ringrift" catalog, the same default `warden catalog` has: the whole catalog, or one of its
 * profiles. Catalog daemons are grouped by their category.
 *
 * Nodes keep the configuration's order (its own daemons in file order, then the catalog's in
 * catalog order); edges go from a dependency to each daemon that needs it, so the arrows follow
 * the start order.
 */
import { dependencyClosure } from "../../machines/dependency-graph.ts";
import { selectDaemons } from "../config/select-daemons.ts";
import type { WardenConfig } from "../config/types.ts";
import { configuredDaemons, dependencyGraphOf } from "../catalog/config-daemons.ts";

/** One daemon of the drawing. */
export interface DependencyNode {
  name: string;
  /** The catalog category it is drawn in; none for the configuration's own daemons. */
  group: string | undefined;
  /** A built-in infrastructure daemon (SPEC §6), drawn apart. */
  builtIn: boolean;
}

/** What `warden diagram deps` draws. */
export interface DependencyDiagram {
  /** The graph's name: "ringrift", "ringrift coordinator", "configuration training_node". */
  title: string;
  nodes: DependencyNode[];
  /** From a dependency to the daemon that needs it. */
  edges: { from: string; to: string }[];
}

/**
 * The dependency graph of `config` (or of the ringrift catalog when there is none), limited to
 * `profile` and its dependencies when given. An unknown profile is a `WARDEN_ERR_UNKNOWN_PROFILE`
 * naming the known ones.
 *
 * @example
 * dependencyDiagram(undefined, "ephemeral").edges; // [{ from: "EVENT_ROUTER", to: "EPHEMERAL_SYNC" }]
 */
export function dependencyDiagram(
  config: WardenConfig | undefined,
  profile?: string,
): DependencyDiagram {
  const effective: WardenConfig = config ?? { catalog: "ringrift", daemons: {} };
  const daemons = configuredDaemons(effective);
  const graph = dependencyGraphOf(daemons);
  const chosen =
    profile !== undefined
      ? selectDaemons(effective, { profile })
      : config !== undefined
        ? selectDaemons(config, {})
        : [...daemons.keys()];
  const closure = dependencyClosure(chosen, graph);
  // Known daemons in the configuration's order; an unknown dependency (validate names it) last.
  const names = [
    ...[...daemons.keys()].filter((name) => closure.has(name)),
    ...[...closure].filter((name) => !daemons.has(name)).sort(),
  ];
  const nodes = names.map((name) => {
    const daemon = daemons.get(name);
    return {
      name,
      group: daemon?.entry?.category,
      builtIn: daemon?.binding === "built-in",
    };
  });
  const edges = names.flatMap((name) =>
    (graph.get(name) ?? []).map((dep) => ({ from: dep, to: name })),
  );
  const source = config === undefined ? "ringrift" : "configuration";
  return { title: profile === undefined ? source : `${source} ${profile}`, nodes, edges };
}
