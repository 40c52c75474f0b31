/**
 * What reapOrphans leaves alone: groups and pids that are no longer the recorded ones (another
 * session, another start time, another boot), ones already gone, and the manager's own group.
 * Real processes; Linux only (/proc).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import {
  groupAlive,
  groupRunning,
  processStartTime,
  signalGroup,
} from "../../actors/process-groups.ts";
import { readRecords, recordProcess } from "../../actors/process-records.ts";
import { reapOrphans } from "../../actors/reap-orphans.ts";
import { processesInGroup } from "../support/orphans.ts";
import {
  eventually,
  firstLine,
  printedPid,
  processRecordsPerTest,
  recordOf,
} from "../support/process-records-setup.ts";

const repoRoot = new URL("../..", import.meta.url).pathname;

let dir: string;
const { started: processes, spawnGroup } = processRecordsPerTest((folder) => (dir = folder));

describe.skipIf(process.platform !== "linux")("reapOrphans", () => {
  it("leaves a leaderless group alone when it lies in another session (a newcomer's)", async () => {
    // perl joins a group of its own inside this test's session, forks a sleep and exits: the
    // group bears a pid that is gone, like a shell job whose pid reused a recorded one.
    const perl = spawn(
      "perl",
      [
        "-e",
        'setpgrp(0, 0); my $c = fork(); if ($c == 0) { open STDOUT, ">/dev/null"; exec "sleep", "1000"; } print "$$\\n";',
      ],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    const pgid = await printedPid(perl);
    processes.addGroup(pgid);
    await once(perl, "exit");
    await eventually(() => processesInGroup(pgid).length === 1, "the sleep in perl's group");
    recordProcess(dir, recordOf("foreign", pgid, "0"));

    const outcomes = await reapOrphans(dir, { graceMs: 200 });

    expect(outcomes).toEqual([{ daemon: "foreign", pid: pgid, action: "pid-reused" }]);
    expect(processesInGroup(pgid)).toHaveLength(1);
    expect(readRecords(dir).records).toEqual([]);
  });

  it("leaves a process that reused the pid alone (different start time)", async () => {
    const { pid } = spawnGroup("sleep", ["1000"]);
    const startTime = processStartTime(pid);
    recordProcess(dir, recordOf("reused", pid, "1"));

    const outcomes = await reapOrphans(dir, { graceMs: 200 });

    expect(outcomes).toEqual([{ daemon: "reused", pid, action: "pid-reused" }]);
    expect(processStartTime(pid)).toBe(startTime);
    expect(groupRunning(pid)).toBe(true);
    expect(readRecords(dir).records).toEqual([]);
    expect(signalGroup(pid, "SIGKILL")).toBe(true);
    await eventually(() => !groupRunning(pid), "the sleep to end");
  });

  it("treats a record of an earlier boot as gone without signalling anything", async () => {
    const { pid } = spawnGroup("sleep", ["1000"]);
    recordProcess(dir, { ...recordOf("rebooted", pid, processStartTime(pid)!), bootId: "earlier" });

    const outcomes = await reapOrphans(dir, { graceMs: 200 });

    expect(outcomes).toEqual([{ daemon: "rebooted", pid, action: "gone" }]);
    expect(groupRunning(pid)).toBe(true);
  });

  it("reports gone for a pid that no longer exists, and for a group of zombies only", async () => {
    const exited = spawnGroup("true", []);
    await once(exited.child, "exit");
    // perl leads its own group and never reaps its child: the child stays a zombie.
    const { child: perl, pid: perlPid } = spawnGroup(
      "perl",
      [
        "-e",
        '$| = 1; my $c = fork(); if ($c == 0) { setpgrp(0, 0); exit 0; } print "$c\\n"; sleep 1000;',
      ],
      "pipe",
    );
    const zombie = await printedPid(perl);
    processes.addGroup(zombie);
    // Its own group exists once it called setpgrp; it has no running member once it exited.
    await eventually(
      () => groupAlive(zombie) && processesInGroup(zombie).length === 0,
      "the child to lead its group and exit",
    );
    expect(groupRunning(zombie)).toBe(false);
    recordProcess(dir, recordOf("exited", exited.pid, "12345"));
    recordProcess(dir, recordOf("zombie", zombie, processStartTime(zombie)!));

    const started = Date.now();
    const outcomes = await reapOrphans(dir, { graceMs: 20_000 });

    expect(outcomes).toEqual([
      { daemon: "exited", pid: exited.pid, action: "gone" },
      { daemon: "zombie", pid: zombie, action: "gone" },
    ]);
    // Nothing was signalled and waited for: far less than the grace period went by.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(processesInGroup(perlPid)).toEqual([perlPid]);
  });

  it("refuses to stop the manager's own process group", async () => {
    const script = `
      const { recordProcess } = await import(${JSON.stringify(`${repoRoot}actors/process-records.ts`)});
      const { processStartTime } = await import(${JSON.stringify(`${repoRoot}actors/process-groups.ts`)});
      const { reapOrphans } = await import(${JSON.stringify(`${repoRoot}actors/reap-orphans.ts`)});
      const dir = ${JSON.stringify(dir)};
      recordProcess(dir, { daemon: "self", pid: process.pid, startTime: processStartTime(process.pid), command: "node", recordedAt: "" });
      const problems = [];
      const outcomes = await reapOrphans(dir, { graceMs: 200, onProblem: (m) => problems.push(m) });
      console.log(JSON.stringify({ outcomes, problems }));`;
    const { child } = spawnGroup(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      "pipe",
    );
    const output = firstLine(child);
    output.catch(() => {}); // awaited below, after the exit status is checked
    const [code, signal] = (await once(child, "exit")) as [number | null, string | null];

    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const { outcomes, problems } = JSON.parse(await output);
    expect(outcomes).toEqual([{ daemon: "self", pid: child.pid, action: "pid-reused" }]);
    expect(problems).toEqual([expect.stringMatching(/own process group/)]);
  });
});
