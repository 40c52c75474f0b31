/**
 * The baseline of benchmark (i)'s kernel side: the kernel's own reaction, without warden. This
 * process makes a memory cgroup with the same limit where the manager makes its daemons' (under
 * its own cgroup), spawns the same grower and moves it in as soon as `spawn()` returns, as the
 * manager does; the reaction is the child's `exit` (SIGKILL) minus its crossing stamp. Made only
 * where the manager may create cgroups; anything the kernel refuses skips it, saying why.
 */
import { spawn, type ChildProcessByStdio } from "node:child_process";
import { mkdirSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { CgroupSupport } from "../../actors/cgroup-support.ts";
import { closingOnSignal } from "../cleanup.ts";
import { announce, GROWER, parseCrossing, type ReactionSample } from "./crossing.ts";

const MIB = 2 ** 20;
/** Longest wait for the child to be killed. */
const RUN_TIMEOUT_MS = 20_000;

export interface BareKernel {
  measure(pauseMs: number): Promise<ReactionSample>;
}

/** The bare kernel side, or why there is none. */
export function bareKernel(support: CgroupSupport, limitMb: number): BareKernel | string {
  const parents = support.parents;
  if (!parents) return support.reason;
  const [parent, limitFile] =
    "unified" in parents
      ? [parents.unified, "memory.max"]
      : [parents.memory, "memory.limit_in_bytes"];
  const tree = join(parent, `warden-bench-bare-${process.pid}`);
  const dir = join(tree, "grower");
  const measure = (pauseMs: number): Promise<ReactionSample> => {
    mkdirSync(dir, { recursive: true });
    const run = new BareRun(parent, dir, limitMb, pauseMs);
    const close = async () => {
      await run.kill();
      rmdirSync(dir);
      rmdirSync(tree);
    };
    return closingOnSignal(close, announce, () => {
      writeFileSync(join(dir, limitFile), String(limitMb * MIB));
      return run.measure();
    });
  };
  return { measure };
}

/** One bare grower: spawned when made, moved into `dir` and timed by `measure`. */
class BareRun {
  private readonly child: ChildProcessByStdio<null, Readable, null>;
  private crossing: number | undefined;
  /** The exit may be reported while the pipe still holds the line: both are awaited. */
  private readonly drained: Promise<void>;
  private readonly exited: Promise<{ at: number; signal: NodeJS.Signals | null }>;

  constructor(
    parent: string,
    private readonly dir: string,
    limitMb: number,
    private readonly pauseMs: number,
  ) {
    this.child = spawn(
      process.execPath,
      [GROWER, String(limitMb), String(pauseMs), "cgroup", parent],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      this.crossing ??= parseCrossing(line);
    });
    this.drained = new Promise((resolve) => this.child.stdout.once("close", resolve));
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (_code, signal) => resolve({ at: Date.now(), signal }));
    });
  }

  async measure(): Promise<ReactionSample> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.child.kill("SIGKILL");
    }, RUN_TIMEOUT_MS);
    try {
      writeFileSync(join(this.dir, "cgroup.procs"), String(this.child.pid));
      const [exit] = await Promise.all([this.exited, this.drained]);
      if (timedOut)
        throw new Error(`resources: the bare grower still ran after ${RUN_TIMEOUT_MS} ms`);
      const { crossing } = this;
      if (exit.signal !== "SIGKILL" || crossing === undefined) {
        const how = exit.signal ?? "an exit";
        const when = crossing === undefined ? " before its crossing line" : "";
        throw new Error(`resources: the bare grower ended with ${how}${when}`);
      }
      return {
        ms: exit.at - crossing,
        pauseMs: this.pauseMs,
        error: "killed by the kernel (SIGKILL)",
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the grower if it still runs, and waits until it is gone (its cgroup empty). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
    }
    await this.exited;
  }
}
