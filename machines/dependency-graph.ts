/**
 * Pure algorithms over a dependency graph given as name → names it depends on.
 */
export type DependencyGraph = ReadonlyMap<string, readonly string[]>;

/** Every (daemon, dependency) pair whose dependency is not in the graph. */
export function missingDependencies(
  graph: DependencyGraph,
): { daemon: string; dependency: string }[] {
  const missing: { daemon: string; dependency: string }[] = [];
  for (const [daemon, deps] of graph) {
    for (const dependency of deps) if (!graph.has(dependency)) missing.push({ daemon, dependency });
  }
  return missing;
}

/**
 * One cycle of the graph as a closed path, or undefined when there is none.
 *
 * @example
 * findCycle(new Map([["a", ["b"]], ["b", ["a"]]])); // ["a", "b", "a"]
 */
export function findCycle(graph: DependencyGraph): string[] | undefined {
  const done = new Set<string>();
  const onPath = new Map<string, number>();
  const path: string[] = [];
  for (const root of graph.keys()) {
    if (done.has(root)) continue;
    // Iterative depth-first search: 100,000-daemon graphs must not overflow the stack.
    const stack: { name: string; next: number }[] = [{ name: root, next: 0 }];
    onPath.set(root, 0);
    path.push(root);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const deps = graph.get(frame.name) ?? [];
      if (frame.next < deps.length) {
        const dep = deps[frame.next++]!;
        if (!graph.has(dep) || done.has(dep)) continue;
        const at = onPath.get(dep);
        if (at !== undefined) return [...path.slice(at), dep];
        onPath.set(dep, path.length);
        path.push(dep);
        stack.push({ name: dep, next: 0 });
      } else {
        stack.pop();
        path.pop();
        onPath.delete(frame.name);
        done.add(frame.name);
      }
    }
  }
  return undefined;
}

/** The given names and everything they depend on, transitively. */
export function dependencyClosure(names: Iterable<string>, graph: DependencyGraph): Set<string> {
  const closure = new Set<string>();
  const queue = [...names];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (closure.has(name)) continue;
    closure.add(name);
    for (const dep of graph.get(name) ?? []) if (!closure.has(dep)) queue.push(dep);
  }
  return closure;
}

/**
 * `names` by dependency level: first those that depend on none of the others, then those whose
 * dependencies are all in the first group, and so on (a topological order that puts everything
 * startable at once in front; stable within a level). The graph must be acyclic.
 */
export function dependencyOrder(names: Iterable<string>, graph: DependencyGraph): string[] {
  const wanted = [...new Set(names)];
  const inSet = new Set(wanted);
  const level = new Map<string, number>();
  for (const root of wanted) {
    const stack: string[] = [root];
    while (stack.length > 0) {
      const name = stack[stack.length - 1]!;
      if (level.has(name)) {
        stack.pop();
        continue;
      }
      const deps = (graph.get(name) ?? []).filter((dep) => inSet.has(dep));
      const next = deps.find((dep) => !level.has(dep));
      if (next !== undefined) {
        stack.push(next);
        continue;
      }
      stack.pop();
      level.set(
        name,
        deps.reduce((max, dep) => Math.max(max, level.get(dep)! + 1), 0),
      );
    }
  }
  return wanted.sort((a, b) => level.get(a)! - level.get(b)!);
}

/** The given names and everything that depends on them, transitively. */
export function dependentClosure(names: Iterable<string>, graph: DependencyGraph): Set<string> {
  const dependents = new Map<string, string[]>();
  for (const [name, deps] of graph) {
    for (const dep of deps) {
      const list = dependents.get(dep);
      if (list) list.push(name);
      else dependents.set(dep, [name]);
    }
  }
  const closure = new Set<string>();
  const queue = [...names];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (closure.has(name)) continue;
    closure.add(name);
    for (const dependent of dependents.get(name) ?? []) queue.push(dependent);
  }
  return closure;
}

/**
 * The length of the longest dependency chain ending at each daemon, weighted by `cost`:
 * the critical path of a parallel start. The graph must be acyclic.
 */
export function criticalPath(graph: DependencyGraph, cost: (name: string) => number): number {
  const finish = new Map<string, number>();
  let longest = 0;
  for (const root of graph.keys()) {
    // Iterative post-order walk: a 100,000-daemon chain must not overflow the stack.
    const stack: { name: string; next: number; start: number }[] = [];
    const onPath = new Set<string>();
    if (!finish.has(root)) {
      stack.push({ name: root, next: 0, start: 0 });
      onPath.add(root);
    }
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const deps = graph.get(frame.name) ?? [];
      if (frame.next < deps.length) {
        const dep = deps[frame.next++]!;
        const known = finish.get(dep);
        if (known !== undefined) frame.start = Math.max(frame.start, known);
        // A cycle has no critical path; skipping the back edge keeps the walk finite.
        else if (!onPath.has(dep)) {
          stack.push({ name: dep, next: 0, start: 0 });
          onPath.add(dep);
        }
        continue;
      }
      const end = frame.start + cost(frame.name);
      finish.set(frame.name, end);
      stack.pop();
      onPath.delete(frame.name);
      const parent = stack[stack.length - 1];
      if (parent) parent.start = Math.max(parent.start, end);
    }
    longest = Math.max(longest, finish.get(root) ?? 0);
  }
  return longest;
}
