import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configErrorOfGraph } from "../../../runtime/config/graph-config-error.ts";
import type { WardenConfig } from "../../../runtime/config/types.ts";
import { WardenError } from "../../../machines/errors.ts";
import { GraphError, validateGraph } from "../../../runtime/manager/validate-graph.ts";

const cwd = "/srv/app";
const file = join(cwd, "deploy", "warden.config.yaml");

function loadedWith(daemons: Record<string, string[]>) {
  const config: WardenConfig = {
    daemons: Object.fromEntries(
      Object.entries(daemons).map(([name, dependsOn]) => [name, { command: "x", dependsOn }]),
    ),
  };
  return { file, config };
}

/** What validateGraph throws for the graph of `loaded`, plus `extra` entries (e.g. built-ins). */
function graphErrorOf(loaded: ReturnType<typeof loadedWith>, extra: Record<string, string[]> = {}) {
  const graph = new Map([
    ...Object.entries(loaded.config.daemons).map(
      ([name, d]) => [name, d.dependsOn ?? []] as [string, string[]],
    ),
    ...Object.entries(extra),
  ]);
  try {
    validateGraph(graph);
  } catch (error) {
    return error;
  }
  throw new Error("expected validateGraph to throw");
}

describe("configErrorOfGraph", () => {
  it("turns a cycle into a config error naming the file, the dependsOn entry and the cycle", () => {
    const loaded = loadedWith({ web: ["api"], api: ["cache", "db"], db: ["api"], cache: [] });
    const error = configErrorOfGraph(graphErrorOf(loaded), loaded, cwd);
    expect(error).toBeInstanceOf(WardenError);
    expect(error!.code).toBe("WARDEN_ERR_CONFIG");
    expect(error!.exitCode).toBe(2);
    const shown = join("deploy", "warden.config.yaml");
    expect(error!.details).toEqual([
      `${shown}: daemons.api.dependsOn[1]: dependency cycle: api → db → api ` +
        `(expected dependsOn entries that never lead back to "api"; remove one of the cycle's entries)`,
    ]);
    expect(error!.message).toBe(`invalid configuration ${shown}:\n${error!.details[0]}`);
  });

  it("quotes a daemon name that is not a plain word, as the schema's errors do", () => {
    const loaded = loadedWith({ "a.b": ["c"], c: ["a.b"] });
    const error = configErrorOfGraph(graphErrorOf(loaded), loaded, "/elsewhere");
    // Outside the working folder, the file is shown absolute.
    expect(error!.details[0]).toMatch(
      new RegExp(
        `^${file.replace(/[.]/g, "\\.")}: daemons\\["a\\.b"\\]\\.dependsOn\\[0\\]: dependency cycle: a\\.b → c → a\\.b `,
      ),
    );
  });

  it("names each unknown dependency with its entry and the closest name", () => {
    const loaded = loadedWith({ db: [], api: ["dbb", "db"] });
    const error = configErrorOfGraph(graphErrorOf(loaded), loaded, cwd);
    expect(error!.details).toEqual([
      `${join("deploy", "warden.config.yaml")}: daemons.api.dependsOn[0]: unknown daemon "dbb" (did you mean "db"?)`,
    ]);
  });

  it("leaves any other error alone", () => {
    const loaded = loadedWith({ a: [] });
    expect(configErrorOfGraph(new Error("boom"), loaded, cwd)).toBeUndefined();
    const other = new WardenError("WARDEN_ERR_UNKNOWN_DAEMON", "no daemon named x");
    expect(configErrorOfGraph(other, loaded, cwd)).toBeUndefined();
  });

  it("points at the first daemon of the file in a cycle that passes through a built-in", () => {
    const loaded = loadedWith({ a: ["db", "HEALTH_SERVER"], db: [] });
    const cycle = ["HEALTH_SERVER", "a", "HEALTH_SERVER"];
    const graphError = new GraphError("WARDEN_ERR_DEPENDENCY_CYCLE", "cycle", cycle, [], cycle);
    const error = configErrorOfGraph(graphError, loaded, cwd);
    expect(error!.details[0]).toContain(
      "daemons.a.dependsOn[1]: dependency cycle: a → HEALTH_SERVER → a (",
    );
  });
});
