import { isWardenError } from "../../machines/errors.ts";
import { loadDaemonModule } from "./load-daemon-module.ts";
import { validateGraph } from "../manager/validate-graph.ts";
import { processDaemonProblems } from "./check-process.ts";
import { configError, displayPath, problemLine, type ConfigProblem } from "./config-error.ts";
import { graphProblems } from "./graph-config-error.ts";
import { resolveFromConfig, type LoadedConfig } from "./load-config.ts";
import { moduleProblem } from "./module-config-error.ts";
import type { DaemonDefinition } from "./types.ts";

/**
 * `warden validate`'s checks beyond the schema, without starting anything: every daemon module
 * loads and exports a daemon (its factory called with its `options`), every process daemon's
 * `command` and `cwd` would do for a spawn, the built-in catalog is not asked for, and the
 * dependency graph has no cycle. Every problem is reported, not just the first, as one
 * `WARDEN_ERR_CONFIG` whose lines name the file and the path in it
 * (`daemons.api.module`, `daemons.trainer.command`, `daemons.a.dependsOn[0]`).
 *
 * @example
 * const loaded = await loadConfig("warden.config.ts");
 * await checkDaemons(loaded, process.cwd()); // throws when something would not start
 */
export async function checkDaemons(loaded: LoadedConfig, cwd: string): Promise<void> {
  const { config } = loaded;
  const problems: ConfigProblem[] = [];
  if (config.catalog !== undefined) {
    problems.push({
      path: ["catalog"],
      text:
        `the built-in ${JSON.stringify(config.catalog)} catalog is not part of this release yet; ` +
        `define the daemons under "daemons" instead`,
    });
  }
  const perDaemon = await Promise.all(
    Object.entries(config.daemons).map(([name, definition]) =>
      daemonProblems(loaded, name, definition),
    ),
  );
  problems.push(...perDaemon.flat());
  try {
    validateGraph(
      new Map(Object.entries(config.daemons).map(([name, d]) => [name, d.dependsOn ?? []])),
    );
  } catch (error) {
    // Unknown dependencies: without a catalog the schema check has reported them already; with
    // one they name catalog daemons, and the catalog itself is reported above.
    if (!isWardenError(error, "WARDEN_ERR_UNKNOWN_DEPENDENCY")) {
      const found = graphProblems(error, config);
      if (found === undefined) throw error;
      problems.push(...found);
    }
  }
  if (problems.length === 0) return;
  const shown = displayPath(loaded.file, cwd);
  throw configError(
    shown,
    problems.map((problem) => problemLine(shown, problem)),
  );
}

async function daemonProblems(
  loaded: LoadedConfig,
  name: string,
  definition: DaemonDefinition,
): Promise<ConfigProblem[]> {
  if (definition.module === undefined) {
    return processDaemonProblems(name, definition, loaded.dir);
  }
  try {
    await loadDaemonModule(resolveFromConfig(loaded, definition.module), definition.options, name);
    return [];
  } catch (error) {
    const problem = moduleProblem(error, loaded.config);
    if (problem === undefined) throw error;
    return [problem];
  }
}
