/**
 * The cgroups of one manager (SPEC §6a): `warden-<key>/<DAEMON>` under the manager's own cgroup
 * (actors/cgroup-support.ts), `<key>` a hash of the state directory, so that managers of different
 * state directories never share one and the next manager of the same directory finds what a
 * killed one left. In cgroup v2 the controllers must be enabled on the way down, and a cgroup that
 * enables them for its children may hold no process itself: the manager first moves itself into a
 * leaf of its own cgroup (`warden-manager`), as systemd asks of a delegated subtree (with its
 * parent, when that is the only other process there: the supervisor of `warden up --supervised`),
 * and gives up (saying why) when other processes share that cgroup. A failure is told once and leaves the
 * daemons without cgroups (their `cpuPercent` reported unenforced), never without supervision.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { messageOf } from "../machines/errors.ts";
import { cgroupSupport, type CgroupSupport } from "./cgroup-support.ts";
import type { WardenClock } from "./clock.ts";
import { DaemonCgroup, removeDir, write, type CgroupLimits } from "./daemon-cgroup.ts";

/** Where a v2 manager moves itself so that its own cgroup may enable controllers for children. */
export const MANAGER_LEAF = "warden-manager";

export class CgroupTree {
  /** Why the tree cannot be used, once it could not be set up. */
  problem: string | undefined;
  private prepared = false;
  /** Daemon name → its cgroup, while a driver holds it. */
  private readonly held = new Map<string, DaemonCgroup>();
  /** Daemons whose cgroup this process made (or took over) once already. */
  private readonly seen = new Set<string>();

  /**
   * @param support what detection found (must be `enforced`)
   * @param name the tree's directory name, `warden-<key>`
   */
  constructor(
    private readonly support: CgroupSupport,
    readonly name: string,
  ) {
    if (!support.enforced || !support.parents) this.problem = support.reason;
  }

  /** The directories of the tree itself (one per hierarchy in v1). */
  get dirs(): string[] {
    const parents = this.support.parents;
    if (!parents) return [];
    return "unified" in parents
      ? [join(parents.unified, this.name)]
      : [join(parents.cpu, this.name), join(parents.memory, this.name)];
  }

  /**
   * The cgroup of `daemon`, made (or its limits rewritten) for a new instance; undefined, with
   * `problem` set, when cgroups cannot be used. Processes found in it before its first instance
   * here (left by a manager killed before it could stop them) get SIGKILL, and `onLeftover` is
   * told.
   */
  acquire(
    daemon: string,
    limits: CgroupLimits,
    onLeftover: (pids: number[]) => void = () => {},
  ): DaemonCgroup | undefined {
    if (this.problem !== undefined) return undefined;
    try {
      this.prepare();
      const cgroup = this.held.get(daemon) ?? this.cgroupOf(daemon);
      cgroup.prepare(limits);
      if (!this.seen.has(daemon)) {
        this.seen.add(daemon);
        const left = cgroup.pids();
        if (left.length > 0) {
          onLeftover(left);
          for (const pid of left) kill(pid);
        }
      }
      this.held.set(daemon, cgroup);
      return cgroup;
    } catch (error) {
      this.problem = `cannot create a cgroup for ${daemon}: ${messageOf(error)}`;
      return undefined;
    }
  }

  /**
   * What a manager of this state directory that died without its sentinel (SIGKILLed with the
   * sentinel, or a driver run without one) left: the cgroups of daemons no driver holds here.
   * Every process still in them gets SIGKILL (the orphan reaping by pid records ran first and
   * stopped what it knew in order); then the emptied cgroups are removed. Resolves with what was
   * killed, by daemon.
   */
  async sweep(clock: WardenClock, settleMs: number): Promise<{ daemon: string; pid: number }[]> {
    if (this.problem !== undefined) return [];
    const leftovers = new Map<string, DaemonCgroup>();
    for (const dir of this.dirs) {
      for (const daemon of subdirectories(dir)) {
        if (daemon !== MANAGER_LEAF && !this.held.has(daemon)) {
          leftovers.set(daemon, this.cgroupOf(daemon));
        }
      }
    }
    const killed: { daemon: string; pid: number }[] = [];
    for (const [daemon, cgroup] of leftovers) {
      for (const pid of cgroup.pids()) {
        kill(pid);
        killed.push({ daemon, pid });
      }
    }
    const deadline = clock.now() + settleMs;
    const busy = () => [...leftovers.values()].some((cgroup) => cgroup.pids().length > 0);
    while (busy() && clock.now() < deadline) {
      await new Promise((resolve) => clock.setTimeout(resolve, 20));
    }
    for (const cgroup of leftovers.values()) cgroup.remove();
    if (this.held.size === 0) this.removeTree();
    return killed;
  }

  /** `daemon` is done with its cgroup: removed, and the tree too once it holds no daemon. */
  release(daemon: string): void {
    const cgroup = this.held.get(daemon);
    if (!cgroup) return;
    this.held.delete(daemon);
    cgroup.remove();
    if (this.held.size === 0) this.removeTree();
  }

  /** Removes the tree's own directories (where empty); the next acquire makes them again. */
  private removeTree(): void {
    for (const dir of this.dirs) removeDir(dir);
    this.prepared = false;
  }

  private cgroupOf(daemon: string): DaemonCgroup {
    const [first, second] = this.dirs;
    const version = this.support.version === "v2" ? "v2" : "v1";
    return new DaemonCgroup(version, join(first!, daemon), join(second ?? first!, daemon));
  }

  private prepare(): void {
    if (this.prepared) return;
    const parents = this.support.parents!;
    if ("unified" in parents) {
      enableForChildren(parents.unified);
      mkdirSync(join(parents.unified, this.name), { recursive: true });
      write(join(parents.unified, this.name), "cgroup.subtree_control", "+cpu +memory");
    } else {
      for (const dir of this.dirs) mkdirSync(dir, { recursive: true });
    }
    this.prepared = true;
  }
}

/**
 * Enables `cpu` and `memory` for the children of the v2 cgroup `dir`, moving the manager into a
 * leaf first when `dir` holds processes.
 */
function enableForChildren(dir: string): void {
  const enabled = (readText(join(dir, "cgroup.subtree_control")) ?? "").split(/\s+/);
  if (enabled.includes("cpu") && enabled.includes("memory")) return;
  const leaf = join(dir, MANAGER_LEAF);
  mkdirSync(leaf, { recursive: true });
  write(leaf, "cgroup.procs", String(process.pid));
  // `warden up --supervised` (a systemd unit with Delegate=yes): the supervisor, our parent,
  // shares the cgroup, and goes into the leaf with us. Anything else is not ours to move.
  const left = () => (readText(join(dir, "cgroup.procs")) ?? "").trim();
  if (left() === String(process.ppid)) write(leaf, "cgroup.procs", String(process.ppid));
  const others = left();
  if (others !== "") {
    throw new Error(
      `other processes share the manager's cgroup ${dir} (${others.split("\n").join(", ")}), so it cannot enable cpu and memory for cgroups below it`,
    );
  }
  write(dir, "cgroup.subtree_control", "+cpu +memory");
}

const trees = new Map<string, CgroupTree | undefined>();

/**
 * The cgroup tree of the manager of `stateDir` (one per state directory in a process), or
 * undefined where the manager may not create cgroups.
 *
 * @example
 * const cgroup = cgroupTreeFor("/srv/app/.warden")?.acquire("api", { cpuPercent: 50 });
 */
export function cgroupTreeFor(stateDir: string): CgroupTree | undefined {
  if (!trees.has(stateDir)) {
    const support = cgroupSupport();
    const key = createHash("sha256").update(stateDir).digest("hex").slice(0, 12);
    trees.set(stateDir, support.enforced ? new CgroupTree(support, `warden-${key}`) : undefined);
  }
  return trees.get(stateDir);
}

/** The names of the directories in `dir` (none when it is not there). */
function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    // No tree here: nothing was left.
    return [];
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Gone already.
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
