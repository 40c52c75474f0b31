import { describe, expect, it } from "vitest";
import { resolvePolicy } from "../../../machines/daemon-policy.ts";
import { isWardenError } from "../../../machines/errors.ts";
import { DaemonRegistry } from "../../../runtime/manager/daemon-registry.ts";
import type { SupervisedDriver } from "../../../runtime/manager/supervised-driver.ts";

const supervised = {} as SupervisedDriver;

function add(registry: DaemonRegistry, name: string, dependsOn: string[], stopTimeoutMs = 1000) {
  const policy = resolvePolicy({ stopTimeoutMs });
  registry.add({ name, dependsOn, policy, description: undefined, supervised });
}

describe("DaemonRegistry", () => {
  it("refuses a name twice and names the closest one for an unknown name", () => {
    const registry = new DaemonRegistry();
    add(registry, "database", []);
    expect(() => add(registry, "database", [])).toThrow(/already registered/);
    let error: unknown;
    try {
      registry.get("databse");
    } catch (caught) {
      error = caught;
    }
    expect(isWardenError(error, "WARDEN_ERR_UNKNOWN_DAEMON")).toBe(true);
    expect((error as Error).message).toContain("database");
  });

  it("hands daemons over once, dependencies first, and checks the graph before", () => {
    const registry = new DaemonRegistry();
    add(registry, "api", ["db"]);
    add(registry, "db", []);
    expect(registry.takeUnsupervised().map((d) => d.name)).toEqual(["db", "api"]);
    expect(registry.takeUnsupervised()).toEqual([]);
    add(registry, "x", ["y"]);
    add(registry, "y", ["x"]);
    expect(() => registry.takeUnsupervised()).toThrow(/cycle/);
  });

  it("budgets an ordered stop: the longest chain plus one, times the largest stop timeout, plus 5 s", () => {
    const registry = new DaemonRegistry();
    add(registry, "c", [], 2000);
    add(registry, "b", ["c"]);
    add(registry, "a", ["b"]);
    add(registry, "alone", [], 500);
    expect(registry.stopBudgetMs()).toBe((3 + 1) * 2000 + 5000);
  });
});
