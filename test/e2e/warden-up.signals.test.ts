/**
 * Every way out of `warden up` stops its process daemons (SPEC §4, §13): SIGHUP (a closed
 * terminal) does not end it at all; SIGQUIT and SIGABRT stop everything in order; an error that
 * belongs to no daemon stops everything and exits 1; a SIGKILL of the manager, which runs none of
 * its code, is answered by the sentinel within a couple of seconds.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { descendantsOf, processesInGroup } from "../support/orphans.ts";
import { groupGone, runningGroup, workspacePerTest } from "../support/manager-run.ts";

const workspace = workspacePerTest();

/** A process daemon with a grandchild in its group. */
const FAMILY = {
  command: "sh",
  args: ["-c", "sleep 1000 & echo ready; wait"],
  ready: { stdout: "^ready$" },
};

describe("warden up: signals and fatal errors", () => {
  it("keeps running on SIGHUP, then stops in order on SIGTERM", async () => {
    const space = workspace({ server: { port: 0 }, daemons: { family: FAMILY } });
    const run = space.up();
    await run.waitForOutput(/4 daemons running/);
    const pgid = await runningGroup(space, "family");
    run.child.kill("SIGHUP");
    await run.waitForOutput(/SIGHUP: ignored/);
    run.child.kill("SIGHUP");
    const status = await space.run(["status", "--json"]);
    expect(status.code).toBe(0);
    expect(run.child.exitCode).toBeNull();
    expect(processesInGroup(pgid).length).toBeGreaterThan(0);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(processesInGroup(pgid)).toEqual([]);
  });

  it.each([
    ["SIGQUIT", 131],
    ["SIGABRT", 134],
  ] as const)("stops every daemon on %s and exits %i", async (signal, code) => {
    const space = workspace({ server: { port: 0 }, daemons: { family: FAMILY } });
    const run = space.up();
    await run.waitForOutput(/4 daemons running/);
    const pgid = await runningGroup(space, "family");
    run.child.kill(signal);
    expect(await run.exited).toBe(code);
    expect(processesInGroup(pgid)).toEqual([]);
    expect(existsSync(join(space.stateDir, "manager.json"))).toBe(false);
    expect(existsSync(join(space.stateDir, "pids", "family.json"))).toBe(false);
  });

  it("an error of the manager's own stops every daemon and exits 1", async () => {
    // A timer of the configuration module runs outside every daemon: its error is the manager's.
    const space = workspace(
      {},
      {
        "buggy.config.mjs": `setTimeout(() => { throw new Error("the manager's own bug"); }, 1500);
        export default ${JSON.stringify({ server: { port: 0 }, daemons: { family: FAMILY } })};\n`,
      },
    );
    const run = space.up([], join(space.dir, "buggy.config.mjs"));
    await run.waitForOutput(/4 daemons running/);
    const pgid = await runningGroup(space, "family");
    expect(await run.exited).toBe(1);
    expect(run.output().stderr).toMatch(/internal error: the manager's own bug/);
    expect(processesInGroup(pgid)).toEqual([]);
  });

  it.runIf(process.platform === "linux")(
    "a manager killed with SIGKILL leaves no daemon running: its sentinel stops them",
    async () => {
      const space = workspace({ server: { port: 0 }, daemons: { family: FAMILY } });
      const run = space.up();
      await run.waitForOutput(/4 daemons running/);
      const pgid = await runningGroup(space, "family");
      const sentinel = descendantsOf(run.child.pid!).find((pid) =>
        readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("warden-sentinel"),
      );
      expect(sentinel).toBeDefined();
      run.child.kill("SIGKILL");
      await run.exited;
      await groupGone(pgid, "the sentinel to stop the daemon's group");
    },
  );
});
