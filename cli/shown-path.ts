import { isAbsolute, relative, sep } from "node:path";

/**
 * `path` as messages show it: relative to `cwd` when inside it, as users type paths; absolute
 * otherwise.
 *
 * @example
 * shownPath("/srv/app/.warden/token", "/srv/app"); // ".warden/token"
 */
export function shownPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  const outside = rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  return outside ? path : rel;
}
