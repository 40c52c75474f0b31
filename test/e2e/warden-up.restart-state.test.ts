/**
 * `warden up` remembers restarts across its own restarts (docs/restart-state.md): a process
 * daemon that crash-looped into FAILED is still FAILED — and not started again — after the
 * manager is stopped and started, until `warden start NAME` brings it back.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eventuallyAsync, workspacePerTest, type Workspace } from "../support/manager-run.ts";

const workspace = workspacePerTest();

/** Counts its starts in starts.log; exits 1 at once while a file named `crash` exists. */
const FLAKY = `
import { appendFileSync, existsSync } from "node:fs";
appendFileSync("starts.log", "start\\n");
if (existsSync("crash")) {
  console.error("crashing on purpose");
  process.exit(1);
}
console.log("ready");
setInterval(() => {}, 1000);
`;

const CONFIG = {
  server: { port: 0 },
  daemons: {
    flaky: {
      command: process.execPath,
      args: ["flaky.mjs"],
      ready: { stdout: "^ready$" },
      maxRestarts: 2,
      withinMs: 600_000,
      backoff: { initialMs: 10, maxMs: 20, factor: 2 },
    },
  },
};

interface Daemon {
  name: string;
  state: string;
  reason: string;
  lastError?: string;
  failedAt?: number;
}

/** flaky's status as `warden status --json` prints it, once `accept` says yes. */
function flakyWhen(space: Workspace, accept: (daemon: Daemon) => boolean): Promise<Daemon> {
  return eventuallyAsync(
    async () => {
      const { code, stdout } = await space.run(["status", "--json"]);
      if (code !== 0) return undefined;
      const daemons = (JSON.parse(stdout) as { daemons: Daemon[] }).daemons;
      const flaky = daemons.find((daemon) => daemon.name === "flaky");
      return flaky && accept(flaky) ? flaky : undefined;
    },
    20_000,
    "flaky's status",
  );
}

const starts = (space: Workspace) =>
  readFileSync(join(space.dir, "starts.log"), "utf8").split("\n").filter(Boolean).length;

describe("warden up: restart state across manager restarts", () => {
  it("keeps a crash-looped daemon FAILED after a manager restart; `warden start` recovers it", async () => {
    const space = workspace(CONFIG, { "flaky.mjs": FLAKY, crash: "" });
    const first = space.up();
    const failed = await flakyWhen(space, (daemon) => daemon.state === "FAILED");
    expect(failed).toMatchObject({ reason: "intensity" });
    // The first start and maxRestarts restarts.
    expect(starts(space)).toBe(3);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(existsSync(join(space.stateDir, "restart-state.json"))).toBe(true);

    const second = space.up();
    await second.waitForOutput(/daemon "flaky" is still FAILED from before the manager restarted/);
    const resumed = await flakyWhen(space, (daemon) => daemon.state === "FAILED");
    expect(resumed).toMatchObject({
      reason: "failed-before-restart",
      lastError: failed.lastError,
      failedAt: failed.failedAt,
    });
    expect(starts(space)).toBe(3);
    const table = await space.run(["status"]);
    expect(table.stdout).toContain(
      "FAILED before the manager restarted; `warden start flaky` retries",
    );

    rmSync(join(space.dir, "crash"));
    const start = await space.run(["start", "flaky"]);
    expect(start.code, start.stderr).toBe(0);
    await flakyWhen(space, (daemon) => daemon.state === "RUNNING");
    expect(starts(space)).toBe(4);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});
