import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { processUsage, type ProcessUsage } from "../../actors/process-usage.ts";

const hasProc = existsSync(`/proc/${process.pid}/stat`);

let dir: string;
/** Children this file started; each is SIGKILLed by pid after the test. */
let children: ChildProcess[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "warden-usage-"));
  children = [];
});

afterEach(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A shell spinning in a loop: it burns CPU until it is killed. */
function busyChild(shell = "sh"): { child: ChildProcess; pid: number } {
  const child = spawn(shell, ["-c", "while :; do :; done"], { stdio: "ignore" });
  children.push(child);
  if (child.pid === undefined) throw new Error(`could not spawn ${shell}`);
  return { child, pid: child.pid };
}

async function usageWhen(
  pid: number,
  check: (usage: ProcessUsage) => boolean,
  what: string,
  ms = 5000,
): Promise<ProcessUsage> {
  const deadline = Date.now() + ms;
  for (;;) {
    const usage = processUsage(pid);
    if (usage && check(usage)) return usage;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}; last ${JSON.stringify(usage)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.runIf(hasProc)("processUsage", () => {
  it("reports this process's CPU time and resident memory as Node sees them", () => {
    const before = process.cpuUsage();
    const usage = processUsage(process.pid);
    const after = process.cpuUsage();
    const rss = process.memoryUsage().rss;

    expect(usage).toBeDefined();
    // /proc counts in clock ticks (10 ms at 100 Hz): allow a few ticks of rounding either way.
    expect(usage!.cpuSeconds).toBeGreaterThan((before.user + before.system) / 1e6 - 0.1);
    expect(usage!.cpuSeconds).toBeLessThan((after.user + after.system) / 1e6 + 0.1);
    // Pages times the page size: a wrong page size would be off by a factor, not a few percent.
    expect(usage!.residentBytes).toBeGreaterThan(rss * 0.7);
    expect(usage!.residentBytes).toBeLessThan(rss * 1.3);
  });

  it("sees a busy child's CPU time grow while it runs", async () => {
    const { pid } = busyChild();
    const first = await usageWhen(pid, (usage) => usage.cpuSeconds > 0, "some CPU time");
    const later = await usageWhen(
      pid,
      (usage) => usage.cpuSeconds >= first.cpuSeconds + 0.2,
      "0.2 s more CPU time",
    );

    expect(later.cpuSeconds).toBeGreaterThan(first.cpuSeconds);
    expect(later.residentBytes).toBeGreaterThan(0);
  });

  it("reads a process whose name holds spaces and ')'", async () => {
    const shell = join(dir, "a) b (c) d");
    symlinkSync("/bin/sh", shell);
    const { pid } = busyChild(shell);
    await usageWhen(
      pid,
      () => readFileSync(`/proc/${pid}/stat`, "utf8").includes("(a) b (c) d)"),
      "the odd name in /proc",
    );

    // Split at the first ')', the fields would shift onto fault counters that a loop never moves.
    const usage = await usageWhen(pid, (usage) => usage.cpuSeconds >= 0.2, "0.2 s of CPU time");
    expect(usage.residentBytes).toBeGreaterThan(0);
  });

  it("is undefined for a process that has exited", async () => {
    const child = spawn("true", { stdio: "ignore" });
    children.push(child);
    const pid = child.pid!;
    await once(child, "exit");

    expect(processUsage(pid)).toBeUndefined();
  });

  it("is undefined for a zombie: it has ended, only its parent has not reaped it", async () => {
    // sh forks a short sleep, then becomes a long one, which never reaps the child it inherited
    // (the short one outlives the exec, or sh might reap it itself first).
    const parent = spawn("sh", ["-c", "sleep 0.1 & echo $!; exec sleep 30"], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    children.push(parent);
    const [chunk] = (await once(parent.stdout!, "data")) as [Buffer];
    const zombie = Number(String(chunk).trim());
    expect(zombie).toBeGreaterThan(1);
    const deadline = Date.now() + 5000;
    const stateOf = () => readFileSync(`/proc/${zombie}/stat`, "utf8").split(") ")[1]?.[0];
    while (stateOf() !== "Z") {
      if (Date.now() > deadline) throw new Error(`pid ${zombie} did not become a zombie`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    expect(processUsage(zombie)).toBeUndefined();
    expect(processUsage(parent.pid!)).toBeDefined();
  });

  it("is undefined for pids that cannot be a process", () => {
    for (const pid of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(processUsage(pid)).toBeUndefined();
    }
    // Above Linux's largest pid_max (2^22).
    expect(processUsage(2 ** 23)).toBeUndefined();
  });
});
