import { existsSync, lstatSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { WardenError } from "../../machines/errors.ts";
import { CONFIG_FILE_NAMES } from "../../runtime/config/config-file.ts";
import { SCHEMA_FILE } from "../../runtime/config/schema-file.ts";
import type { CliIO } from "../io.ts";
import { shownPath } from "../shown-path.ts";
import { readPackageJson } from "../version.ts";
import { INIT_FORMATS, type InitFormat, type InitOptions } from "./init.ts";
import { starterFiles } from "./init-templates.ts";

/** `$schema` when warden is not installed where the configuration is: where npm will put it. */
export const DEFAULT_SCHEMA_REF = `./node_modules/warden/${SCHEMA_FILE}`;

/** What `initProject` wrote. */
export interface InitResult {
  /** The folder, absolute. */
  dir: string;
  format: InitFormat;
  /** The configuration file, absolute. */
  config: string;
  /** Every file written, absolute, and whether it replaced one (`--force`). */
  written: { path: string; overwritten: boolean }[];
  /** The `$schema` written into a `.json` or `.yaml` configuration. */
  schemaRef?: string;
}

/** What `warden init` says of the configuration and of the daemon module it wrote. */
const DESCRIPTIONS = [
  "the configuration: an in-process daemon and a process daemon",
  "the in-process daemon's module",
] as const;

/**
 * `warden init [DIR]`: writes a commented starter configuration (`warden.config.ts`, or `.json`
 * / `.yaml` with a `$schema` reference to warden's JSON Schema) and the in-process daemon module
 * it names into `dir` (relative to `io.cwd`, default `io.cwd`; created if missing), then prints
 * what it wrote and what to run next. Without `force`, an existing file, or another
 * `warden.config.*` in the folder, is refused with exit 2 naming it, and nothing is written.
 *
 * `$schema` is relative to the configuration: the warden package that Node would resolve from
 * the folder (`node_modules/warden` up the tree, or the warden checkout holding it), else
 * `./node_modules/warden/schema/warden.config.schema.json`, where `npm install warden` puts it.
 *
 * @example
 * initProject("my-app", { format: "yaml" }, io);
 * // writes my-app/warden.config.yaml and my-app/daemons/heartbeat.mjs
 */
export function initProject(dir: string | undefined, options: InitOptions, io: CliIO): InitResult {
  const format = formatOf(options.format);
  const force = options.force === true;
  const target = resolve(io.cwd, dir ?? ".");
  const shownDir = shownPath(target, io.cwd);
  if (existsSync(target) && !statSync(target).isDirectory()) {
    throw new WardenError("WARDEN_ERR_USAGE", `cannot init ${shownDir}: it is not a folder`);
  }

  const installed = wardenPackageFor(target);
  const schemaRef = installed ? relativeRef(target, join(installed, SCHEMA_FILE)) : undefined;
  const files = starterFiles(format, schemaRef ?? DEFAULT_SCHEMA_REF);
  const configName = files[0]!.path;
  const otherConfigs = CONFIG_FILE_NAMES.filter(
    (name) => name !== configName && pathExists(join(target, name)),
  );
  const existing = files.filter((file) => pathExists(join(target, file.path)));
  refuseUnwritable(target, existing, shownDir);
  if (!force && (existing.length > 0 || otherConfigs.length > 0)) {
    throw refusal(
      shownDir,
      existing.map((file) => file.path),
      otherConfigs,
      configName,
    );
  }

  const written: InitResult["written"] = [];
  for (const file of files) {
    const path = join(target, ...file.path.split("/"));
    const overwritten = pathExists(path);
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, file.text, { flag: force ? "w" : "wx" });
    } catch (error) {
      // Created by someone else since the check above: still not ours to overwrite.
      if ((error as NodeJS.ErrnoException).code === "EEXIST") {
        throw new WardenError(
          "WARDEN_ERR_USAGE",
          `init: ${file.path} appeared in ${shownDir} while writing; left as it is ` +
            `(wrote ${written.length === 0 ? "nothing" : written.map((w) => shownPath(w.path, io.cwd)).join(", ")})`,
        );
      }
      throw error;
    }
    written.push({ path, overwritten });
  }

  const config = join(target, configName);
  report({ target, shownDir, files, written, configName, otherConfigs, installed, format }, io);
  return {
    dir: target,
    format,
    config,
    written,
    ...(format === "ts" ? {} : { schemaRef: schemaRef ?? DEFAULT_SCHEMA_REF }),
  };
}

function formatOf(format: string | undefined): InitFormat {
  if (format === undefined) return "ts";
  if ((INIT_FORMATS as readonly string[]).includes(format)) return format as InitFormat;
  throw new WardenError(
    "WARDEN_ERR_USAGE",
    `--format: expected one of ${INIT_FORMATS.join(", ")}, got ${JSON.stringify(format)}`,
  );
}

/** True when something (a file, a folder, a dangling symlink) is at `path`. */
function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A folder where a file goes cannot be overwritten, even with --force. */
function refuseUnwritable(target: string, existing: { path: string }[], shownDir: string): void {
  for (const file of existing) {
    const path = join(target, file.path);
    if (existsSync(path) && statSync(path).isDirectory()) {
      throw new WardenError(
        "WARDEN_ERR_USAGE",
        `cannot init ${shownDir}: ${file.path} is a folder; move it away first`,
      );
    }
  }
}

function refusal(
  shownDir: string,
  existing: string[],
  otherConfigs: string[],
  configName: string,
): WardenError {
  const problems: string[] = [];
  if (existing.length > 0) {
    problems.push(
      `${existing.join(", ")} already exist${existing.length === 1 ? "s" : ""}` +
        ` (--force overwrites ${existing.length === 1 ? "it" : "them"})`,
    );
  }
  if (otherConfigs.length > 0) {
    problems.push(
      `there is already a configuration, ${otherConfigs.join(", ")} ` +
        `(--force writes ${configName} beside it)`,
    );
  }
  return new WardenError(
    "WARDEN_ERR_USAGE",
    `init: nothing written to ${shownDir}: ${problems.join("; ")}`,
  );
}

/**
 * The folder of the warden package that `import "warden"` in a file of `dir` resolves to, as
 * Node looks for it: the package that holds `dir` itself, then `node_modules/warden` in `dir`
 * and each folder above it. Undefined when there is none.
 */
export function wardenPackageFor(dir: string): string | undefined {
  for (let current = dir; ;) {
    if (existsSync(join(current, "package.json"))) {
      if (readPackageJson(current)?.name === "warden") return current;
      break;
    }
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (let current = dir; ;) {
    const candidate = join(current, "node_modules", "warden");
    if (readPackageJson(candidate)?.name === "warden") return candidate;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** `to` relative to the folder `from`, with `/` and a leading `./` when it does not go up. */
function relativeRef(from: string, to: string): string {
  const rel = relative(from, to).split(sep).join("/");
  return rel.startsWith("../") ? rel : `./${rel}`;
}

/** A path as a POSIX shell reads it: quoted when it holds anything but safe characters. */
function shellWord(text: string): string {
  return /^[\w./@%+=:,-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

function report(
  run: {
    target: string;
    shownDir: string;
    files: { path: string }[];
    written: InitResult["written"];
    configName: string;
    otherConfigs: string[];
    installed: string | undefined;
    format: InitFormat;
  },
  io: CliIO,
): void {
  const width = Math.max(...run.files.map((file) => file.path.length));
  io.out(`Wrote a starter warden project in ${run.shownDir}:`);
  run.files.forEach((file, index) => {
    const what = DESCRIPTIONS[index === 0 ? 0 : 1];
    const replaced = run.written[index]?.overwritten ? " (overwritten)" : "";
    io.out(`  ${file.path.padEnd(width)}  ${what}${replaced}`);
  });

  // Another configuration that warden would read first needs --config to be passed over.
  const order: readonly string[] = CONFIG_FILE_NAMES;
  const shadowedBy = run.otherConfigs.filter(
    (name) => order.indexOf(name) < order.indexOf(run.configName),
  );
  const configFlag = shadowedBy.length > 0 ? ` --config ${run.configName}` : "";
  io.out("Next:");
  if (run.target !== resolve(io.cwd)) io.out(`  cd ${shellWord(run.shownDir)}`);
  const commands = [
    [`warden validate${configFlag}`, "check the configuration without starting anything"],
    [`warden up${configFlag}`, "run the daemons until Ctrl-C, which stops them in order"],
  ] as const;
  const commandWidth = Math.max(...commands.map(([command]) => command.length));
  for (const [command, what] of commands) io.out(`  ${command.padEnd(commandWidth)}  # ${what}`);

  if (run.otherConfigs.length > 0) {
    io.err(
      `warden: note: ${run.shownDir} also holds ${run.otherConfigs.join(", ")}; without --config, ` +
        `warden reads the first of ${CONFIG_FILE_NAMES.join(", ")} that exists`,
    );
  }
  if (run.installed === undefined) {
    const why =
      run.format === "ts"
        ? `${run.configName} imports "warden" (and daemons/heartbeat.ts its types)`
        : `the $schema of ${run.configName} points at ${DEFAULT_SCHEMA_REF} (for editors)`;
    io.err(
      `warden: note: warden is not installed in ${run.shownDir} or above it, and ${why}: ` +
        "install it there with `npm install warden`",
    );
  }
}
