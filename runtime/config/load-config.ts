import { readFileSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { importModule } from "./import-module.ts";
import { CONFIG_FILE_NAMES, configFileOf } from "./config-file.ts";

export { CONFIG_FILE_NAMES, findConfigFile, stateDirOf } from "./config-file.ts";
import { WardenError, messageOf } from "../../machines/errors.ts";
import { configError, displayPath, syntaxError } from "./config-error.ts";
import { parseJson } from "./parse-json.ts";
import { LOAD_TIMEOUT_ENV, loadTimeoutMs, withinLoadTimeout } from "./load-timeout.ts";
import type { WardenConfig } from "./types.ts";
import { validateConfig } from "./validate-config.ts";

/**
 * A validated configuration and where it came from; relative paths in it (modules, `cwd`,
 * `stateDir`) are relative to `dir`.
 *
 * @example
 * const { file, dir, config } = await loadConfig();
 */
export interface LoadedConfig {
  /** Absolute path of the configuration file. */
  file: string;
  /** Absolute path of the folder that holds it. */
  dir: string;
  config: WardenConfig;
}

const MODULE_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"]);

/**
 * Reads, parses and validates a configuration file: `path` (relative to `cwd`; a folder means
 * the config file found in it) or, without one, the file `findConfigFile(cwd)` finds.
 * `.ts`/`.js`/`.mjs` files are imported through tsx and their default export is used, within
 * the load time-box (`WARDEN_LOAD_TIMEOUT_MS`, default 30 s: a top-level await that never
 * settles would otherwise end Node silently with exit 13); `.json` and `.yaml`/`.yml` are
 * parsed, and syntax errors name the file, line and column. Any failure is a
 * `WARDEN_ERR_CONFIG`.
 *
 * @example
 * const loaded = await loadConfig("deploy/warden.config.yaml");
 * Object.keys(loaded.config.daemons);
 */
export async function loadConfig(
  path?: string,
  cwd: string = process.cwd(),
): Promise<LoadedConfig> {
  const file = configFileOf(path, cwd);
  const shown = displayPath(file, cwd);
  const raw = await readConfig(file, shown);
  return { file, dir: dirname(file), config: validateConfig(raw, shown) };
}

/**
 * The absolute path of `relPath` taken relative to the configuration file's folder (absolute
 * paths are returned as they are).
 *
 * @example
 * resolveFromConfig(loaded, "./daemons/auto-sync.ts"); // "/srv/cluster/daemons/auto-sync.ts"
 */
export function resolveFromConfig(loaded: Pick<LoadedConfig, "dir">, relPath: string): string {
  return resolve(loaded.dir, relPath);
}

async function readConfig(file: string, shown: string): Promise<unknown> {
  const extension = extname(file).toLowerCase();
  if (MODULE_EXTENSIONS.has(extension)) return importDefault(file, shown);
  const text = readText(file, shown);
  if (extension === ".json") return parseJson(text, shown);
  if (extension === ".yaml" || extension === ".yml") return parseYaml(text, shown);
  throw new WardenError(
    "WARDEN_ERR_CONFIG",
    `cannot read ${shown}: unsupported file type "${extension}", expected one of ` +
      `${CONFIG_FILE_NAMES.map((name) => extname(name)).join(", ")}`,
  );
}

async function importDefault(file: string, shown: string): Promise<unknown> {
  const namespace = await withinLoadTimeout(
    () => importModule(file),
    (ms) =>
      new WardenError(
        "WARDEN_ERR_CONFIG",
        `cannot load ${shown}: it did not finish loading within ${ms} ms ` +
          `(a top-level await that never settles?); set ${LOAD_TIMEOUT_ENV} to wait longer`,
      ),
    loadTimeoutMs(),
    (error) =>
      new WardenError("WARDEN_ERR_CONFIG", `cannot load ${shown}: ${messageOf(error)}`, {
        cause: error,
      }),
  );
  let exported = namespace.default;
  // Outside a "type": "module" package tsx compiles the file to CommonJS, so the namespace's
  // default is the `exports` object and the real default export sits one level down.
  if (isObject(exported) && exported.__esModule === true) exported = exported.default;
  if (exported === undefined) {
    const expected = "expected a default export (`export default defineConfig({ ... })`)";
    throw configError(shown, [`${shown}: ${expected}, got nothing`]);
  }
  return exported;
}

function readText(file: string, shown: string): string {
  try {
    // A byte order mark is legal in both formats' files but not in their parsers' input.
    return readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  } catch (error) {
    throw new WardenError("WARDEN_ERR_CONFIG", `cannot read ${shown}: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

async function parseYaml(text: string, shown: string): Promise<unknown> {
  // Loaded only for YAML files.
  const { parseDocument } = await import("yaml");
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const problems = document.errors.map((error) => ({
      line: error.linePos?.[0].line ?? 1,
      column: error.linePos?.[0].col ?? 1,
      reason: (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, ""),
    }));
    syntaxError(shown, "YAML", problems, document.errors[0]);
  }
  try {
    return document.toJS();
  } catch (error) {
    // e.g. an alias bomb: too many alias expansions.
    throw new WardenError("WARDEN_ERR_CONFIG", `invalid YAML in ${shown}: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
