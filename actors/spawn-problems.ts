/**
 * Why a program could not be run, in words. Node reports "spawn sleep ENOENT" alike for a command
 * that is not there, for a working directory that is not there, and for a script whose `#!`
 * interpreter is not there. So the working directory is checked before the spawn (one stat),
 * and a spawn error is explained by looking at the working directory, PATH and the `#!` line.
 */
import { accessSync, closeSync, constants, openSync, readSync, statSync } from "node:fs";
import { delimiter, resolve } from "node:path";
import { messageOf } from "../machines/errors.ts";
import { errorCode } from "./process-groups.ts";

export interface SpawnSetting {
  command: string;
  cwd?: string | undefined;
  /** The PATH the child gets (Node looks the command up in it). */
  path?: string | undefined;
}

/**
 * What keeps `cwd` from being a working directory, or undefined when nothing does.
 *
 * @example
 * workingDirectoryProblem("/x/y"); // "its working directory /x/y does not exist"
 */
export function workingDirectoryProblem(cwd: string | undefined): string | undefined {
  if (cwd === undefined) return undefined;
  const dir = resolve(cwd);
  try {
    if (!statSync(dir).isDirectory()) return `its working directory ${dir} is not a directory`;
    accessSync(dir, constants.X_OK);
    return undefined;
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT" || code === "ENOTDIR")
      return `its working directory ${dir} does not exist`;
    if (code === "EACCES") return `its working directory ${dir} is not accessible (EACCES)`;
    return `its working directory ${dir} cannot be used: ${messageOf(error)}`;
  }
}

/**
 * Why the spawn of `setting.command` failed with `error`, e.g. `command "foo" not found on PATH`,
 * `./run.sh is not executable (EACCES)`.
 *
 * @example
 * child.once("error", (error) => log(`cannot run "x": ${spawnProblem(error, { command: "x" })}`));
 */
export function spawnProblem(error: unknown, setting: SpawnSetting): string {
  const { command, cwd } = setting;
  const code = errorCode(error);
  const unusable = workingDirectoryProblem(cwd);
  if (unusable !== undefined) return unusable;
  const file = locate(setting);
  const shown = command.includes("/") || file === undefined ? command : `"${command}" (${file})`;
  if (code === "ENOENT") {
    if (file === undefined) {
      return command.includes("/")
        ? `${command} does not exist`
        : `command "${command}" not found on PATH`;
    }
    const interpreter = interpreterOf(file);
    if (interpreter?.endsWith("\r")) {
      return `${shown} has Windows line endings: its #! line names "${interpreter.trimEnd()}\\r"`;
    }
    if (interpreter !== undefined) {
      return `${shown} exists, but its interpreter (#!${interpreter}) was not found`;
    }
    return `${shown} exists, but could not be run (ENOENT: a loader or library it needs is missing)`;
  }
  if (code === "EACCES") return `${shown} is not executable (EACCES)`;
  return messageOf(error);
}

/**
 * Why `setting.command` could not be run, as far as can be told without running it (the file,
 * its execute permission, its `#!` interpreter), in the words of `spawnProblem`; undefined when
 * nothing stands in the way. For a program started through a wrapper (a daemon's cgroup,
 * actors/process-launch.ts), whose own exec would otherwise only fail with exit code 127.
 *
 * @example
 * runProblem({ command: "no-such-tool", path: process.env.PATH }); // 'command "no-such-tool" not found on PATH'
 */
export function runProblem(setting: SpawnSetting): string | undefined {
  const file = locate(setting);
  if (file === undefined) return spawnProblem(codeError("ENOENT"), setting);
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return spawnProblem(codeError("EACCES"), setting);
  }
  const interpreter = interpreterOf(file);
  const missing =
    interpreter !== undefined &&
    (interpreter.endsWith("\r") || (interpreter.startsWith("/") && !isFile(interpreter)));
  return missing ? spawnProblem(codeError("ENOENT"), setting) : undefined;
}

function codeError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

/** The file a spawn of `command` runs: itself when it has a slash, else the first on PATH. */
function locate({ command, cwd, path }: SpawnSetting): string | undefined {
  const base = resolve(cwd ?? ".");
  if (command.includes("/")) {
    const file = resolve(base, command);
    return isFile(file) ? file : undefined;
  }
  for (const dir of (path ?? "").split(delimiter)) {
    const file = resolve(base, dir, command);
    if (isFile(file)) return file;
  }
  return undefined;
}

/** The program a `#!` line names (its first word), or undefined for a file without one. */
function interpreterOf(file: string): string | undefined {
  const head = Buffer.alloc(256);
  let length: number;
  try {
    const fd = openSync(file, "r");
    try {
      length = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Unreadable (or gone): nothing more to say about it.
    return undefined;
  }
  const text = head.toString("latin1", 0, length);
  if (!text.startsWith("#!")) return undefined;
  const line = text.slice(2).split("\n")[0]!;
  return line.trimStart().split(/[ \t]/)[0] || undefined;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
