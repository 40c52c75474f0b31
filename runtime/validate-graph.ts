import {
  findCycle,
  missingDependencies,
  type DependencyGraph,
} from "../machines/dependency-graph.ts";
import { suggestion } from "./closest-name.ts";
import { WardenError } from "./errors.ts";

/**
 * Checks a dependency graph before anything starts: every dependency exists, nothing depends on
 * itself, and there is no cycle (the error names it).
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
    throw new WardenError("WARDEN_ERR_UNKNOWN_DEPENDENCY", details.join("\n"), { details });
  }
  const cycle = findCycle(graph);
  if (cycle) {
    throw new WardenError("WARDEN_ERR_DEPENDENCY_CYCLE", `dependency cycle: ${cycle.join(" → ")}`, {
      details: cycle,
    });
  }
}
