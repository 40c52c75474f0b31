import { accessSync, constants, readdirSync, statSync, type Stats } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { closestName } from "../../machines/closest-name.ts";
import { missingPathHint } from "./closest-file.ts";
import type { ConfigProblem } from "./config-error.ts";
import type { ProcessDaemonDefinition } from "./types.ts";

/**
 * What `warden validate` checks of a process daemon without running it: its `cwd` is a folder,
 * and its `command` is a program the spawn would find: a bare name is looked up on PATH (the
 * daemon's own `env.PATH` when it sets one, as the spawn does), a name with a `/` is a path
 * relative to the daemon's cwd; either way an executable file.
 */

const RUN_FROM_PATH = "expected a program on PATH or a path to an executable file";
const EXECUTABLE = "expected an executable file";

/**
 * The problems of process daemon `name` (paths `daemons.<name>.cwd` and
 * `daemons.<name>.command`), with `configDir` the configuration file's folder; empty when it
 * would start.
 *
 * @example
 * processDaemonProblems("trainer", { command: "pyhton3", cwd: "./ml" }, "/srv", process.env);
 * // [{ path: ["daemons", "trainer", "command"],
 * //    text: 'expected a program on PATH or a path to an executable file, got "pyhton3": not found on PATH (did you mean "python3"?)' }]
 */
export function processDaemonProblems(
  name: string,
  definition: Pick<ProcessDaemonDefinition, "command" | "cwd" | "env">,
  configDir: string,
  env: NodeJS.ProcessEnv = process.env,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const cwd = resolve(configDir, definition.cwd ?? ".");
  const cwdText = definition.cwd === undefined ? undefined : cwdProblem(definition.cwd, cwd);
  if (cwdText !== undefined) problems.push({ path: ["daemons", name, "cwd"], text: cwdText });
  const command = definition.command;
  const commandText = command.includes("/")
    ? // A relative path cannot be checked against a folder that is not there.
      cwdText !== undefined && !isAbsolute(command)
      ? undefined
      : pathProblem(command, resolve(cwd, command))
    : searchProblem(command, definition.env?.PATH ?? env.PATH ?? "", cwd);
  if (commandText !== undefined) {
    problems.push({ path: ["daemons", name, "command"], text: commandText });
  }
  return problems;
}

function cwdProblem(written: string, folder: string): string | undefined {
  const stats = statOf(folder);
  const got = `got ${JSON.stringify(written)}`;
  if (stats === undefined) {
    return `expected an existing folder, ${got}: no such folder ${folder}${missingPathHint(folder)}`;
  }
  if (!stats.isDirectory()) return `expected a folder, ${got}: ${folder} is a file`;
  if (!can(folder, constants.X_OK)) {
    return `expected a folder warden may enter, ${got}: ${folder} is not searchable (permission denied)`;
  }
  return undefined;
}

/** A command given as a path: it must be an executable file. */
function pathProblem(written: string, file: string): string | undefined {
  const stats = statOf(file);
  const got = `${EXECUTABLE}, got ${JSON.stringify(written)}`;
  if (stats === undefined) return `${got}: no such file ${file}${missingPathHint(file)}`;
  if (stats.isDirectory()) return `${got}: ${file} is a folder`;
  if (!can(file, constants.X_OK)) return `${got}: ${file} is not executable (chmod +x it)`;
  return undefined;
}

/** A bare command name: the first executable file of that name in the PATH folders. */
function searchProblem(command: string, path: string, cwd: string): string | undefined {
  // An empty PATH entry means the current folder, which for the spawn is the daemon's cwd.
  const folders = path.split(delimiter).map((folder) => resolve(cwd, folder));
  let notExecutable: string | undefined;
  for (const folder of folders) {
    const candidate = join(folder, command);
    if (!statOf(candidate)?.isFile()) continue;
    if (can(candidate, constants.X_OK)) return undefined;
    notExecutable ??= candidate;
  }
  const got = `${RUN_FROM_PATH}, got ${JSON.stringify(command)}`;
  if (notExecutable !== undefined) return `${got}: ${notExecutable} is not executable`;
  const local = join(cwd, command);
  if (statOf(local)?.isFile()) {
    return `${got}: not found on PATH; ${local} exists: write "./${command}" to run it`;
  }
  const closest = closestName(command, programsIn(folders));
  const hint = closest === undefined ? "" : ` (did you mean ${JSON.stringify(closest)}?)`;
  return `${got}: not found on PATH${hint}`;
}

/** The file names of the PATH folders, for "did you mean"; unreadable folders offer none. */
function programsIn(folders: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const folder of folders) {
    try {
      for (const name of readdirSync(folder)) names.add(name);
    } catch {
      // A PATH entry that is missing or unreadable is skipped, as the spawn skips it.
    }
  }
  return names;
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    // Missing or out of reach: both mean the spawn could not use it.
    return undefined;
  }
}

function can(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}
