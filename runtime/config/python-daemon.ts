/**
 * The `python: "module:Class"` shorthand of a daemon definition (SPEC §4, docs/python-daemons.md):
 * a process daemon that runs the class under warden's stdlib-only adapter,
 * `python3 -m warden_daemon module:Class`, which ships in the package's `python/` folder.
 * pythonProcessSpec() is pure; wardenPythonDir() finds that folder at run time, from the
 * sources (`runtime/config/`), from the compiled copy (`dist/runtime/config/`) or a bundle.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The adapter's module, run with `python3 -m`. */
export const PYTHON_ADAPTER_MODULE = "warden_daemon";
/** The interpreter when the definition names none: the first `python3` on PATH. */
export const DEFAULT_PYTHON = "python3";
/** The package folder holding the adapter, relative to warden's package root. */
export const PYTHON_DIR = "python";

/** A Python name and its dots: `package.module`, `Class`, `factory.attr`. */
const DOTTED_NAME = /^[\p{ID_Start}_][\p{ID_Continue}]*(?:\.[\p{ID_Start}_][\p{ID_Continue}]*)*$/u;

/** What a `python:` definition adds to the adapter's command line and environment. */
export interface PythonSpecExtra {
  /** More arguments for the adapter, after the target (`--metrics-interval 2`). */
  args?: readonly string[];
  /** Added to the environment; its PYTHONPATH goes after the adapter's folder and configDir. */
  env?: Readonly<Record<string, string>>;
  /** The definition's `options`: a JSON object, given to the class as keyword arguments. */
  options?: unknown;
  /** The interpreter (a virtualenv's `python`); default `python3`. */
  command?: string;
  /** The manager's own PYTHONPATH (`process.env.PYTHONPATH`), kept last. */
  inheritedPythonPath?: string;
}

/** A process daemon's command, arguments, environment and readiness, as ProcessDaemonSpec takes them. */
export interface PythonProcessSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  ready: { notify: true };
}

/**
 * What is wrong with a `python:` target, or undefined when it is `module:Class`: dotted Python
 * names joined by one colon (`ringrift.sync:AutoSyncDaemon`; the right side may be dotted too,
 * `module:factory.attr`).
 *
 * @example
 * pythonTargetProblem("ringrift.sync:AutoSyncDaemon"); // undefined
 * pythonTargetProblem("sync.py"); // 'expected "module:Class" (dotted Python names), got "sync.py"'
 */
export function pythonTargetProblem(target: string): string | undefined {
  const parts = target.split(":");
  if (parts.length === 2 && parts.every((part) => DOTTED_NAME.test(part))) return undefined;
  return `expected "module:Class" (dotted Python names), got ${JSON.stringify(target)}`;
}

/**
 * The process that runs `target` under the adapter: `python3 -m warden_daemon <target>
 * [--options <json>] [...extra.args]`, with PYTHONPATH = the adapter's folder
 * (`<packageRoot>/python`), then `configDir` (where the user's modules are), then the
 * definition's PYTHONPATH, then the inherited one; ready when the adapter says `READY=1`, that
 * is when the class's `start()` has returned. Throws on a bad target, relative folders, or
 * options that are not a JSON object.
 *
 * @example
 * pythonProcessSpec("jobs:Worker", "/srv/app", "/srv/app/node_modules/warden");
 * // { command: "python3", args: ["-m", "warden_daemon", "jobs:Worker"],
 * //   env: { PYTHONPATH: "/srv/app/node_modules/warden/python:/srv/app" }, ready: { notify: true } }
 */
export function pythonProcessSpec(
  target: string,
  configDir: string,
  packageRoot: string,
  extra: PythonSpecExtra = {},
): PythonProcessSpec {
  const problem = pythonTargetProblem(target);
  if (problem !== undefined) throw new Error(`python: ${problem}`);
  for (const [what, dir] of [
    ["configDir", configDir],
    ["packageRoot", packageRoot],
  ] as const) {
    if (!isAbsolute(dir))
      throw new Error(`pythonProcessSpec: ${what} must be absolute, got ${dir}`);
  }
  const args = ["-m", PYTHON_ADAPTER_MODULE, target];
  if (extra.options !== undefined) args.push("--options", optionsJson(extra.options));
  args.push(...(extra.args ?? []));
  const pythonPath = [
    join(packageRoot, PYTHON_DIR),
    configDir,
    extra.env?.PYTHONPATH,
    extra.inheritedPythonPath,
  ].filter((entry): entry is string => entry !== undefined && entry !== "");
  return {
    command: extra.command ?? DEFAULT_PYTHON,
    args,
    env: { ...extra.env, PYTHONPATH: pythonPath.join(delimiter) },
    ready: { notify: true },
  };
}

function optionsJson(options: unknown): string {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new Error(
      `python: "options" must be an object (the class's keyword arguments), got ${JSON.stringify(options)}`,
    );
  }
  return JSON.stringify(options);
}

/**
 * warden's package root above `dir`: the first folder named in a package.json `"name":
 * "warden"`, or undefined. Works from `runtime/config/` in a checkout, from
 * `dist/runtime/config/` and from `dist/cli/` (the bundled CLI) alike.
 *
 * @example
 * findWardenRoot("/srv/app/node_modules/warden/dist/runtime/config"); // "/srv/app/node_modules/warden"
 */
export function findWardenRoot(dir: string): string | undefined {
  for (let current = dir; ;) {
    if (packageName(current) === "warden") return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

function packageName(dir: string): unknown {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    return typeof parsed === "object" && parsed !== null
      ? (parsed as { name?: unknown }).name
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The warden package root above `from` that holds the adapter (`python/warden_daemon/`); throws
 * when there is none, or when the package was built without its `python` folder.
 *
 * @example
 * wardenPackageRootFrom("/srv/app/node_modules/warden/dist/runtime/config"); // "/srv/app/node_modules/warden"
 */
export function wardenPackageRootFrom(from: string): string {
  const root = findWardenRoot(from);
  if (
    root !== undefined &&
    existsSync(join(root, PYTHON_DIR, PYTHON_ADAPTER_MODULE, "__main__.py"))
  ) {
    return root;
  }
  throw new Error(
    `warden's Python adapter is missing: no ${PYTHON_DIR}/${PYTHON_ADAPTER_MODULE}/ in ` +
      `${root ?? `a "warden" package above ${from}`} (the package must ship its "${PYTHON_DIR}" folder)`,
  );
}

let packageRoot: string | undefined;

/**
 * This warden's package root (where `python/warden_daemon/` is), found once from this module's
 * own location: in a checkout, an installed package, or its compiled or bundled copy.
 *
 * @example
 * pythonProcessSpec("jobs:Worker", configDir, wardenPackageRoot());
 */
export function wardenPackageRoot(): string {
  packageRoot ??= wardenPackageRootFrom(dirname(fileURLToPath(import.meta.url)));
  return packageRoot;
}

/** How long asking an interpreter for its own path may take. */
const RESOLVE_TIMEOUT_MS = 10_000;
const resolved = new Map<string, Promise<string>>();

/**
 * The interpreter `command` really is (`sys.executable`), asked once per command: starting a
 * daemon through a version manager's shim (pyenv) costs far more than the interpreter itself
 * (SPEC §13), so resolve it once and spawn that. Falls back to `command` when it cannot be
 * asked (not installed: the spawn then reports it as usual).
 *
 * @example
 * const spec = pythonProcessSpec(target, dir, wardenPackageRoot(), { command: await resolvedPython() });
 */
export function resolvedPython(command: string = DEFAULT_PYTHON): Promise<string> {
  let found = resolved.get(command);
  if (found === undefined) {
    found = new Promise((resolve) => {
      const script = "import sys; print(sys.executable)";
      execFile(command, ["-c", script], { timeout: RESOLVE_TIMEOUT_MS }, (error, stdout) => {
        const path = stdout.trim();
        resolve(error === null && isAbsolute(path) ? path : command);
      });
    });
    resolved.set(command, found);
  }
  return found;
}
