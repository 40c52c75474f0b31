/**
 * What `warden up` (and `warden validate`) would start for a selection, and whether it can:
 * the chosen daemons with their dependencies, in dependency order, checked against the catalog
 * (SPEC §6). An unbound catalog daemon, or a built-in one this release does not have yet, among
 * them is a configuration error naming each and how to bind it; so are two daemons that conflict
 * (SPEC §6a); a deprecated one only warns.
 */
import { cgroupSupport } from "../../actors/cgroup-support.ts";
import { conflictingPairs } from "../../machines/daemon-conflicts.ts";
import { dependencyClosure, dependencyOrder } from "../../machines/dependency-graph.ts";
import { WardenError } from "../../machines/errors.ts";
import { unenforcedLimits } from "../manager/limits-status.ts";
import type { Selection } from "../config/select-daemons.ts";
import { selectDaemons } from "../config/select-daemons.ts";
import type { WardenConfig } from "../config/types.ts";
import {
  ALWAYS_RUNNING_BUILT_INS,
  BUILT_IN_DAEMONS,
  configuredDaemons,
  dependencyGraphOf,
  type ConfiguredDaemon,
} from "./config-daemons.ts";

export interface StartPlan {
  /** Every daemon the configuration knows, the catalog's included. */
  daemons: ReadonlyMap<string, ConfiguredDaemon>;
  /** The selection with every dependency, in dependency order. */
  targets: string[];
  /** One line per deprecated daemon among the targets: its replacement and removal. */
  warnings: string[];
}

/**
 * The plan for `selection`, or a `WARDEN_ERR_CONFIG` (exit 2) whose details name every daemon
 * that cannot start: unbound catalog daemons (with the keys that bind one) and built-in daemons
 * that are not real yet (with what they need).
 *
 * @example
 * const plan = planStart(loaded.config, { profile: "training_node" }, "warden.config.ts");
 * plan.targets; // ["EVENT_ROUTER", "AUTO_SYNC", …]
 */
export function planStart(config: WardenConfig, selection: Selection, file: string): StartPlan {
  const daemons = configuredDaemons(config);
  const graph = dependencyGraphOf(daemons);
  const chosen = selectDaemons(config, selection);
  // The built-ins `warden up` always runs come along, with their dependencies.
  const closure = dependencyClosure(
    [...chosen, ...Object.keys(ALWAYS_RUNNING_BUILT_INS).filter((name) => daemons.has(name))],
    graph,
  );
  const targets = dependencyOrder(
    [...daemons.keys()].filter((name) => closure.has(name)),
    graph,
  );
  const needed = (name: string) => neededBy(name, chosen, closure, graph);
  const problems = targets.flatMap((name) => {
    const daemon = daemons.get(name);
    if (daemon === undefined) return []; // an unknown dependency: the graph check names it
    return startProblem(daemon, needed);
  });
  if (problems.length > 0) {
    const count = problems.length === 1 ? "a daemon" : `${problems.length} daemons`;
    throw new WardenError(
      "WARDEN_ERR_CONFIG",
      `${file}: ${count} that would start cannot: ${problems.map((p) => p.name).join(", ")}`,
      { details: problems.map((problem) => `${file}: ${problem.text}`) },
    );
  }
  refuseConflicts(targets, daemons, needed, file);
  const warnings = targets.flatMap((name) => {
    const unenforced = unenforcedLimitWarning(name, daemons.get(name)?.definition);
    if (unenforced !== undefined) return [unenforced, ...deprecationWarning(name)];
    return deprecationWarning(name);
  });
  return { daemons, targets, warnings };

  function deprecationWarning(name: string): string[] {
    const deprecated = daemons.get(name)?.entry?.deprecated;
    if (!deprecated) return [];
    return [
      `${name} is deprecated: use ${deprecated.replacement} instead (removal ${deprecated.removal})`,
    ];
  }
}

/** "X: limits.cpuPercent 50 is not enforced: <why>" when nothing here can enforce it (SPEC §6a). */
function unenforcedLimitWarning(
  name: string,
  definition: ConfiguredDaemon["definition"] | undefined,
): string | undefined {
  const limits = definition?.limits;
  const unenforced = unenforcedLimits(limits);
  if (limits === undefined || unenforced.length === 0) return undefined;
  const what = unenforced.map((key) => `limits.${key} ${limits[key as keyof typeof limits]}`);
  return `${name}: ${what.join(", ")} is not enforced: ${cgroupSupport().reason}`;
}

/**
 * A `WARDEN_ERR_CONFIG` (exit 2) naming both sides of every conflict (SPEC §6a) among `targets`:
 * `warden up` never starts two daemons that must not run at once.
 */
function refuseConflicts(
  targets: readonly string[],
  daemons: ReadonlyMap<string, ConfiguredDaemon>,
  neededBy: (name: string) => string,
  file: string,
): void {
  const declared = new Map(
    [...daemons].map(([name, daemon]) => [name, daemon.definition.conflicts ?? []] as const),
  );
  const pairs = conflictingPairs(targets, declared);
  if (pairs.length === 0) return;
  const named = pairs.map(([a, b]) => `${a} and ${b}`);
  throw new WardenError(
    "WARDEN_ERR_CONFIG",
    `${file}: the selection holds daemons that conflict: ${named.join("; ")}`,
    {
      details: pairs.map(
        ([a, b]) =>
          `${file}: ${a}${neededBy(a)} and ${b}${neededBy(b)} conflict ("conflicts"): ` +
          `they never run at once; select one of them`,
      ),
    },
  );
}

function startProblem(
  daemon: ConfiguredDaemon,
  neededBy: (name: string) => string,
): { name: string; text: string }[] {
  const { name } = daemon;
  if (daemon.binding === "unbound") {
    const what = daemon.entry ? `a catalog daemon (${daemon.entry.title})` : "a daemon";
    return [
      {
        name,
        text:
          `daemons.${name}: ${what} with nothing bound to run it${neededBy(name)}; bind it with ` +
          `"module" (a TypeScript/JavaScript module), "command" (a program) or "python" ` +
          `("module:Class"), e.g. ${name}: { module: "./daemons/${name.toLowerCase()}.ts" }`,
      },
    ];
  }
  const missing = daemon.binding === "built-in" ? BUILT_IN_DAEMONS[name]?.missing : undefined;
  if (missing === undefined) return [];
  return [
    {
      name,
      text: `daemons.${name}: a built-in daemon that is not available yet${neededBy(name)}: ${missing}`,
    },
  ];
}

/** ", needed by X" when `name` is only a dependency of the selection; "" when chosen itself. */
function neededBy(
  name: string,
  chosen: readonly string[],
  closure: ReadonlySet<string>,
  graph: ReadonlyMap<string, readonly string[]>,
): string {
  if (chosen.includes(name)) return "";
  // Its direct dependents among what would start (the closure holds the chosen ones too).
  const wanting = [...graph]
    .filter(([dependent, deps]) => closure.has(dependent) && deps.includes(name))
    .map(([dependent]) => dependent);
  return wanting.length === 0
    ? ""
    : ` (needed by ${wanting.slice(0, 3).join(", ")}${wanting.length > 3 ? ", …" : ""})`;
}
