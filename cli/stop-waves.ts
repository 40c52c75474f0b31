import { dependencyOrder } from "../machines/dependency-graph.ts";

/**
 * The order in which to stop `chosen`: waves that stop in parallel, each after the one before,
 * so that no chosen daemon stops while a chosen daemon depending on it (directly or through
 * daemons that are not chosen) still runs. Within a wave the order of `chosen` is kept.
 *
 * @example
 * stopWaves(["db", "api"], [
 *   { name: "db", dependsOn: [] },
 *   { name: "cache", dependsOn: ["db"] },
 *   { name: "api", dependsOn: ["cache"] },
 * ]); // [["api"], ["db"]]
 */
export function stopWaves(
  chosen: readonly string[],
  daemons: readonly { name: string; dependsOn: readonly string[] }[],
): string[][] {
  const graph = new Map(daemons.map((daemon) => [daemon.name, daemon.dependsOn]));
  const wanted = new Set(chosen);
  // How many chosen daemons stand on the longest chain of dependents above each daemon.
  const above = new Map<string, number>();
  // Dependents first: by the time a daemon is reached, every dependent has passed its count on.
  for (const name of dependencyOrder(graph.keys(), graph).reverse()) {
    const count = (above.get(name) ?? 0) + (wanted.has(name) ? 1 : 0);
    for (const dependency of graph.get(name) ?? []) {
      above.set(dependency, Math.max(above.get(dependency) ?? 0, count));
    }
  }
  const waves: string[][] = [];
  for (const name of new Set(chosen)) {
    const wave = above.get(name) ?? 0;
    while (waves.length <= wave) waves.push([]);
    waves[wave]!.push(name);
  }
  return waves.filter((wave) => wave.length > 0);
}
