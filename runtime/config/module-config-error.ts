import { DaemonModuleError } from "./load-daemon-module.ts";
import type { WardenError } from "../../machines/errors.ts";
import { configError, displayPath, problemLine, type ConfigProblem } from "./config-error.ts";
import type { LoadedConfig } from "./load-config.ts";
import type { WardenConfig } from "./types.ts";

/**
 * The configuration error for a daemon module that failed to load (a `DaemonModuleError`, as
 * `loadDaemonModule` and so `managerFromConfig` throw it): a `WARDEN_ERR_CONFIG` (exit 2)
 * naming the file, `daemons.<name>.module` and the module as written there. `undefined` for
 * any other error, and for a daemon the file does not define.
 *
 * @example
 * const manager = await managerFromConfig(loaded).catch((error: unknown) => {
 *   throw configErrorOfModule(error, loaded, io.cwd) ?? error;
 * });
 * // warden.config.yaml: daemons.api.module: "./api.ts": no such file (did you mean "apis.ts"?)
 */
export function configErrorOfModule(
  error: unknown,
  loaded: Pick<LoadedConfig, "file" | "config">,
  cwd: string,
): WardenError | undefined {
  const problem = moduleProblem(error, loaded.config);
  if (problem === undefined) return undefined;
  const shown = displayPath(loaded.file, cwd);
  return configError(shown, [problemLine(shown, problem)], error);
}

/**
 * A module load failure as a place in `config`: `daemons.<name>.module`, with the module as
 * written and the reason.
 *
 * @example
 * moduleProblem(error, config);
 * // { path: ["daemons", "api", "module"], text: '"./api.ts": has no default export' }
 */
export function moduleProblem(error: unknown, config: WardenConfig): ConfigProblem | undefined {
  if (!(error instanceof DaemonModuleError)) return undefined;
  const written = config.daemons[error.daemon]?.module;
  if (written === undefined) return undefined;
  return {
    path: ["daemons", error.daemon, "module"],
    text: `${JSON.stringify(written)}: ${error.reason}`,
  };
}
