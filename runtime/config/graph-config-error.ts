import { suggestion } from "../../machines/closest-name.ts";
import type { WardenError } from "../../machines/errors.ts";
import { GraphError } from "../manager/validate-graph.ts";
import { configError, displayPath, problemLine, type ConfigProblem } from "./config-error.ts";
import type { LoadedConfig } from "./load-config.ts";
import type { WardenConfig } from "./types.ts";

/**
 * The configuration error for a dependency-graph error (what `validateGraph` throws, also from
 * `DaemonManager.startMany`): a `WARDEN_ERR_CONFIG` (exit 2) that names the file, the
 * `daemons.<name>.dependsOn[i]` entry at fault and what was expected, like every other
 * configuration error. `undefined` for any other error, which the caller handles as before.
 *
 * @example
 * try {
 *   await manager.startMany(names);
 * } catch (error) {
 *   throw configErrorOfGraph(error, loaded, io.cwd) ?? error;
 * }
 * // warden: invalid configuration warden.config.yaml:
 * // warden.config.yaml: daemons.a.dependsOn[0]: dependency cycle: a → c → b → a (expected ...)
 */
export function configErrorOfGraph(
  error: unknown,
  loaded: Pick<LoadedConfig, "file" | "config">,
  cwd: string,
): WardenError | undefined {
  const problems = graphProblems(error, loaded.config);
  if (problems === undefined) return undefined;
  const shown = displayPath(loaded.file, cwd);
  return configError(
    shown,
    problems.map((problem) => problemLine(shown, problem)),
    error,
  );
}

/**
 * The problems of a dependency-graph error as places in `config`; `undefined` when `error` is
 * not one.
 *
 * @example
 * graphProblems(cycleError, config);
 * // [{ path: ["daemons", "a", "dependsOn", 0], text: "dependency cycle: a → b → a (...)" }]
 */
export function graphProblems(error: unknown, config: WardenConfig): ConfigProblem[] | undefined {
  if (!(error instanceof GraphError)) return undefined;
  const daemons = config.daemons;
  const entryOf = (daemon: string, dependency: string) => {
    const index = daemons[daemon]?.dependsOn?.indexOf(dependency) ?? -1;
    return ["daemons", daemon, "dependsOn", ...(index === -1 ? [] : [index])];
  };
  if (error.code === "WARDEN_ERR_UNKNOWN_DEPENDENCY") {
    return error.missing.map(({ daemon, dependency }) => ({
      path: entryOf(daemon, dependency),
      text: `unknown daemon ${JSON.stringify(dependency)}${suggestion(dependency, Object.keys(daemons))}`,
    }));
  }
  const cycle = startAtConfigDaemon(error.cycle, daemons);
  const [first = "", second = ""] = cycle;
  return [
    {
      path: entryOf(first, second),
      text:
        `dependency cycle: ${cycle.join(" → ")} (expected dependsOn entries that never lead ` +
        `back to ${JSON.stringify(first)}; remove one of the cycle's entries)`,
    },
  ];
}

/**
 * The closed path `cycle` turned to start at its first daemon defined in the file, so that the
 * error points at an entry the user can edit (a cycle may pass through built-in daemons).
 */
function startAtConfigDaemon(cycle: readonly string[], daemons: WardenConfig["daemons"]): string[] {
  const open = cycle.slice(0, -1);
  const at = open.findIndex((name) => Object.hasOwn(daemons, name));
  if (at <= 0) return [...cycle];
  const turned = [...open.slice(at), ...open.slice(0, at)];
  return [...turned, turned[0]!];
}
