/**
 * Imports a user's file — a configuration or a daemon module. TypeScript (`.ts`, `.mts`, `.cts`,
 * `.tsx`) goes through tsx, which is loaded now, the first time such a file is asked for, and
 * never otherwise: `.js`, `.mjs` and `.cjs` files are imported by Node itself (which detects ES
 * module syntax in a `.js` file outside a `"type": "module"` package), and `.json`/`.yaml`
 * configurations are parsed, not imported.
 */
import { pathToFileURL } from "node:url";

const TYPESCRIPT = /\.(?:[cm]?ts|tsx)$/i;
/** Each import of a file is a new one: a file edited since is read as it is now. */
let imports = 0;

/**
 * The module namespace of `file` (an absolute path).
 *
 * @example
 * const { default: config } = await importModule("/srv/app/warden.config.ts");
 */
export async function importModule(file: string): Promise<{ default?: unknown }> {
  const url = pathToFileURL(file).href;
  if (!TYPESCRIPT.test(file)) {
    return (await import(`${url}?warden-load=${++imports}`)) as { default?: unknown };
  }
  const { tsImport } = await import("tsx/esm/api");
  return (await tsImport(url, import.meta.url)) as { default?: unknown };
}
