import { readdirSync, statSync } from "node:fs";
import { basename, dirname } from "node:path";
import { suggestion } from "../../machines/closest-name.ts";

/**
 * What to add to "no such file" for `path`: the closest name in its folder when one is close
 * (` (did you mean "auto-sync.ts"?)`), or, when the folder is missing too, the nearest missing
 * folder and the closest name beside it (` (no folder /srv/deamons; did you mean "daemons"?)`);
 * `""` when nothing helps.
 *
 * @example
 * `no such file${missingPathHint("/srv/daemons/auto-synk.ts")}`;
 * // 'no such file (did you mean "auto-sync.ts"?)'
 */
export function missingPathHint(path: string): string {
  let missing = path;
  let folder = dirname(path);
  // Walk up to the first folder that exists: the problem is the name just below it.
  while (!isFolder(folder) && dirname(folder) !== folder) {
    missing = folder;
    folder = dirname(folder);
  }
  const names = namesIn(folder);
  const hint = suggestion(basename(missing), names);
  if (missing === path) return hint;
  const close = hint === "" ? "" : `; ${hint.slice(2, -1)}`;
  return ` (no folder ${missing}${close})`;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    // Missing, or not ours to look into: either way there is nothing to suggest from.
    return false;
  }
}

function namesIn(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    // An unreadable folder offers no suggestion.
    return [];
  }
}
