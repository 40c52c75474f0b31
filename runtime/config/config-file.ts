/**
 * Which configuration file a command means — `--config` (a file, or a folder holding one) or the
 * first of CONFIG_FILE_NAMES in the working folder — and, cheaply, where its state directory is:
 * the commands that only talk to a running manager need nothing more, and must not pay for the
 * schema, YAML or TypeScript machinery when the file does not need it.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { DEFAULTS } from "../../machines/defaults.ts";
import { WardenError } from "../../machines/errors.ts";
import { displayPath } from "./config-error.ts";
import { rememberedStateDir } from "./state-dir-memo.ts";

/**
 * The file names warden looks for, in this order, when no `--config` is given.
 *
 * @example
 * CONFIG_FILE_NAMES[0]; // "warden.config.ts"
 */
export const CONFIG_FILE_NAMES = [
  "warden.config.ts",
  "warden.config.js",
  "warden.config.mjs",
  "warden.config.json",
  "warden.config.yaml",
  "warden.config.yml",
] as const;

/**
 * The absolute path of the first of `CONFIG_FILE_NAMES` present in `cwd`, or a
 * `WARDEN_ERR_CONFIG` naming the names looked for, the folder, and `--config`.
 *
 * @example
 * findConfigFile("/srv/cluster"); // "/srv/cluster/warden.config.ts"
 */
export function findConfigFile(cwd: string): string {
  const dir = resolve(cwd);
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = join(dir, name);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new WardenError(
    "WARDEN_ERR_CONFIG",
    `no configuration file in ${dir}: looked for ${CONFIG_FILE_NAMES.join(", ")}; ` +
      `create one there or pass --config <file>`,
  );
}

/**
 * The absolute path of the configuration `path` names (relative to `cwd`; a folder means the
 * file found in it), or without `path` the one `findConfigFile(cwd)` finds.
 *
 * @example
 * configFileOf("deploy", "/srv"); // "/srv/deploy/warden.config.yaml"
 */
export function configFileOf(path: string | undefined, cwd: string): string {
  const file = path === undefined ? findConfigFile(cwd) : resolve(cwd, path);
  if (!existsSync(file)) {
    const shown = displayPath(file, cwd);
    const where = shown === file ? "" : ` (${file})`;
    throw new WardenError("WARDEN_ERR_CONFIG", `no such file: ${shown}${where}`);
  }
  return statSync(file).isDirectory() ? findConfigFile(file) : file;
}

/**
 * The state directory of a configuration, cheaply: a `.json` or `.yaml` file is read for its
 * `stateDir` without validating the rest; for a module, what `warden up` remembered for it
 * (state-dir-memo.ts) while the file is unchanged. Undefined otherwise, or when the file does
 * not read cleanly: then the full `loadConfig`, with its precise errors, is the way.
 *
 * @example
 * await quickStateDir("/srv/app/warden.config.json"); // "/srv/app/.warden"
 */
export async function quickStateDir(file: string): Promise<string | undefined> {
  const extension = extname(file).toLowerCase();
  const yaml = extension === ".yaml" || extension === ".yml";
  if (extension !== ".json" && !yaml) return rememberedStateDir(file);
  let value: unknown;
  try {
    const text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
    value = yaml ? (await import("yaml")).parse(text) : JSON.parse(text);
  } catch {
    // Unreadable or malformed: loadConfig says what is wrong and where.
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { stateDir } = value as { stateDir?: unknown };
  if (stateDir !== undefined && typeof stateDir !== "string") return undefined;
  return stateDirOf({ dir: dirname(file), config: { stateDir } });
}

/**
 * Where warden keeps a configuration's state (`stateDir`, default `.warden`), absolute,
 * relative to the configuration's folder.
 *
 * @example
 * stateDirOf({ dir: "/srv/app", config: {} }); // "/srv/app/.warden"
 */
export function stateDirOf(loaded: {
  dir: string;
  config: { stateDir?: string | undefined };
}): string {
  return resolve(loaded.dir, loaded.config.stateDir ?? DEFAULTS.stateDir);
}
