/**
 * A stop and a dispose of a process driver always end: a stopped (SIGSTOP) process is continued
 * so that it acts on SIGTERM, and I/O errors of the state directory during a stop (the pid
 * record, the notify socket) are logged, never thrown at the caller nor waited on for ever.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { logFileOf } from "../../actors/log-files.ts";
import { notifySocketPath } from "../../actors/notify-socket-path.ts";
import { stillRunning } from "../support/orphans.ts";
import { driverPerTest, never } from "../support/driver-harness.ts";
import { eventually } from "../support/process-harness.ts";
import { StartedProcesses, stateOf } from "../support/started-processes.ts";

const setup = driverPerTest();
/** Whatever a failed dispose left: only the groups these tests started. */
const started = new StartedProcesses();
afterEach(() => started.killAll());

/** Puts a non-empty folder where `file` is: removing it fails with EISDIR, even for root. */
function blockRemoval(file: string): void {
  rmSync(file, { force: true });
  mkdirSync(file);
  writeFileSync(join(file, "keep"), "");
}

describe.skipIf(process.platform !== "linux")("stopping a process driver", () => {
  it("continues a stopped (SIGSTOP) process so that SIGTERM ends it, without SIGKILL", async () => {
    const { driver, stateDir } = setup();
    const sleeper = driver("frozen", { command: "sleep", args: ["1000"] });
    await sleeper.start(never());
    const pid = started.addGroup(sleeper.details().pid!);
    process.kill(-pid, "SIGSTOP");
    await eventually(() => stateOf(pid) === "T", 5_000, "the process to be stopped");

    // A safety net for the test only: without SIGCONT the stop would wait for ever (the driver
    // has no deadline; the lifecycle chart's stop timeout is what kills).
    await sleeper.stop(AbortSignal.timeout(15_000));

    const log = readFileSync(logFileOf(stateDir, "frozen"), "utf8");
    expect(log).toMatch(/killed by SIGTERM/);
    expect(log).not.toMatch(/SIGKILL/);
    expect(stillRunning([pid])).toEqual([]);
  });

  it("ends a stop and a dispose when the pid record cannot be removed, and says so", async () => {
    const { driver, stateDir, logged } = setup();
    const sleeper = driver("stuck-record", { command: "sleep", args: ["1000"] });
    await sleeper.start(never());
    const pid = started.addGroup(sleeper.details().pid!);
    const record = join(stateDir, "pids", "stuck-record.json");
    expect(JSON.parse(readFileSync(record, "utf8"))).toMatchObject({ pid });
    blockRemoval(record);

    await expect(sleeper.stop(never())).resolves.toBeUndefined();
    await expect(sleeper.dispose()).resolves.toBeUndefined();

    expect(stillRunning([pid])).toEqual([]);
    const errors = logged.filter((line) => line.level === "error");
    expect(errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/pid record/) }),
    ]);
    expect(JSON.stringify(errors[0])).toMatch(/EISDIR/);
  });

  it("ends a dispose when the notify socket cannot be removed, and says so", async () => {
    const { driver, stateDir, logged } = setup();
    const sleeper = driver("stuck-socket", { command: "sleep", args: ["1000"] });
    await sleeper.start(never());
    const pid = started.addGroup(sleeper.details().pid!);
    blockRemoval(notifySocketPath(stateDir, "stuck-socket"));

    await expect(sleeper.dispose()).resolves.toBeUndefined();

    expect(stillRunning([pid])).toEqual([]);
    const errors = logged.filter((line) => line.level === "error");
    expect(errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/notify socket/) }),
    ]);
  });
});
