/**
 * The files a manager's cgroup tree writes (actors/cgroup-tree.ts, actors/daemon-cgroup.ts),
 * against directories that stand in for /sys/fs/cgroup: the v1 and v2 limit files, the v2
 * delegation steps (the manager into a leaf, controllers enabled on the way down), and the
 * refusal, said in words, when other processes share the manager's v2 cgroup. Real enforcement is
 * tested in test/integration/process-daemon.cgroups.test.ts where the machine allows it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CgroupSupport } from "../../actors/cgroup-support.ts";
import { CgroupTree, MANAGER_LEAF } from "../../actors/cgroup-tree.ts";

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function fakeRoot(): string {
  root = mkdtempSync(join(tmpdir(), "warden-cgroup-tree-"));
  return root;
}

const read = (...path: string[]) => readFileSync(join(...path), "utf8");

/** What detection says of a host that delegates: v2 with `unified`, v1 with `cpu` and `memory`. */
function supportOf(parents: NonNullable<CgroupSupport["parents"]>): CgroupSupport {
  const version = "unified" in parents ? "v2" : "v1";
  return { version, delegated: true, enforced: true, reason: "", parents };
}

describe("cgroup tree", () => {
  it("v1: a cgroup per daemon in the cpu and memory hierarchies, with its limits", () => {
    const base = fakeRoot();
    const [cpu, memory] = [join(base, "cpu"), join(base, "memory")];
    const support = supportOf({ cpu, memory });
    const tree = new CgroupTree(support, "warden-abc");
    const cgroup = tree.acquire("trainer", { cpuPercent: 150, memoryMb: 64 })!;
    expect(tree.problem).toBeUndefined();
    expect(cgroup.dirs).toEqual([
      join(cpu, "warden-abc/trainer"),
      join(memory, "warden-abc/trainer"),
    ]);
    expect(read(cpu, "warden-abc/trainer/cpu.cfs_period_us")).toBe("100000");
    expect(read(cpu, "warden-abc/trainer/cpu.cfs_quota_us")).toBe("150000");
    expect(read(memory, "warden-abc/trainer/memory.limit_in_bytes")).toBe(String(64 * 2 ** 20));
    // The next instance without limits lifts them.
    tree.acquire("trainer", {});
    expect(read(cpu, "warden-abc/trainer/cpu.cfs_quota_us")).toBe("-1");
    expect(read(memory, "warden-abc/trainer/memory.limit_in_bytes")).toBe("-1");
  });

  it("v2: the manager moves into a leaf, controllers are enabled on the way down", () => {
    const own = join(fakeRoot(), "app.scope");
    mkdirSync(own);
    writeFileSync(join(own, "cgroup.procs"), "");
    const support = supportOf({ unified: own });
    const tree = new CgroupTree(support, "warden-abc");
    const cgroup = tree.acquire("api", { cpuPercent: 50 })!;
    expect(tree.problem).toBeUndefined();
    expect(read(own, MANAGER_LEAF, "cgroup.procs")).toBe(String(process.pid));
    expect(read(own, "cgroup.subtree_control")).toBe("+cpu +memory");
    expect(read(own, "warden-abc", "cgroup.subtree_control")).toBe("+cpu +memory");
    expect(cgroup.dirs).toEqual([join(own, "warden-abc/api")]);
    expect(read(own, "warden-abc/api/cpu.max")).toBe("50000 100000");
    expect(read(own, "warden-abc/api/memory.max")).toBe("max");
    // The last daemon released, the tree goes (a real cgroup's files go with its directory);
    // a later acquire (a new manager of the same state directory) makes it again, controllers on.
    for (const file of [
      "warden-abc/api/cpu.max",
      "warden-abc/api/memory.max",
      "warden-abc/cgroup.subtree_control",
    ]) {
      rmSync(join(own, file));
    }
    tree.release("api");
    expect(existsSync(join(own, "warden-abc"))).toBe(false);
    tree.acquire("api", {});
    expect(read(own, "warden-abc", "cgroup.subtree_control")).toBe("+cpu +memory");
  });

  it("v2: other processes in the manager's cgroup: no cgroups, and the reason says so", () => {
    const own = join(fakeRoot(), "session.scope");
    mkdirSync(own);
    // What a real cgroup.procs would still list after the manager moved out: its shell.
    writeFileSync(join(own, "cgroup.procs"), "4242\n");
    const support = supportOf({ unified: own });
    const tree = new CgroupTree(support, "warden-abc");
    expect(tree.acquire("api", { cpuPercent: 50 })).toBeUndefined();
    expect(tree.problem).toBe(
      `cannot create a cgroup for api: other processes share the manager's cgroup ${own} (4242), so it cannot enable cpu and memory for cgroups below it`,
    );
    expect(tree.acquire("web", {})).toBeUndefined();
  });

  it("release removes the daemon's cgroup, and the tree with the last one", () => {
    const base = fakeRoot();
    const support = supportOf({ cpu: join(base, "cpu"), memory: join(base, "memory") });
    const tree = new CgroupTree(support, "warden-abc");
    // Plain directories stand in for cgroups here: rmdir needs them empty of files.
    const a = tree.acquire("a", {})!;
    tree.acquire("b", {});
    for (const dir of a.dirs)
      for (const file of ["cpu.cfs_period_us", "cpu.cfs_quota_us", "memory.limit_in_bytes"])
        rmSync(join(dir, file), { force: true });
    tree.release("a");
    expect(a.dirs.some((dir) => existsSync(dir))).toBe(false);
    expect(existsSync(join(base, "cpu", "warden-abc"))).toBe(true);
  });
});
