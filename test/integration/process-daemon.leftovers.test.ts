/**
 * What a process daemon's leader leaves in its group when it ends on its own gets SIGTERM at
 * once and, if it ignores that, SIGKILL at `stopTimeoutMs` — a deadline the lifecycle chart
 * keeps (RESTARTING after a crash, STOPPED after a clean exit), not the driver. Real processes;
 * Linux only (/proc).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stillRunning } from "../support/orphans.ts";
import { eventually, nextEvent, processManagerPerTest } from "../support/process-harness.ts";
import { StartedProcesses } from "../support/started-processes.ts";

const setup = processManagerPerTest();
const started = new StartedProcesses();
let scratch: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), "warden-leftovers-"));
});

afterEach(() => {
  started.killAll();
  rmSync(scratch, { recursive: true, force: true });
});

/** A leader that leaves a child ignoring SIGTERM in its group, then exits with `code`. */
function leaderExiting(code: number): string[] {
  const file = join(scratch, "stubborn.pid");
  return [
    "-c",
    [
      `sh -c 'trap "" TERM; while :; do sleep 0.05; done' & echo $! > ${file}`,
      "echo ready",
      "sleep 0.3",
      `exit ${code}`,
    ].join("\n"),
  ];
}

function stubborn(): number {
  return started.addPid(Number(readFileSync(join(scratch, "stubborn.pid"), "utf8")));
}

const POLICY = { startTimeoutMs: 5_000, stopTimeoutMs: 600 } as const;

describe.skipIf(process.platform !== "linux")("what a leader leaves behind", () => {
  it("after a crash: killed at the stop timeout of RESTARTING, before the next start", async () => {
    const { manager } = setup();
    manager.register(
      "crasher",
      { command: "sh", args: leaderExiting(3), ready: { stdout: "^ready$" } },
      { ...POLICY, restart: "on-failure", backoff: { initialMs: 10, maxMs: 10, factor: 1 } },
    );
    const restarting = nextEvent(manager, (e) => e.type === "DAEMON_RESTARTING");
    await manager.start("crasher");
    const child = stubborn();
    await restarting;
    const began = Date.now();
    expect(stillRunning([child])).toEqual([child]);

    await nextEvent(manager, (e) => e.type === "DAEMON_STARTING");

    expect(Date.now() - began).toBeGreaterThanOrEqual(500);
    await eventually(() => stillRunning([child]).length === 0, 5_000, "the leftover to die");
  });

  it("after a clean exit: killed at the stop timeout while STOPPED", async () => {
    const { manager } = setup();
    manager.register(
      "oneshot",
      { command: "sh", args: leaderExiting(0), ready: { stdout: "^ready$" } },
      { ...POLICY, restart: "on-failure" },
    );
    const stopped = nextEvent(manager, (e) => e.type === "DAEMON_STOPPED");
    await manager.start("oneshot");
    const child = stubborn();
    expect((await stopped).data).toMatchObject({ reason: "exit", exitCode: 0 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stillRunning([child])).toEqual([child]);

    await eventually(() => stillRunning([child]).length === 0, 5_000, "the leftover to die");
    expect(manager.statusOf("oneshot").state).toBe("STOPPED");
  });
});
