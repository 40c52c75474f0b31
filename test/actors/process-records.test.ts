import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  groupAlive,
  groupRunning,
  processStartTime,
  signalGroup,
} from "../../actors/process-groups.ts";
import {
  forgetProcess,
  readRecords,
  recordProcess,
  type ProcessRecord,
} from "../../actors/process-records.ts";
import { reapOrphans, type ReapOutcome } from "../../actors/reap-orphans.ts";
import { processesInGroup } from "../support/orphans.ts";

const repoRoot = new URL("../..", import.meta.url).pathname;

let dir: string;
/** Process groups this file started; all are SIGKILLed after each test, whatever happened. */
let groups: number[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "warden-pids-"));
  groups = [];
});

afterEach(() => {
  for (const pgid of groups) {
    // Never 0 or 1: kill(-0) is this test's own group, kill(-1) every process there is.
    if (!Number.isInteger(pgid) || pgid <= 1) continue;
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      // Already gone: the test reaped it.
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `command` as the leader of a new process group (and session), as warden does. */
function spawnGroup(command: string, args: string[], stdio: "ignore" | "pipe" = "ignore") {
  const child = spawn(command, args, { detached: true, stdio });
  if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
  groups.push(child.pid);
  return { child, pid: child.pid };
}

async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function firstLine(child: ChildProcess): Promise<string> {
  let text = "";
  for await (const chunk of child.stdout!) {
    text += String(chunk);
    if (text.includes("\n")) return text.slice(0, text.indexOf("\n"));
  }
  throw new Error(`the process ended before writing a line: ${JSON.stringify(text)}`);
}

/** A pid printed by a child; never 0 or 1, which would make the cleanup signal far too much. */
async function printedPid(child: ChildProcess): Promise<number> {
  const line = await firstLine(child);
  const pid = Number(line);
  if (!Number.isInteger(pid) || pid <= 1)
    throw new Error(`expected a pid, got ${JSON.stringify(line)}`);
  return pid;
}

function recordOf(daemon: string, pid: number, startTime: string): ProcessRecord {
  return { daemon, pid, startTime, command: "sh", recordedAt: new Date().toISOString() };
}

function record(daemon: string, pid: number): ProcessRecord {
  const startTime = processStartTime(pid);
  if (startTime === undefined) throw new Error(`process ${pid} is not running`);
  const entry = recordOf(daemon, pid, startTime);
  recordProcess(dir, entry);
  return entry;
}

describe.skipIf(process.platform !== "linux")("reapOrphans", () => {
  it("stops a recorded group with SIGTERM: leader and grandchildren", async () => {
    const { pid } = spawnGroup("sh", ["-c", "sleep 1000 & sleep 1000 & wait"]);
    await eventually(() => processesInGroup(pid).length === 3, "sh and two sleeps");
    const members = processesInGroup(pid);
    record("web", pid);
    const seen: ReapOutcome[] = [];

    const outcomes = await reapOrphans(dir, { onOutcome: (outcome) => seen.push(outcome) });

    expect(outcomes).toEqual([{ daemon: "web", pid, action: "stopped" }]);
    expect(seen).toEqual(outcomes);
    expect(processesInGroup(pid)).toEqual([]);
    expect(readRecords(dir)).toEqual({ records: [], problems: [] });
    // Zombies of the grandchildren linger until init reaps them; then the group is empty.
    await eventually(() => !groupAlive(pid), "the group to be empty", 10_000);
    for (const member of members) expect(processStartTime(member)).toBeUndefined();
  });

  it("kills groups that ignore SIGTERM after graceMs, all records in parallel", async () => {
    const script = "trap '' TERM; sleep 1000 & wait";
    const first = spawnGroup("sh", ["-c", script]);
    const second = spawnGroup("sh", ["-c", script]);
    await eventually(
      () => processesInGroup(first.pid).length === 2 && processesInGroup(second.pid).length === 2,
      "both groups to start",
    );
    record("stubborn-1", first.pid);
    record("stubborn-2", second.pid);

    const started = Date.now();
    const outcomes = await reapOrphans(dir, { graceMs: 1500 });
    const elapsed = Date.now() - started;

    expect(outcomes).toEqual([
      { daemon: "stubborn-1", pid: first.pid, action: "killed" },
      { daemon: "stubborn-2", pid: second.pid, action: "killed" },
    ]);
    expect(processesInGroup(first.pid)).toEqual([]);
    expect(processesInGroup(second.pid)).toEqual([]);
    // Each group gets its full grace period; one after the other would take 3,000 ms or more.
    // The margin is wide on purpose: this tells parallel from serial, it does not time anything.
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    expect(elapsed).toBeLessThan(3000);
  });

  it("kills what is left in the group when the leader has exited", async () => {
    const { child, pid } = spawnGroup("sh", ["-c", "sleep 1000 & read line"], "pipe");
    await eventually(() => processesInGroup(pid).length === 2, "sh and sleep");
    record("leaderless", pid);
    child.stdin!.end("\n");
    await once(child, "exit");
    expect(processStartTime(pid)).toBeUndefined();
    expect(processesInGroup(pid)).toHaveLength(1);

    const outcomes = await reapOrphans(dir);

    expect(outcomes).toEqual([{ daemon: "leaderless", pid, action: "stopped" }]);
    expect(processesInGroup(pid)).toEqual([]);
  });

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
    groups.push(pgid);
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
    groups.push(zombie);
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

  it("reports corrupt and foreign files, leaves them in place, and reaps the rest", async () => {
    writeFileSync(join(dir, "broken.json"), "{not json");
    writeFileSync(
      join(dir, "negative.json"),
      JSON.stringify({ ...recordOf("x", 2, "1"), pid: -5 }),
    );
    writeFileSync(join(dir, "notes.txt"), "hello");
    writeFileSync(join(dir, ".half.json.999.tmp"), '{"daemon":');
    recordProcess(dir, recordOf("ended", 999_999_999, "1"));
    const problems: string[] = [];

    const outcomes = await reapOrphans(dir, { onProblem: (message) => problems.push(message) });

    expect(outcomes).toEqual([{ daemon: "ended", pid: 999_999_999, action: "gone" }]);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/broken\.json: not a readable JSON process record/);
    expect(problems[1]).toMatch(/negative\.json: "pid" must be an integer greater than 1, got -5/);
    expect(problems[2]).toMatch(/notes\.txt: not a process record/);
    expect(readdirSync(dir).sort()).toEqual(["broken.json", "negative.json", "notes.txt"]);
  });

  it("never throws for a records folder that is missing or not a folder", async () => {
    expect(await reapOrphans(join(dir, "missing"))).toEqual([]);
    writeFileSync(join(dir, "file"), "");
    const problems: string[] = [];
    expect(await reapOrphans(join(dir, "file"), { onProblem: (m) => problems.push(m) })).toEqual(
      [],
    );
    expect(problems).toEqual([expect.stringMatching(/cannot read the process records in .*file/)]);
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

describe.skipIf(process.platform !== "linux")("process records", () => {
  it("writes each record atomically, in a private folder, under a safe name", () => {
    const pids = join(dir, "state", "pids");
    recordProcess(pids, recordOf("gpu/trainer 1", 4242, "100"));
    const file = join(pids, "gpu_trainer_1.json");
    const first = statSync(file);
    recordProcess(pids, recordOf("gpu/trainer 1", 4343, "200"));

    expect(statSync(pids).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Replaced by a rename, not rewritten in place: a reader never sees half a record.
    expect(statSync(file).ino).not.toBe(first.ino);
    expect(readdirSync(pids)).toEqual(["gpu_trainer_1.json"]);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ pid: 4343, startTime: "200" });
    const { records, problems } = readRecords(pids);
    expect(problems).toEqual([]);
    expect(records).toEqual([
      {
        ...recordOf("gpu/trainer 1", 4343, "200"),
        recordedAt: records[0]?.recordedAt,
        bootId: expect.any(String),
      },
    ]);
  });

  it("keeps the instance marker of a record, and reads records written without one", () => {
    const instanceId = "0123456789abcdef0123456789abcdef";
    recordProcess(dir, { ...recordOf("marked", 4242, "100"), instanceId });
    writeFileSync(join(dir, "old.json"), JSON.stringify(recordOf("old", 4343, "200")));
    writeFileSync(
      join(dir, "bad.json"),
      JSON.stringify({ ...recordOf("bad", 4444, "300"), instanceId: "../../etc" }),
    );

    const { records, problems } = readRecords(dir);

    expect(records.map((entry) => [entry.daemon, entry.instanceId])).toEqual([
      ["marked", instanceId],
      ["old", undefined],
    ]);
    expect(problems).toEqual([expect.stringMatching(/bad\.json: "instanceId" must be/)]);
    expect(() =>
      recordProcess(dir, { ...recordOf("short", 4545, "1"), instanceId: "abc" }),
    ).toThrow(/"instanceId"/);
  });

  it("keeps a daemon named like a path inside the records folder", () => {
    recordProcess(dir, recordOf("../escape", 4242, "100"));
    expect(readdirSync(dir)).toEqual([".._escape.json"]);
  });

  it("forgets a record only when it still names the pid", () => {
    recordProcess(dir, recordOf("api", 4242, "100"));
    forgetProcess(dir, "api", 4343);
    expect(readRecords(dir).records.map((entry) => entry.pid)).toEqual([4242]);
    forgetProcess(dir, "api", 4242);
    expect(readdirSync(dir)).toEqual([]);
    expect(() => forgetProcess(dir, "api", 4242)).not.toThrow();
    writeFileSync(join(dir, "api.json"), "{corrupt");
    expect(() => forgetProcess(dir, "api", 4242)).not.toThrow();
  });

  it("refuses to record what it could not reap safely", () => {
    expect(() => recordProcess(dir, recordOf("init", 1, "1"))).toThrow(
      /"pid" must be an integer greater than 1/,
    );
    expect(() => recordProcess(dir, recordOf("", 4242, "1"))).toThrow(
      /"daemon" must be a non-empty string/,
    );
    expect(() => recordProcess(dir, recordOf("x", 4242, ""))).toThrow(/"startTime"/);
    expect(existsSync(join(dir, "init.json"))).toBe(false);
  });
});

describe.skipIf(process.platform !== "linux")("processStartTime and groups", () => {
  it("reads the start time of a process whose name holds spaces and ')'", async () => {
    const program = join(dir, "a) b) c");
    copyFileSync("/bin/sleep", program);
    chmodSync(program, 0o755);
    const { pid } = spawnGroup(program, ["1000"]);
    await eventually(() => readFileSync(`/proc/${pid}/stat`, "utf8").includes("(a) b) c)"), "exec");

    const startTime = processStartTime(pid);

    // Field 22 lies between this test process's start and now, in clock ticks since boot.
    const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));
    const uptimeTicks = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]) * ticksPerSecond;
    expect(startTime).toMatch(/^\d+$/);
    expect(Number(startTime)).toBeGreaterThanOrEqual(Number(processStartTime(process.pid)));
    expect(Number(startTime)).toBeLessThanOrEqual(uptimeTicks + 1);
  });

  it("says undefined for processes that do not exist and for ids that are not pids", async () => {
    const { child, pid } = spawnGroup("true", []);
    await once(child, "exit");
    expect(processStartTime(pid)).toBeUndefined();
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(processStartTime(bad)).toBeUndefined();
  });

  it("signals and probes groups without throwing for gone ones", async () => {
    const { child, pid } = spawnGroup("sleep", ["1000"]);
    expect(groupAlive(pid)).toBe(true);
    expect(signalGroup(pid, "SIGTERM")).toBe(true);
    await once(child, "exit");
    expect(groupAlive(pid)).toBe(false);
    expect(signalGroup(pid, "SIGTERM")).toBe(false);
    // 1 and 0 would reach every process or this test's own group.
    expect(() => groupAlive(1)).toThrow(RangeError);
    expect(() => signalGroup(0, "SIGCONT")).toThrow(RangeError);
  });
});
