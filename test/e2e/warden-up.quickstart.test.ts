import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stillRunning } from "../support/orphans.ts";
import { eventually } from "../support/process-harness.ts";
import { repoRoot, runWarden } from "../support/run-warden.ts";

const stateDir = join(repoRoot, "examples/quickstart/.warden");

const runs: ReturnType<typeof runWarden>[] = [];
const wardenUp = (args: string[]) => {
  const run = runWarden(["up", ...args]);
  runs.push(run);
  return run;
};

// A test that fails half-way must not leave its manager holding the port and the state dir.
afterEach(async () => {
  for (const run of runs.splice(0)) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) continue;
    run.child.kill("SIGTERM");
    await run.exited;
  }
});

/** The order in which daemons printed a transition into `state`. */
function orderOf(stdout: string, state: string): string[] {
  const pattern = new RegExp(`^\\S+\\s+(\\S+)\\s+\\S+ → ${state}\\b`, "gm");
  return [...stdout.matchAll(pattern)].map((match) => match[1]!);
}

describe("warden up on examples/quickstart", () => {
  it("starts every daemon in dependency order, and on SIGTERM stops them in reverse order and exits 0", async () => {
    const run = wardenUp(["--config", "examples/quickstart/warden.config.ts"]);
    await run.waitForOutput(/9 daemons running/);
    // The Python daemon said READY=1 on the notify socket after its first census.
    const record = JSON.parse(readFileSync(join(stateDir, "pids/process-census.json"), "utf8"));
    const python = Number(record.pid);
    expect(python).toBeGreaterThan(1);
    // Its stdout reaches the log through a pipe, which may trail the READY=1 on the socket.
    await eventually(
      () =>
        /stdout first census: \d+ processes/.test(
          readFileSync(join(stateDir, "logs/process-census.log"), "utf8"),
        ),
      10_000,
      "the Python daemon's first census in its log",
    );
    // The control API of the built-in HEALTH_SERVER answers probes and, with the token, status.
    const info = JSON.parse(readFileSync(join(stateDir, "manager.json"), "utf8"));
    expect((await fetch(`${info.url}/healthz`)).status).toBe(200);
    const token = readFileSync(join(stateDir, "token"), "utf8").trim();
    const status = await fetch(`${info.url}/v1/status`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await status.json()) as { daemons: { name: string; state: string }[] };
    expect(body.daemons.map((d) => d.state)).toEqual(Array(9).fill("RUNNING"));
    run.child.kill("SIGTERM");
    const code = await run.exited;
    const { stdout, stderr } = run.output();
    expect(code, stderr).toBe(0);
    expect(stderr).toContain("all daemons stopped");

    const running = orderOf(stdout, "RUNNING");
    for (const name of [
      "load-monitor",
      "disk-monitor",
      "alerter",
      "reporter",
      "flaky-worker",
      "process-census",
    ]) {
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
    expect(stopped).toContain("process-census");
    // What the Python daemon prints is shown beside the transitions.
    expect(stdout).toMatch(/process-census\s+│ first census: \d+ processes/);
    expect(stillRunning([python])).toEqual([]);
  });

  it("--daemons starts only the named daemons and their dependencies; SIGINT exits 0", async () => {
    const run = wardenUp([
      "--config",
      "examples/quickstart/warden.config.ts",
      "--daemons",
      "alerter",
    ]);
    await run.waitForOutput(/6 daemons running/);
    run.child.kill("SIGINT");
    expect(await run.exited).toBe(0);
    const running = orderOf(run.output().stdout, "RUNNING");
    expect(running.sort()).toEqual([
      "CROSS_PROCESS_POLLER",
      "DLQ_RETRY",
      "HEALTH_SERVER",
      "alerter",
      "disk-monitor",
      "load-monitor",
    ]);
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
