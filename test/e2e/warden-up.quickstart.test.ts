import { describe, expect, it } from "vitest";
import { runWarden } from "../support/run-warden.ts";

const wardenUp = (args: string[]) => runWarden(["up", ...args]);

/** The order in which daemons printed a transition into `state`. */
function orderOf(stdout: string, state: string): string[] {
  const pattern = new RegExp(`^\\S+\\s+(\\S+)\\s+\\S+ → ${state}\\b`, "gm");
  return [...stdout.matchAll(pattern)].map((match) => match[1]!);
}

describe("warden up on examples/quickstart", () => {
  it("starts every daemon in dependency order, and on SIGTERM stops them in reverse order and exits 0", async () => {
    const run = wardenUp(["--config", "examples/quickstart/warden.config.ts"]);
    await run.waitForOutput(/5 daemons running/);
    run.child.kill("SIGTERM");
    const code = await run.exited;
    const { stdout, stderr } = run.output();
    expect(code, stderr).toBe(0);
    expect(stderr).toContain("all daemons stopped");

    const running = orderOf(stdout, "RUNNING");
    for (const name of ["load-monitor", "disk-monitor", "alerter", "reporter", "flaky-worker"]) {
      expect(running).toContain(name);
    }
    expect(running.indexOf("alerter")).toBeGreaterThan(running.indexOf("load-monitor"));
    expect(running.indexOf("alerter")).toBeGreaterThan(running.indexOf("disk-monitor"));
    expect(running.indexOf("reporter")).toBeGreaterThan(running.indexOf("alerter"));

    const stopped = orderOf(stdout, "STOPPED");
    const stopping = orderOf(stdout, "STOPPING");
    // Dependents finish stopping before their dependencies begin.
    expect(stopped.indexOf("reporter")).toBeLessThan(stopping.indexOf("alerter"));
    expect(stopped.indexOf("flaky-worker")).toBeLessThan(stopping.indexOf("alerter"));
    expect(stopped.indexOf("alerter")).toBeLessThan(stopping.indexOf("load-monitor"));
    expect(stopped.indexOf("alerter")).toBeLessThan(stopping.indexOf("disk-monitor"));
  });

  it("--daemons starts only the named daemons and their dependencies; SIGINT exits 0", async () => {
    const run = wardenUp([
      "--config",
      "examples/quickstart/warden.config.ts",
      "--daemons",
      "alerter",
    ]);
    await run.waitForOutput(/3 daemons running/);
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    const running = orderOf(run.output().stdout, "RUNNING");
    expect(running.sort()).toEqual(["alerter", "disk-monitor", "load-monitor"]);
  });

  it("an unknown daemon name exits 2 with a suggestion", async () => {
    const run = wardenUp([
      "--config",
      "examples/quickstart/warden.config.ts",
      "--daemons",
      "alerter,reportr",
    ]);
    expect(await run.exited).toBe(2);
    expect(run.output().stderr).toMatch(/no daemon named "reportr" \(did you mean "reporter"\?\)/);
  });
});
