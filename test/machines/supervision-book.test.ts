import { describe, expect, it } from "vitest";
import type { LifecycleState } from "../../machines/lifecycle-states.ts";
import { SupervisionBook, type Directive } from "../../machines/supervision-book.ts";

/** A book with `daemons` added in order: name → dependencies. */
function bookOf(daemons: Record<string, string[]>, critical: string[] = []): SupervisionBook {
  const book = new SupervisionBook();
  for (const [name, deps] of Object.entries(daemons)) book.add(name, deps, critical.includes(name));
  return book;
}

/** Moves each daemon through `states` in turn; returns every directive issued. */
function move(book: SupervisionBook, ...steps: [string, LifecycleState][]): Directive[] {
  return steps.flatMap(([name, state]) => book.transition(name, state));
}

const run = (book: SupervisionBook, ...names: string[]) =>
  move(
    book,
    ...names.flatMap((name): [string, LifecycleState][] => [
      [name, "STARTING"],
      [name, "RUNNING"],
    ]),
  );

const ready = (to: string): Directive => ({ to, type: "DEPENDENCIES_READY" });
const lost = (to: string, dependency: string): Directive => ({
  to,
  type: "DEPENDENCY_LOST",
  dependency,
});
const stop = (to: string): Directive => ({ to, type: "STOP" });

describe("SupervisionBook: registration", () => {
  it("adds daemons in PENDING and says whether their dependencies already run", () => {
    const book = new SupervisionBook();
    expect(book.add("db", [], false)).toBe(true);
    expect(book.add("api", ["db"], true)).toBe(false);
    expect(book.stateOf("api")).toBe("PENDING");
    expect(book.isCritical("api")).toBe(true);
    expect(book.isCritical("db")).toBe(false);
    run(book, "db");
    expect(book.add("web", ["db"], false)).toBe(true);
    expect(book.size).toBe(3);
    expect(book.has("web")).toBe(true);
    expect(book.has("nope")).toBe(false);
    expect(book.stateOf("nope")).toBeUndefined();
  });

  it("refuses a name twice", () => {
    const book = bookOf({ db: [] });
    expect(() => book.add("db", [], false)).toThrow(/already supervised/);
  });

  it("links dependents registered before their dependencies", () => {
    const book = bookOf({ web: ["api"], api: ["db"], db: [] });
    expect(book.dependentsOf("db")).toEqual(["api"]);
    expect(book.dependentsOf("api")).toEqual(["web"]);
    expect(book.dependenciesOf("web")).toEqual(["api"]);
    expect(run(book, "db")).toEqual([ready("api")]);
    expect(run(book, "api")).toEqual([ready("web")]);
    expect(book.dependenciesReady("web")).toBe(true);
  });

  it("ignores unknown daemons and repeated states", () => {
    const book = bookOf({ db: [], api: ["db"] });
    expect(book.transition("ghost", "RUNNING")).toEqual([]);
    run(book, "db");
    expect(book.transition("db", "RUNNING")).toEqual([]);
    expect(book.dependenciesOf("ghost")).toEqual([]);
    expect(book.dependentsOf("ghost")).toEqual([]);
    expect(book.dependenciesReady("ghost")).toBe(false);
  });
});

describe("SupervisionBook: readiness propagation", () => {
  it("tells a dependent it may start once all of its dependencies run, and only then", () => {
    const book = bookOf({ db: [], cache: [], api: ["db", "cache"] });
    expect(run(book, "db")).toEqual([]);
    expect(book.dependenciesReady("api")).toBe(false);
    expect(run(book, "cache")).toEqual([ready("api")]);
    expect(book.dependenciesReady("api")).toBe(true);
  });

  it("tells every dependent of a dependency at once (parallel start)", () => {
    const book = bookOf({ db: [], a: ["db"], b: ["db"], c: ["db"] });
    expect(run(book, "db")).toEqual([ready("a"), ready("b"), ready("c")]);
  });

  it("says nothing on moves that do not touch RUNNING", () => {
    const book = bookOf({ db: [], api: ["db"] });
    expect(move(book, ["db", "STARTING"], ["db", "RESTARTING"], ["db", "STOPPED"])).toEqual([]);
  });
});

describe("SupervisionBook: dependency lost", () => {
  it("tells fully-ready dependents when a dependency leaves RUNNING, whatever it goes to", () => {
    for (const to of ["STOPPING", "RESTARTING", "FAILED", "STOPPED"] as const) {
      const book = bookOf({ db: [], api: ["db"], web: ["db"] });
      run(book, "db");
      expect(move(book, ["db", to])).toEqual([lost("api", "db"), lost("web", "db")]);
      expect(book.dependenciesReady("api")).toBe(false);
    }
  });

  it("tells a dependent only once when two of its dependencies go", () => {
    const book = bookOf({ db: [], cache: [], api: ["db", "cache"] });
    run(book, "db", "cache");
    expect(move(book, ["db", "STOPPING"])).toEqual([lost("api", "db")]);
    expect(move(book, ["cache", "RESTARTING"])).toEqual([]);
    // Both must come back before the dependent is told again.
    expect(run(book, "db")).toEqual([]);
    expect(run(book, "cache")).toEqual([ready("api")]);
  });

  it("tells dependents again when the dependency comes back", () => {
    const book = bookOf({ db: [], api: ["db"] });
    run(book, "db");
    move(book, ["db", "RESTARTING"]);
    expect(move(book, ["db", "STARTING"])).toEqual([]);
    expect(move(book, ["db", "RUNNING"])).toEqual([ready("api")]);
  });
});

describe("SupervisionBook: ordered shutdown", () => {
  it("stops a chain from the top down, one level at a time", () => {
    const book = bookOf({ db: [], api: ["db"], web: ["api"] });
    run(book, "db", "api", "web");
    expect(book.beginShutdown()).toEqual([stop("web")]);
    expect(book.isShuttingDown).toBe(true);
    expect(move(book, ["web", "STOPPING"])).toEqual([]);
    expect(move(book, ["web", "STOPPED"])).toEqual([stop("api")]);
    // A stopped dependent is still told, so that its readiness stays true to the graph.
    expect(move(book, ["api", "STOPPING"])).toEqual([lost("web", "api")]);
    expect(move(book, ["api", "STOPPED"])).toEqual([stop("db")]);
    expect(move(book, ["db", "STOPPING"], ["db", "STOPPED"])).toEqual([lost("api", "db")]);
    expect(book.quiescent).toBe(true);
  });

  it("stops independent branches in parallel and a shared dependency last", () => {
    const book = bookOf({ a: [], b: ["a"], c: ["a"], d: ["b", "c"], e: [] });
    run(book, "a", "e", "b", "c", "d");
    expect(book.beginShutdown()).toEqual([stop("d"), stop("e")]);
    move(book, ["d", "STOPPING"]);
    expect(move(book, ["d", "STOPPED"])).toEqual([stop("b"), stop("c")]);
    move(book, ["b", "STOPPING"], ["c", "STOPPING"]);
    expect(move(book, ["b", "STOPPED"])).toEqual([]);
    expect(move(book, ["c", "STOPPED"])).toEqual([stop("a")]);
  });

  it("does not wait for FAILED or PENDING dependents, and stops PENDING daemons too", () => {
    const book = bookOf({ db: [], api: ["db"], web: ["db"], idle: [] });
    run(book, "db", "api");
    move(book, ["api", "RESTARTING"], ["api", "FAILED"]);
    // web is PENDING (never started): it holds nothing up but is told to stop. FAILED api is
    // told too, which cancels a cool-down that would otherwise undo the shutdown.
    expect(book.beginShutdown()).toEqual([stop("db"), stop("api"), stop("web"), stop("idle")]);
  });

  it("waits for a RESTARTING or STARTING dependent before stopping its dependency", () => {
    const book = bookOf({ db: [], api: ["db"], web: ["db"] });
    run(book, "db");
    move(book, ["api", "STARTING"], ["web", "STARTING"], ["web", "RUNNING"]);
    move(book, ["web", "RESTARTING"]);
    expect(book.beginShutdown()).toEqual([stop("api"), stop("web")]);
    expect(move(book, ["web", "STOPPED"])).toEqual([]);
    move(book, ["api", "STOPPING"]);
    expect(move(book, ["api", "STOPPED"])).toEqual([stop("db")]);
  });

  it("stops a RESTARTING daemon at once, even when a dependent is still stopping", () => {
    const book = bookOf({ db: [], api: ["db"], web: ["api"] });
    run(book, "db", "api", "web");
    move(book, ["web", "STOPPING"], ["db", "RESTARTING"], ["api", "RESTARTING"]);
    // web still stops, but db and api serve no one; left alone they would start again.
    expect(book.beginShutdown()).toEqual([stop("db"), stop("api"), stop("web")]);
  });

  it("stops again a daemon that comes back to life during shutdown", () => {
    const book = bookOf({ db: [], cron: [] });
    run(book, "db");
    move(book, ["cron", "STARTING"], ["cron", "FAILED"]);
    expect(book.beginShutdown()).toEqual([stop("db"), stop("cron")]);
    // Should a cool-down bring cron back anyway: it is told to stop at once.
    expect(move(book, ["cron", "PENDING"])).toEqual([stop("cron")]);
    expect(move(book, ["cron", "STARTING"])).toEqual([stop("cron")]);
    expect(move(book, ["cron", "STOPPING"])).toEqual([]);
  });

  it("asks each daemon to stop once per shutdown, and again in the next shutdown", () => {
    const book = bookOf({ db: [], api: ["db"], web: ["db"] });
    run(book, "db", "api", "web");
    expect(book.beginShutdown()).toEqual([stop("api"), stop("web")]);
    move(book, ["api", "STOPPING"], ["web", "STOPPING"]);
    const directives = move(book, ["api", "STOPPED"], ["web", "STOPPED"]);
    expect(directives).toEqual([stop("db")]);
    move(book, ["db", "STOPPING"], ["db", "STOPPED"]);
    book.endShutdown();
    expect(book.isShuttingDown).toBe(false);
    run(book, "db");
    expect(book.beginShutdown()).toEqual([stop("db")]);
  });

  it("gives no shutdown directives outside a shutdown", () => {
    const book = bookOf({ db: [], api: ["db"] });
    run(book, "db", "api");
    expect(move(book, ["api", "STOPPING"], ["api", "STOPPED"])).toEqual([]);
  });
});

describe("SupervisionBook: quiescence", () => {
  it("is quiescent exactly when every daemon is PENDING, STOPPED or FAILED", () => {
    const book = bookOf({ a: [], b: [] });
    expect(book.quiescent).toBe(true);
    const expectations: [string, LifecycleState, boolean][] = [
      ["a", "STARTING", false],
      ["a", "RUNNING", false],
      ["b", "STARTING", false],
      ["a", "STOPPING", false],
      ["a", "STOPPED", false], // b still STARTING
      ["b", "RESTARTING", false],
      ["b", "FAILED", true],
      ["b", "PENDING", true],
      ["a", "PENDING", true],
      ["a", "STARTING", false],
      ["a", "RESTARTING", false],
      ["a", "STOPPED", true],
    ];
    for (const [name, state, quiescent] of expectations) {
      book.transition(name, state);
      expect({ name, state, quiescent: book.quiescent }).toEqual({ name, state, quiescent });
    }
  });

  it("is quiescent with no daemons at all", () => {
    expect(new SupervisionBook().quiescent).toBe(true);
  });
});

describe("SupervisionBook: start order", () => {
  it("tells the dependents on the longest chain first when a dependency comes up", () => {
    // router ← leaf1, leaf2 (nothing below them), mid ← deep ← deeper
    const book = bookOf({
      router: [],
      leaf1: ["router"],
      mid: ["router"],
      leaf2: ["router"],
      deep: ["mid"],
      deeper: ["deep"],
    });
    expect(book.heightOf("router")).toBe(4);
    expect(book.heightOf("leaf1")).toBe(1);
    expect(run(book, "router").map((d) => d.to)).toEqual(["mid", "leaf1", "leaf2"]);
  });

  it("recomputes heights when a daemon is added under an existing one", () => {
    const book = bookOf({ a: [], b: ["a"] });
    expect(book.heightOf("a")).toBe(2);
    book.add("c", ["b"], false);
    expect(book.heightOf("a")).toBe(3);
  });
});
