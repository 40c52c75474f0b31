import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The `name` in warden's own package.json. */
const PACKAGE_NAME = "warden";

let version: string | undefined;

/**
 * warden's version, read at run time from its own package.json: the first one named `warden`
 * found walking up from this module's folder, so it works from a checkout (`cli/`), from an
 * installed package (`node_modules/warden/cli/`) and from a compiled copy one folder deeper
 * (`dist/cli/`). `"unknown"` if there is none (a copy of the sources without package.json).
 *
 * @example
 * program.version(packageVersion(), "-V, --version"); // `warden --version` prints "0.1.0"
 */
export function packageVersion(): string {
  version ??= readVersion();
  return version;
}

function readVersion(): string {
  const root = packageRootFrom(dirname(fileURLToPath(import.meta.url)));
  if (root === undefined) return "unknown";
  const pkg = readPackageJson(root);
  return typeof pkg?.version === "string" ? pkg.version : "unknown";
}

/**
 * The folder of the first package.json named `name` (default `warden`) in `dir` or above it,
 * or undefined when there is none up to the root of the file system. Other package.json files
 * on the way (a workspace, a dependency's) are passed over.
 *
 * @example
 * packageRootFrom("/srv/app/node_modules/warden/dist/cli"); // "/srv/app/node_modules/warden"
 */
export function packageRootFrom(dir: string, name: string = PACKAGE_NAME): string | undefined {
  for (let current = dir; ;) {
    if (readPackageJson(current)?.name === name) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** The parsed package.json in `dir`, or undefined when there is none or it is not JSON. */
export function readPackageJson(dir: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, "package.json"), "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
