import { isWardenError } from "../../machines/errors.ts";
import { configuredDaemons, dependencyGraphOf } from "../catalog/config-daemons.ts";
import { planStart } from "../catalog/start-plan.ts";
import { loadDaemonModule } from "./load-daemon-module.ts";
import { validateGraph } from "../manager/validate-graph.ts";
import { processDaemonProblems } from "./check-process.ts";
import { configError, displayPath, problemLine, type ConfigProblem } from "./config-error.ts";
import { graphProblems } from "./graph-config-error.ts";
import { resolveFromConfig, type LoadedConfig } from "./load-config.ts";
import { moduleProblem } from "./module-config-error.ts";
import type { Selection } from "./select-daemons.ts";
import type { DaemonDefinition } from "./types.ts";

/**
 * `warden validate`'s checks beyond the schema, without starting anything: every daemon module
 * loads and exports a daemon (its factory called with its `options`), every process daemon's
 * `command` and `cwd` would do for a spawn, the dependency graph (the catalog's daemons
 * included) has no cycle, and everything `warden up` would start for `selection` can run: no
 * unbound catalog daemon among them (runtime/catalog/start-plan.ts). Every problem is reported,
 * not just the first, as one `WARDEN_ERR_CONFIG` whose lines name the file and the path in it
 * (`daemons.api.module`, `daemons.trainer.command`, `daemons.a.dependsOn[0]`). Returns the
 * warnings: deprecated daemons that would start.
 *
 * @example
 * const loaded = await loadConfig("warden.config.ts");
 * const { warnings } = await checkDaemons(loaded, process.cwd()); // throws when something would not start
 */
export async function checkDaemons(
  loaded: LoadedConfig,
  cwd: string,
  selection: Selection = {},
): Promise<{ warnings: string[] }> {
  const { config } = loaded;
  const problems: ConfigProblem[] = [];
  const perDaemon = await Promise.all(
    Object.entries(config.daemons).map(([name, definition]) =>
      daemonProblems(loaded, name, definition),
    ),
  );
  problems.push(...perDaemon.flat());
  const shown = displayPath(loaded.file, cwd);
  let warnings: string[] = [];
  try {
    validateGraph(dependencyGraphOf(configuredDaemons(config)));
    warnings = planStart(config, selection, shown).warnings;
  } catch (error) {
    // Unknown dependencies: the schema check has reported them already.
    if (!isWardenError(error, "WARDEN_ERR_UNKNOWN_DEPENDENCY")) {
      const found = graphProblems(error, config);
      if (found !== undefined) problems.push(...found);
      else if (isWardenError(error, "WARDEN_ERR_CONFIG")) fail(shown, problems, error.details);
      else throw error;
    }
  }
  fail(shown, problems, []);
  return { warnings };
}

/** Throws every problem, and every line of `lines`, as one configuration error, if any. */
function fail(shown: string, problems: readonly ConfigProblem[], lines: readonly string[]): void {
  const all = [...problems.map((problem) => problemLine(shown, problem)), ...lines];
  if (all.length > 0) throw configError(shown, all);
}

async function daemonProblems(
  loaded: LoadedConfig,
  name: string,
  definition: DaemonDefinition,
): Promise<ConfigProblem[]> {
  if (definition.command !== undefined) {
    return processDaemonProblems(name, definition, loaded.dir);
  }
  if (definition.python !== undefined) {
    return processDaemonProblems(name, { ...definition, command: "python3" }, loaded.dir);
  }
  if (definition.module === undefined) return []; // a catalog daemon's settings: planStart checks it
  try {
    await loadDaemonModule(resolveFromConfig(loaded, definition.module), definition.options, name);
    return [];
  } catch (error) {
    const problem = moduleProblem(error, loaded.config);
    if (problem === undefined) throw error;
    return [problem];
  }
}
