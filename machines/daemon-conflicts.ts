/**
 * Conflicts between daemons (SPEC §6a, systemd's `Conflicts=`): two daemons that must never run
 * at once. A conflict is symmetric whichever side declares it: `A: { conflicts: ["B"] }` makes B
 * conflict with A too.
 */

/** Each daemon's `conflicts`, as declared (one side is enough). */
export type ConflictDeclarations = ReadonlyMap<string, readonly string[]>;

/**
 * The symmetric conflict relation of `declared`: name → every daemon it conflicts with, whichever
 * side said so. A daemon never conflicts with itself.
 *
 * @example
 * conflictRelation(new Map([["a", ["b"]]])).get("b"); // Set { "a" }
 */
export function conflictRelation(declared: ConflictDeclarations): Map<string, Set<string>> {
  const relation = new Map<string, Set<string>>();
  const add = (from: string, to: string) => {
    if (from === to) return;
    let set = relation.get(from);
    if (!set) relation.set(from, (set = new Set()));
    set.add(to);
  };
  for (const [name, others] of declared) {
    for (const other of others) {
      add(name, other);
      add(other, name);
    }
  }
  return relation;
}

/**
 * The pairs of `names` that conflict, each once, in the order of `names`.
 *
 * @example
 * conflictingPairs(["a", "b", "c"], new Map([["c", ["a"]]])); // [["a", "c"]]
 */
export function conflictingPairs(
  names: Iterable<string>,
  declared: ConflictDeclarations,
): Array<[string, string]> {
  const relation = conflictRelation(declared);
  const list = [...new Set(names)];
  const pairs: Array<[string, string]> = [];
  list.forEach((name, i) => {
    for (const other of list.slice(i + 1)) {
      if (relation.get(name)?.has(other)) pairs.push([name, other]);
    }
  });
  return pairs;
}
