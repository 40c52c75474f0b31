/**
 * Finding what a process daemon left outside its process group: processes that carry its
 * WARDEN_INSTANCE marker (double fork + setsid, parent long gone) and, while their parent still
 * lives, children that scrubbed their environment. Real processes; Linux only (/proc).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import {
  findEscaped,
  INSTANCE_ENV,
  instanceIdOf,
  instanceMarkerIn,
  isInstanceId,
  newInstanceId,
  runningOf,
} from "../../actors/process-descendants.ts";
import { processesInGroup, stillRunning } from "../support/orphans.ts";
import { eventually } from "../support/process-harness.ts";
import { printedPids, StartedProcesses, startTimeOf } from "../support/started-processes.ts";
import { escapingSleep } from "../support/started-processes.ts";

const started = new StartedProcesses();
afterEach(() => started.killAll());

/**
 * Runs `script` with `sh -c` as the leader of a new group, marked with `id` (if any), until it
 * printed `readyLines` lines "ready"; its `name:pid` lines are in `pids`.
 */
async function shellGroup(script: string, id?: string, readyLines = 1) {
  const child = spawnGroup("sh", ["-c", script], id);
  const pids = await printedPids(child, readyLines);
  for (const pid of Object.values(pids)) started.addPid(pid);
  return { child, pgid: child.pid!, pids };
}

/** Spawns a leader of a new group whose environment is `env`, then the marker `id` (if any). */
function spawnGroup(command: string, args: string[], id?: string, env = {}) {
  const child = spawn(command, args, {
    detached: true,
    stdio: ["ignore", "pipe", "ignore"],
    env: { ...process.env, ...env, ...(id === undefined ? {} : { [INSTANCE_ENV]: id }) },
  });
  started.addGroup(child.pid!);
  return child;
}

const ref = (pid: number) => ({ pid, startTime: startTimeOf(pid)! });
const byPid = (refs: { pid: number }[]) => refs.map((entry) => entry.pid).sort((a, b) => a - b);
const sorted = (pids: number[]) => [...pids].sort((a, b) => a - b);

describe("instance markers", () => {
  it("makes random ids that a record can carry", () => {
    const id = newInstanceId();
    expect(isInstanceId(id)).toBe(true);
    expect(newInstanceId()).not.toBe(id);
    for (const bad of ["", "short", "a b c d e f g h", 42, undefined, "x".repeat(200)]) {
      expect(isInstanceId(bad)).toBe(false);
    }
  });

  it("reads the marker out of an environment block, and only that exact variable", () => {
    const block = (...vars: string[]) => Buffer.from(vars.map((v) => `${v}\0`).join(""));
    expect(instanceMarkerIn(block(`${INSTANCE_ENV}=abc`, "B=2"), true)).toBe("abc");
    expect(instanceMarkerIn(block("A=1", `${INSTANCE_ENV}=abc`), true)).toBe("abc");
    expect(instanceMarkerIn(block(`X${INSTANCE_ENV}=abc`, `${INSTANCE_ENV}X=d`), true)).toBe(
      undefined,
    );
    expect(instanceMarkerIn(block("A=1"), true)).toBe(undefined);
    expect(instanceMarkerIn(Buffer.alloc(0), true)).toBe(undefined);
    // Cut off by the read limit: the value may be partial, so it is not trusted.
    expect(instanceMarkerIn(Buffer.from(`A=1\0${INSTANCE_ENV}=ab`), false)).toBe(undefined);
    expect(instanceMarkerIn(Buffer.from(`A=1\0${INSTANCE_ENV}=ab`), true)).toBe("ab");
  });
});

describe.skipIf(process.platform !== "linux")("finding escaped descendants", () => {
  it("reads the marker of a live process; nothing for a gone one", async () => {
    const id = newInstanceId();
    const { pgid } = await shellGroup("echo ready; exec sleep 1000", id);
    expect(instanceIdOf(pgid)).toBe(id);
    const { child, pgid: unmarked } = await shellGroup("echo ready; exec sleep 1000");
    expect(instanceIdOf(unmarked)).toBe(process.env[INSTANCE_ENV]);
    process.kill(unmarked, "SIGKILL");
    await once(child, "exit");
    expect(instanceIdOf(unmarked)).toBeUndefined();
    expect(instanceIdOf(999_999_999)).toBeUndefined();
  });

  it("finds a marker behind a large environment, in chunks, but reads no further than the limit", async () => {
    const filler = (count: number) =>
      Object.fromEntries(
        Array.from({ length: count }, (_, i) => [`FILLER_${i}`, "x".repeat(100_000)]),
      );
    const id = newInstanceId();
    // No shell in between (it would reorder the variables): the marker comes after the fillers.
    const near = spawnGroup("sleep", ["1000"], id, filler(4));
    const far = spawnGroup("sleep", ["1000"], id, filler(12));
    await eventually(
      () =>
        [near, far].every((child) =>
          readFileSync(`/proc/${child.pid}/cmdline`, "utf8").startsWith("sleep"),
        ),
      5_000,
      "both to exec sleep",
    );
    expect(instanceIdOf(near.pid!)).toBe(id);
    expect(instanceIdOf(far.pid!)).toBeUndefined();
  });

  it("finds a double-forked, setsid grandchild by its marker after its parent has exited", async () => {
    const id = newInstanceId();
    const { pgid, pids } = await shellGroup(
      `setsid sh -c 'sleep 1000 & echo grandchild:$!'; echo ready; exec sleep 1000`,
      id,
    );
    const grandchild = pids.grandchild!;
    // It left the group and was adopted: a walk of the tree from the daemon would miss it.
    expect(processesInGroup(pgid)).toEqual([pgid]);
    expect(startTimeOf(grandchild)).toBeDefined();

    expect(byPid(findEscaped({ pgid, instanceId: id }))).toEqual([grandchild]);
    // Asked by marker alone, the group's members count too.
    expect(byPid(findEscaped({ instanceId: id }))).toEqual(sorted([pgid, grandchild]));
    // Nothing that started before the leader descends from it.
    const later = String(Number(startTimeOf(grandchild)) + 1_000_000);
    expect(findEscaped({ pgid, instanceId: id, startedSince: later })).toEqual([]);
    // Without the marker nothing names it.
    expect(findEscaped({ pgid })).toEqual([]);
    expect(findEscaped({ pgid, instanceId: newInstanceId() })).toEqual([]);
  });

  it("finds a child that scrubbed its environment while its parent lives, and never a stranger", async () => {
    const id = newInstanceId();
    // The group's leader is the parent of a scrubbed, setsid child; a marked escapee (inner sh)
    // is the parent of another scrubbed one.
    const { pgid, pids } = await shellGroup(
      [
        "setsid env -i sleep 1000 & echo scrubbed:$!",
        `setsid sh -c 'env -i sleep 1000 & echo deep:$!; sleep 1000 & echo marked:$!; echo ready; wait' &`,
        "echo inner:$!",
        "echo ready",
        "exec sleep 1000",
      ].join("\n"),
      id,
      2,
    );
    const { scrubbed, deep, marked, inner } = pids as Record<string, number>;
    const stranger = await shellGroup(`${escapingSleep("other")}; echo ready; wait`, id + "x");
    const unmarked = await shellGroup(`${escapingSleep("other")}; echo ready; wait`);
    expect(instanceIdOf(scrubbed!)).toBeUndefined();

    const escaped = findEscaped({ pgid, instanceId: id });

    expect(byPid(escaped)).toEqual(sorted([scrubbed!, deep!, marked!, inner!]));
    expect(escaped.every((entry) => entry.startTime === startTimeOf(entry.pid))).toBe(true);
    const everyone = [...Object.values(stranger.pids), ...Object.values(unmarked.pids)];
    for (const pid of everyone) expect(byPid(escaped)).not.toContain(pid);
    // Asked by marker alone, the (marked) leader and its tree count too.
    expect(byPid(findEscaped({ instanceId: id }))).toEqual(
      sorted([pgid, scrubbed!, deep!, marked!, inner!]),
    );
    // The tree alone misses nothing here: every parent still lives.
    expect(byPid(findEscaped({ pgid }))).toEqual(sorted([scrubbed!, deep!, marked!, inner!]));
    expect(stillRunning(everyone)).toEqual(everyone);
  });

  it("keeps only the processes that still run with the start time seen", async () => {
    const { child, pgid } = await shellGroup("echo ready; exec sleep 1000");
    const entry = ref(pgid);
    expect(runningOf([entry])).toEqual([entry]);
    expect(runningOf([{ pid: pgid, startTime: "1" }])).toEqual([]);
    process.kill(pgid, "SIGKILL");
    await once(child, "exit");
    await eventually(() => runningOf([entry]).length === 0, 5_000, "the process to be gone");
  });
});
