import { describe, expect, it } from "vitest";
import { runWarden } from "../support/run-warden.ts";

describe("errors escaping an in-process daemon", () => {
  it("crash that daemon only: it restarts, its neighbour and the manager keep running", async () => {
    const run = runWarden(["up", "--config", "test/fixtures/escaping/warden.config.ts"]);
    await run.waitForOutput(/crash: unhandled rejection #4/);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    const { stdout } = run.output();
    expect(stdout).toMatch(/thrower\s+RUNNING → RESTARTING\s+crash: timer exception #1/);
    expect(stdout).toMatch(/thrower\s+RUNNING → RESTARTING\s+crash: unhandled rejection #2/);
    // The neighbour never left RUNNING until the shutdown.
    const steadyLines = stdout.split("\n").filter((line) => /\bsteady\b/.test(line));
    expect(steadyLines.map((line) => line.replace(/^\S+\s+steady\s+/, ""))).toEqual([
      "PENDING → STARTING",
      "STARTING → RUNNING",
      "RUNNING → STOPPING",
      "STOPPING → STOPPED",
    ]);
  });
});
