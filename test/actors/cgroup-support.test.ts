/** Detection of cgroups the manager may create (SPEC §6a): detected from /proc/self/cgroup, never assumed. */
import { describe, expect, it } from "vitest";
import { cgroupSupport, detect } from "../../actors/cgroup-support.ts";

describe("cgroup support", () => {
  it("without /proc/self/cgroup there is none", () => {
    expect(detect(undefined, true)).toMatchObject({ version: "none", delegated: false });
  });

  it("cgroup v1 needs root", () => {
    const v1 = "4:memory:/x\n1:cpu:/\n0::/\n";
    expect(detect(v1, false)).toEqual({
      version: "v1",
      delegated: false,
      enforced: false,
      reason: "cgroup v1 needs the manager to run as root",
    });
  });

  it("cgroup v2 without write access to the manager's own cgroup is not delegated", () => {
    const support = detect("0::/no/such/warden/cgroup\n", false);
    expect(support).toMatchObject({ version: "v2", delegated: false, enforced: false });
    expect(support.reason).toMatch(/no delegated cgroup v2 subtree: .*no\/such\/warden\/cgroup/);
  });

  it("never claims enforcement on this machine", () => {
    expect(cgroupSupport().enforced).toBe(false);
    expect(cgroupSupport().reason.length).toBeGreaterThan(0);
  });
});
