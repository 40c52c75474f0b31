/** Detection of cgroups the manager may create (SPEC §6a): from /proc/self/cgroup and mountinfo, never assumed. */
import { describe, expect, it } from "vitest";
import { detect } from "../../actors/cgroup-support.ts";

const V1_MOUNTS = [
  "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
  "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
  "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
].join("\n");
const V1_SELF = "4:memory:/jobs/7\n1:cpu,cpuacct:/\n0::/\n";
const V2_MOUNTS = "40 30 0:37 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw,nsdelegate";
const V2_SELF = "0::/user.slice/user-1000.slice/app.scope\n";
const V2_DIR = "/sys/fs/cgroup/user.slice/user-1000.slice/app.scope";

const anything = () => true;

describe("cgroup support", () => {
  it("without /proc/self/cgroup there is none", () => {
    const support = detect({ selfCgroup: undefined, mountInfo: undefined, root: true });
    expect(support).toMatchObject({ version: "none", delegated: false, enforced: false });
  });

  it("cgroup v1 needs root", () => {
    const facts = { selfCgroup: V1_SELF, mountInfo: V1_MOUNTS, root: false, writable: anything };
    expect(detect(facts)).toEqual({
      version: "v1",
      delegated: false,
      enforced: false,
      reason: "cgroup v1 needs the manager to run as root",
    });
  });

  it("cgroup v1 as root: the manager's own cgroup in the cpu and in the memory hierarchy", () => {
    const facts = { selfCgroup: V1_SELF, mountInfo: V1_MOUNTS, root: true, writable: anything };
    const support = detect(facts);
    expect(support).toMatchObject({ version: "v1", delegated: true, enforced: true });
    expect(support.parents).toEqual({
      cpu: "/sys/fs/cgroup/cpu,cpuacct",
      memory: "/sys/fs/cgroup/memory/jobs/7",
    });
  });

  it("cgroup v1 without a memory hierarchy, or not writable, is not used, and says why", () => {
    const cpuOnly = V1_MOUNTS.split("\n").slice(0, 2).join("\n");
    expect(
      detect({ selfCgroup: V1_SELF, mountInfo: cpuOnly, root: true, writable: anything }),
    ).toMatchObject({ enforced: false, reason: "no cgroup v1 memory hierarchy is mounted" });
    const readOnly = detect({
      selfCgroup: V1_SELF,
      mountInfo: V1_MOUNTS,
      root: true,
      writable: (dir) => !dir.includes("memory"),
    });
    expect(readOnly).toMatchObject({ enforced: false });
    expect(readOnly.reason).toBe(
      "cgroup v1 as root, but /sys/fs/cgroup/memory/jobs/7 is not writable",
    );
  });

  it("cgroup v2 without write access to the manager's own cgroup is not delegated", () => {
    const support = detect({
      selfCgroup: V2_SELF,
      mountInfo: V2_MOUNTS,
      root: false,
      writable: () => false,
    });
    expect(support).toMatchObject({ version: "v2", delegated: false, enforced: false });
    expect(support.reason).toBe(`no delegated cgroup v2 subtree: ${V2_DIR} is not writable`);
  });

  it("cgroup v2 delegated needs the cpu and memory controllers", () => {
    const base = { selfCgroup: V2_SELF, mountInfo: V2_MOUNTS, root: false, writable: anything };
    const without = detect({ ...base, read: () => "io pids memory" });
    expect(without).toMatchObject({ enforced: false });
    expect(without.reason).toBe(`cgroup v2 subtree ${V2_DIR} lacks the cpu or memory controller`);
    const delegated = detect({ ...base, read: () => "cpuset cpu io memory pids\n" });
    expect(delegated).toMatchObject({
      version: "v2",
      enforced: true,
      parents: { unified: V2_DIR },
    });
  });

  it("WARDEN_CGROUPS=off turns it off where it would work", () => {
    const facts = { selfCgroup: V1_SELF, mountInfo: V1_MOUNTS, root: true, writable: anything };
    expect(detect({ ...facts, setting: "off" })).toMatchObject({
      delegated: true,
      enforced: false,
      reason: "turned off by WARDEN_CGROUPS",
    });
    expect(detect({ ...facts, setting: "on" })).toMatchObject({ enforced: true });
  });
});
