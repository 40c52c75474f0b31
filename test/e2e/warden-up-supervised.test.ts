/**
 * `warden up --supervised` (SPEC §8, docs/decisions/0009-supervised-manager.md) with real
 * processes: a manager killed with SIGKILL is restarted, its process daemons stopped or reaped
 * and running again once each; SIGTERM to the supervisor stops everything in order (exit 0);
 * a manager that keeps dying is given up on (exit 1, saying so); a bad configuration (exit 2)
 * is not retried; a supervisor killed with SIGKILL takes its manager down in order. And
 * `warden systemd-unit` prints a unit that `systemd-analyze verify` accepts.
 */
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { managerArgs, limitsFromEnv } from "../../cli/commands/supervised.ts";
import { isWardenError } from "../../machines/errors.ts";
import { stillRunning } from "../support/orphans.ts";
import { eventually } from "../support/process-harness.ts";
import {
  eventuallyAsync,
  groupGone,
  runningGroup,
  workspacePerTest,
  type Run,
  type Workspace,
} from "../support/manager-run.ts";
import { repoRoot } from "../support/run-warden.ts";
import { startedProcessesPerTest } from "../support/started-processes.ts";

const workspace = workspacePerTest();
const started = startedProcessesPerTest();

/** Seconds for `sleep` that no other process on the machine uses: tells this test's daemons apart. */
function uniqueSleep(): string {
  return `9${process.pid}.${Math.floor(Math.random() * 1e6)}`;
}

/** Every running process whose command line is exactly `sleep <seconds>`. */
function sleepers(seconds: string): number[] {
  const wanted = `sleep\0${seconds}\0`;
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, "utf8") !== wanted) continue;
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      found.push(Number(name));
    } catch {
      // Ended meanwhile.
    }
  }
  return found;
}

/** The pid `<stateDir>/manager.json` names, when it is there. */
function managerPid(space: Workspace): number | undefined {
  try {
    const pid = JSON.parse(readFileSync(join(space.stateDir, "manager.json"), "utf8")).pid;
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  return stillRunning([pid]).length === 1;
}

/** Waits for a live manager other than `not` to answer `status --json` with every daemon RUNNING. */
async function runningManager(space: Workspace, not?: number): Promise<number> {
  const pid = await eventually(
    () => {
      const pid = managerPid(space);
      return pid !== undefined && pid !== not && alive(pid) ? pid : undefined;
    },
    20_000,
    "a new manager in manager.json",
  );
  // The manager runs in a process group of its own (detached): cleaned up with it after the test.
  started.addGroup(pid);
  await eventuallyAsync(
    async () => {
      const status = await space.run(["status", "--json"]);
      if (status.code !== 0) return undefined;
      const { daemons } = JSON.parse(status.stdout) as { daemons: { state: string }[] };
      return daemons.length > 0 && daemons.every((d) => d.state === "RUNNING") ? true : undefined;
    },
    20_000,
    "every daemon RUNNING",
  );
  return pid;
}

/** A configuration whose two process daemons are each one `sleep` (one of them in a shell). */
function twoDaemons(): { space: Workspace; db: string; api: string } {
  const db = uniqueSleep();
  const api = uniqueSleep();
  const space = workspace({
    server: { port: 0 },
    daemons: {
      db: { command: "sleep", args: [db], stopTimeoutMs: 3000 },
      api: {
        command: "sh",
        args: ["-c", `sleep ${api} & echo ready; wait`],
        ready: { stdout: "^ready$" },
        dependsOn: ["db"],
        stopTimeoutMs: 3000,
      },
    },
  });
  return { space, db, api };
}

/** Runs `warden up --supervised` with `WARDEN_SUPERVISED_LIMITS` set to `limits`, if given. */
function supervise(space: Workspace, limits?: string, config?: string): Run {
  const saved = process.env.WARDEN_SUPERVISED_LIMITS;
  if (limits !== undefined) process.env.WARDEN_SUPERVISED_LIMITS = limits;
  try {
    return space.up(["--supervised", "--no-output"], config);
  } finally {
    if (saved === undefined) delete process.env.WARDEN_SUPERVISED_LIMITS;
    else process.env.WARDEN_SUPERVISED_LIMITS = saved;
  }
}

describe.runIf(process.platform === "linux")("warden up --supervised", () => {
  it("restarts a manager killed with SIGKILL, with its daemons once each, and stops in order on SIGTERM", async () => {
    const { space, db, api } = twoDaemons();
    const run = supervise(space);
    started.addPid(run.child.pid!);
    const first = await runningManager(space);
    const oldGroups = [await runningGroup(space, "db"), await runningGroup(space, "api")];
    const oldDaemons = [...sleepers(db), ...sleepers(api)];
    expect(oldDaemons).toHaveLength(2);

    process.kill(first, "SIGKILL");
    const second = await runningManager(space, first);
    expect(run.output().stderr).toMatch(
      new RegExp(
        `^warden: the manager \\(pid ${first}\\) died \\(signal SIGKILL\\); ` +
          "restarting it in \\d+ ms \\(restart 1 within 60 s\\)$",
        "m",
      ),
    );
    // The old daemons were stopped (sentinel) or reaped (next manager); one of each runs now.
    expect(stillRunning(oldDaemons)).toEqual([]);
    const newGroups = [await runningGroup(space, "db"), await runningGroup(space, "api")];
    expect(newGroups.filter((group) => oldGroups.includes(group))).toEqual([]);
    expect(sleepers(db)).toHaveLength(1);
    expect(sleepers(api)).toHaveLength(1);
    expect(stillRunning(newGroups)).toEqual(newGroups);

    // SIGHUP is passed on, and ignored by both.
    run.child.kill("SIGHUP");
    await run.waitForOutput(/SIGHUP: ignored/);
    expect(run.child.exitCode).toBeNull();
    expect(alive(second)).toBe(true);

    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    const { stderr } = run.output();
    expect(stderr).toContain(`SIGTERM: passed on to the manager (pid ${second})`);
    expect(stderr).toMatch(/all daemons stopped/);
    expect(stderr.match(/restarting it in/g)).toHaveLength(1);
    expect(alive(second)).toBe(false);
    for (const group of newGroups) await groupGone(group, "the daemons to stop");
    expect([...sleepers(db), ...sleepers(api)]).toEqual([]);
  });

  it("gives up on a manager that keeps dying: more than maxRestarts restarts, exit 1", async () => {
    // A critical daemon that always fails: each manager shuts down and exits 1.
    const space = workspace({
      server: { port: 0 },
      daemons: {
        broken: { command: "sh", args: ["-c", "exit 3"], critical: true, restart: "never" },
      },
    });
    const run = supervise(space, "maxRestarts=2,initialMs=50,maxMs=100");
    started.addPid(run.child.pid!);
    expect(await run.exited).toBe(1);
    const { stderr } = run.output();
    const restarts = [...stderr.matchAll(/^warden: the manager \(pid (\d+)\) died .*$/gm)];
    expect(restarts.map((match) => match[0].replace(/\d+/g, "N"))).toEqual([
      "warden: the manager (pid N) died (exit code N); restarting it in N ms (restart N within N s)",
      "warden: the manager (pid N) died (exit code N); restarting it in N ms (restart N within N s)",
      "warden: the manager (pid N) died (exit code N): more than N restarts within N s; giving up (exit N)",
    ]);
    expect(stderr).toMatch(
      /died \(exit code 1\); restarting it in \d+ ms \(restart 1 within 60 s\)/,
    );
    expect(stderr).toMatch(/\(restart 2 within 60 s\)/);
    expect(stderr).toMatch(
      /died \(exit code 1\): more than 2 restarts within 60 s; giving up \(exit 1\)$/m,
    );
    // Three managers, each gone.
    const pids = restarts.map((match) => Number(match[1]));
    expect(new Set(pids).size).toBe(3);
    expect(stillRunning(pids)).toEqual([]);
  });

  it("does not retry a bad configuration: exit 2 at once", async () => {
    const space = workspace({ daemons: { a: { command: "sleep", dependsOn: ["nope"] } } });
    const run = supervise(space, "initialMs=0");
    started.addPid(run.child.pid!);
    expect(await run.exited).toBe(2);
    const { stderr } = run.output();
    expect(stderr).toContain('unknown daemon "nope"');
    expect(stderr).toMatch(/exited 2 \(bad usage or configuration\): not restarting it/);
    expect(stderr).not.toContain("restarting it in");
  });

  it("stops the manager in order when the supervisor itself is killed with SIGKILL", async () => {
    const { space, db, api } = twoDaemons();
    const run = supervise(space);
    started.addPid(run.child.pid!);
    const manager = await runningManager(space);
    const groups = [await runningGroup(space, "db"), await runningGroup(space, "api")];
    run.child.kill("SIGKILL");
    await run.exited;
    // The tether passes SIGTERM on: an ordered stop, which removes manager.json.
    await eventually(() => !alive(manager), 15_000, "the manager to stop");
    expect(managerPid(space)).toBeUndefined();
    for (const group of groups) await groupGone(group, "the daemons to stop");
    expect([...sleepers(db), ...sleepers(api)]).toEqual([]);
  });

  it("loads none of the manager's runtime: no package at all", async () => {
    const module = join(repoRoot, "dist/cli/commands/supervised.js");
    const recorder = join(repoRoot, "test/support/import-recorder.mjs");
    const loaded = spawnSync(
      process.execPath,
      [
        "--import",
        recorder,
        "--input-type=module",
        "-e",
        `await import(${JSON.stringify(module)});`,
      ],
      { encoding: "utf8" },
    );
    expect(loaded.status).toBe(0);
    expect([...loaded.stderr.matchAll(/^imported-package (\S+)$/gm)].map((m) => m[1])).toEqual([]);
  });
});

describe("the supervisor's pieces", () => {
  it("runs the manager with the same options, without --supervised", () => {
    expect(managerArgs({ supervised: true, logLevel: "info", output: true })).toEqual([
      "up",
      "--log-level=info",
    ]);
    expect(
      managerArgs({
        config: "-odd.json",
        daemons: "a,b",
        profile: "gpu",
        all: true,
        output: false,
      }),
    ).toEqual([
      "up",
      "--config=-odd.json",
      "--all",
      "--daemons=a,b",
      "--profile=gpu",
      "--no-output",
    ]);
  });

  it("takes the restart limits from WARDEN_SUPERVISED_LIMITS, refusing what is not a number", () => {
    expect(limitsFromEnv({})).toMatchObject({ maxRestarts: 5, withinMs: 60_000 });
    expect(limitsFromEnv({ WARDEN_SUPERVISED_LIMITS: "maxRestarts=1, initialMs=10" })).toEqual({
      backoff: { initialMs: 10, maxMs: 30_000, factor: 2 },
      resetAfterMs: 60_000,
      maxRestarts: 1,
      withinMs: 60_000,
    });
    for (const bad of ["maxRestarts", "maxRestarts=-1", "speed=3", "withinMs=abc"]) {
      let error: unknown;
      try {
        limitsFromEnv({ WARDEN_SUPERVISED_LIMITS: bad });
      } catch (caught) {
        error = caught;
      }
      expect(isWardenError(error, "WARDEN_ERR_USAGE")).toBe(true);
    }
  });
});

describe("warden systemd-unit", () => {
  it("prints a unit for the configuration, with absolute paths; a bad configuration exits 2", async () => {
    const space = workspace({ daemons: { db: { command: "sleep", args: ["1"] } } });
    const printed = await space.run(["systemd-unit"]);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(
      `ExecStart=${process.execPath} ${join(repoRoot, "bin/warden.js")} up --supervised --config ${space.config}\n`,
    );
    expect(printed.stdout).toContain(`WorkingDirectory=${space.dir}\n`);
    expect(printed.stdout).toContain("KillMode=mixed\n");
    // (1 daemon on the longest chain + 1) × 10 s + 5 s, plus 10 s.
    expect(printed.stdout).toContain("TimeoutStopSec=35\n");

    writeFileSync(space.config, JSON.stringify({ daemons: { a: { command: 3 } } }));
    const bad = await space.run(["systemd-unit"]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
  });

  const analyze = spawnSync("sh", ["-c", "command -v systemd-analyze"], { encoding: "utf8" });
  it.skipIf(analyze.status !== 0)(
    "prints a unit that `systemd-analyze verify` accepts (skipped without systemd-analyze)",
    async () => {
      const space = workspace({ daemons: { db: { command: "sleep", args: ["1"] } } });
      const printed = await space.run(["systemd-unit"]);
      expect(printed.code).toBe(0);
      const unit = join(space.dir, "warden-e2e-test.service");
      writeFileSync(unit, printed.stdout);
      const verify = spawn("systemd-analyze", ["verify", unit], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      verify.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      verify.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => verify.on("exit", resolve));
      // It exits 0 even when it ignores a bad setting, so what it says of the unit counts too.
      expect(output.split("\n").filter((line) => line.includes("warden-e2e-test"))).toEqual([]);
      expect(code).toBe(0);
    },
  );
});
