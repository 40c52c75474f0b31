import {
  findCycle,
  missingDependencies,
  type DependencyGraph,
} from "../../machines/dependency-graph.ts";
import { suggestion } from "../../machines/closest-name.ts";
import { WardenError } from "../../machines/errors.ts";

/** A dependency on a daemon that the graph does not have. */
export interface MissingDependency {
  daemon: string;
  dependency: string;
}

/**
 * What is wrong with a dependency graph, as data as well as text: the unknown dependencies
 * (`WARDEN_ERR_UNKNOWN_DEPENDENCY`) or the cycle (`WARDEN_ERR_DEPENDENCY_CYCLE`), so that a
 * configuration can name the `dependsOn` entries at fault (runtime/config/graph-config-error.ts).
 *
 * @example
 * error.cycle; // ["a", "b", "a"]
 */
export class GraphError extends WardenError {
  constructor(
    code: "WARDEN_ERR_UNKNOWN_DEPENDENCY" | "WARDEN_ERR_DEPENDENCY_CYCLE",
    message: string,
    details: readonly string[],
    /** The unknown dependencies, when that is the problem. */
    readonly missing: readonly MissingDependency[] = [],
    /** The cycle as a closed path (`a → b → a` is `["a", "b", "a"]`), when that is the problem. */
    readonly cycle: readonly string[] = [],
  ) {
    super(code, message, { details });
    this.name = "GraphError";
  }
}

/**
 * Checks a dependency graph before anything starts: every dependency exists, nothing depends on
 * itself, and there is no cycle (the error names it). Throws a {@link GraphError}.
 *
 * @example
 * validateGraph(new Map([["a", ["b"]], ["b", ["a"]]])); // throws WARDEN_ERR_DEPENDENCY_CYCLE: a → b → a
 */
export function validateGraph(graph: DependencyGraph): void {
  const missing = missingDependencies(graph);
  if (missing.length > 0) {
    const details = missing.map(
      ({ daemon, dependency }) =>
        `daemon "${daemon}" depends on unknown daemon "${dependency}"${suggestion(dependency, graph.keys())}`,
    );
    throw new GraphError("WARDEN_ERR_UNKNOWN_DEPENDENCY", details.join("\n"), details, missing);
  }
  const cycle = findCycle(graph);
  if (cycle) {
    const message = `dependency cycle: ${cycle.join(" → ")}`;
    throw new GraphError("WARDEN_ERR_DEPENDENCY_CYCLE", message, cycle, [], cycle);
  }
}
