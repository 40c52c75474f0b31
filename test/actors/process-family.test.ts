/**
 * A process group and the descendants that left it, stopped as one: SIGTERM and SIGCONT,
 * SIGKILL when told (the deadline is the caller's: the lifecycle chart's stop timeout, or
 * stopWithin's grace), new marked processes found once the group is empty, and a report naming
 * what could not be stopped. Real processes; Linux only (/proc).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { INSTANCE_ENV, newInstanceId } from "../../actors/process-descendants.ts";
import { systemClock } from "../../actors/clock.ts";
import { KILL_SETTLE_MS, ProcessFamily, stopWithin } from "../../actors/process-family.ts";
import { processStartTime } from "../../actors/process-groups.ts";
import { stillRunning } from "../support/orphans.ts";
import { eventually } from "../support/process-harness.ts";
import {
  escapingSleep,
  printedPids,
  StartedProcesses,
  stateOf,
} from "../support/started-processes.ts";

const started = new StartedProcesses();
afterEach(() => started.killAll());

/** `script` run by `sh -c`, leading a new group, marked with a new id; its `name:pid` lines. */
async function markedGroup(script: string) {
  const instanceId = newInstanceId();
  const child = spawn("sh", ["-c", script], {
    detached: true,
    stdio: ["ignore", "pipe", "ignore"],
    env: { ...process.env, [INSTANCE_ENV]: instanceId },
  });
  const pgid = started.addGroup(child.pid!);
  const pids = await printedPids(child);
  for (const pid of Object.values(pids)) started.addPid(pid);
  const problems: string[] = [];
  const family = new ProcessFamily({
    pgid,
    instanceId,
    startedSince: processStartTime(pgid),
    onProblem: (message) => problems.push(message),
  });
  return { pgid, pids, family, problems };
}

describe.skipIf(process.platform !== "linux")("ProcessFamily", () => {
  it("continues stopped processes, in the group and out of it, so that SIGTERM ends them", async () => {
    const { pgid, pids, family, problems } = await markedGroup(
      `${escapingSleep("escaped")}; echo ready; exec sleep 1000`,
    );
    const escaped = pids.escaped!;
    process.kill(-pgid, "SIGSTOP");
    process.kill(escaped, "SIGSTOP");
    await eventually(
      () => stateOf(pgid) === "T" && stateOf(escaped) === "T",
      5_000,
      "both to be stopped",
    );

    family.terminate();

    expect(await family.gone()).toBe(true);
    expect(family.killed).toBe(false);
    expect(family.escapedPids).toEqual([escaped]);
    expect(stillRunning([pgid, escaped])).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("kills an escaped process that ignores SIGTERM at the caller's deadline", async () => {
    const { pids, family, problems } = await markedGroup(
      `setsid sh -c 'trap "" TERM; echo stubborn:$$; echo ready; while :; do sleep 0.05; done' & wait`,
    );
    const stubborn = pids.stubborn!;

    expect(await stopWithin(family, 300, systemClock)).toBe(true);
    expect(family.killed).toBe(true);
    expect(stillRunning([stubborn])).toEqual([]);
    expect(problems).toEqual([]);
  });

  it("finds and stops what an escaped process starts while it stops", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "warden-family-"));
    const file = join(scratch, "parting.pid");
    try {
      // On SIGTERM the escapee starts a new marked (and escaped) sleep, then exits: only the
      // marker, looked for again once the group is empty, can find that one.
      const { pgid, pids, family } = await markedGroup(
        [
          `setsid sh -c 'trap "setsid sleep 1000 & echo \\$! > ${file}; exit 0" TERM; echo spawner:$$; echo ready; while :; do sleep 0.05; done' &`,
          "wait",
        ].join("\n"),
      );
      const spawner = pids.spawner!;

      family.terminate();
      const ended = await family.gone();

      const parting = started.addPid(Number(readFileSync(file, "utf8")));
      expect(ended).toBe(true);
      expect(family.escapedPids).toEqual(expect.arrayContaining([spawner, parting]));
      expect(stillRunning([pgid, spawner, parting])).toEqual([]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it("gives up on what still runs after SIGKILL, naming it, so that a stop always ends", async () => {
    const { pgid, pids } = await markedGroup(`${escapingSleep("escaped")}; echo ready; wait`);
    const problems: string[] = [];
    // A group that never empties, as one stuck in uninterruptible sleep would be (root can kill
    // anything else, so the probe stands in for it).
    const family = new ProcessFamily({
      pgid,
      instanceId: undefined,
      onProblem: (message) => problems.push(message),
      groupRunning: () => true,
    });
    family.kill();

    expect(await family.gone()).toBe(false);

    expect(stillRunning([pids.escaped!])).toEqual([]);
    expect(problems).toEqual([
      `process group ${pgid} still running ${KILL_SETTLE_MS} ms after SIGKILL; giving up`,
    ]);
  });
});
