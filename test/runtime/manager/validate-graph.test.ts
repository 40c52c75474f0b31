import { describe, expect, it } from "vitest";
import { WardenError } from "../../../machines/errors.ts";
import { validateGraph } from "../../../runtime/manager/validate-graph.ts";

const graphOf = (edges: Record<string, string[]>) => new Map(Object.entries(edges));

/** The WardenError `fn` throws; fails the test when it throws anything else or nothing. */
function thrown(fn: () => void): WardenError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WardenError);
    return error as WardenError;
  }
  throw new Error("expected a WardenError, nothing was thrown");
}

describe("validateGraph", () => {
  it("accepts an acyclic graph whose dependencies all exist", () => {
    expect(() =>
      validateGraph(graphOf({ db: [], cache: [], api: ["db", "cache"], web: ["api", "db"] })),
    ).not.toThrow();
    expect(() => validateGraph(graphOf({}))).not.toThrow();
  });

  it("rejects an unknown dependency with WARDEN_ERR_UNKNOWN_DEPENDENCY and a suggestion", () => {
    const error = thrown(() =>
      validateGraph(graphOf({ EVENT_ROUTER: [], AUTO_SYNC: ["EVENT_ROUTR"] })),
    );
    expect(error.code).toBe("WARDEN_ERR_UNKNOWN_DEPENDENCY");
    expect(error.exitCode).toBe(2);
    expect(error.details).toHaveLength(1);
    expect(error.details[0]).toContain('"AUTO_SYNC"');
    expect(error.details[0]).toContain('"EVENT_ROUTR"');
    expect(error.details[0]).toContain('did you mean "EVENT_ROUTER"?');
  });

  it("names every unknown dependency, and suggests nothing for a name that is no typo", () => {
    const error = thrown(() => validateGraph(graphOf({ db: [], api: ["dbb", "trainer"] })));
    expect(error.code).toBe("WARDEN_ERR_UNKNOWN_DEPENDENCY");
    expect(error.details).toHaveLength(2);
    expect(error.details[0]).toContain('did you mean "db"?');
    expect(error.details[1]).toContain('"trainer"');
    expect(error.details[1]).not.toContain("did you mean");
    // The same as data, for errors that point into a configuration file.
    expect(error).toMatchObject({
      missing: [
        { daemon: "api", dependency: "dbb" },
        { daemon: "api", dependency: "trainer" },
      ],
      cycle: [],
    });
  });

  it("rejects a cycle with WARDEN_ERR_DEPENDENCY_CYCLE naming it a → b → c → a", () => {
    const error = thrown(() => validateGraph(graphOf({ a: ["b"], b: ["c"], c: ["a"] })));
    expect(error.code).toBe("WARDEN_ERR_DEPENDENCY_CYCLE");
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain("a → b → c → a");
    expect(error.details).toEqual(["a", "b", "c", "a"]);
    expect(error).toMatchObject({ cycle: ["a", "b", "c", "a"], missing: [] });
  });

  it("names only the cycle, not the daemons that lead to it", () => {
    const error = thrown(() =>
      validateGraph(graphOf({ web: ["api"], api: ["db"], db: ["cache"], cache: ["api"] })),
    );
    expect(error.code).toBe("WARDEN_ERR_DEPENDENCY_CYCLE");
    expect(error.details).toEqual(["api", "db", "cache", "api"]);
    expect(error.message).not.toContain("web");
  });

  it("rejects a daemon that depends on itself", () => {
    const error = thrown(() => validateGraph(graphOf({ a: ["a"] })));
    expect(error.code).toBe("WARDEN_ERR_DEPENDENCY_CYCLE");
    expect(error.details).toEqual(["a", "a"]);
  });

  it("reports unknown dependencies before cycles", () => {
    const error = thrown(() => validateGraph(graphOf({ a: ["b", "ghost"], b: ["a"] })));
    expect(error.code).toBe("WARDEN_ERR_UNKNOWN_DEPENDENCY");
  });
});
