/**
 * The candidate most like `input`, when `input` is plausibly a typo of it: the case-insensitive
 * Damerau–Levenshtein distance (optimal string alignment) is at most `max(2, ⌊input.length / 3⌋)`
 * and smaller than the longer of the two names (so "ab" never suggests "cd"). Ties go to the
 * candidate closer in case, then to the first one.
 *
 * @example
 * closestName("AUTO_SYNK", ["EVENT_ROUTER", "AUTO_SYNC"]); // "AUTO_SYNC"
 * closestName("dependson", ["dependsOn", "description"]); // "dependsOn"
 * closestName("trainer", ["EVENT_ROUTER"]); // undefined
 */
export function closestName(input: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(input.length / 3));
  const folded = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  let bestCaseDistance = Infinity;
  for (const candidate of candidates) {
    // Cheap bound first: a 100,000-daemon catalog must not cost a full matrix per name.
    if (Math.abs(candidate.length - input.length) > limit) continue;
    const distance = editDistance(folded, candidate.toLowerCase());
    if (distance > limit || distance >= Math.max(input.length, candidate.length)) continue;
    if (distance > bestDistance) continue;
    const caseDistance = editDistance(input, candidate);
    if (distance === bestDistance && caseDistance >= bestCaseDistance) continue;
    best = candidate;
    bestDistance = distance;
    bestCaseDistance = caseDistance;
  }
  return best;
}

/**
 * ` (did you mean "X"?)` for the closest candidate, or `""` when none is close: ready to append
 * to an error message.
 *
 * @example
 * `unknown daemon "AUTO_SYNK"${suggestion("AUTO_SYNK", ["AUTO_SYNC"])}`;
 * // 'unknown daemon "AUTO_SYNK" (did you mean "AUTO_SYNC"?)'
 */
export function suggestion(input: string, candidates: Iterable<string>): string {
  const name = closestName(input, candidates);
  return name === undefined ? "" : ` (did you mean ${JSON.stringify(name)}?)`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (beforePrevious[j - 2] ?? 0) + 1);
      }
      current[j] = value;
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}
