import { describe, expect, it } from "vitest";
import { clusterSummary, clusterTable } from "../../cli/commands/cluster-status.ts";
import type { ClusterDocument, ClusterNode } from "../../runtime/cluster/cluster.ts";

const NOW = 1_800_000_000_000;

function nodeOf(overrides: Partial<ClusterNode>): ClusterNode {
  return {
    node: "alpha",
    self: false,
    profile: "gpu",
    version: "0.1.0",
    pid: 1,
    startedAt: NOW - 60_000,
    lastSeen: NOW - 1_000,
    stale: false,
    daemons: [
      { name: "a", state: "RUNNING", restarts: 0 },
      { name: "b", state: "FAILED", restarts: 5 },
    ],
    daemonCount: 2,
    ...overrides,
  };
}

function documentOf(
  nodes: ClusterNode[],
  overrides: Partial<ClusterDocument> = {},
): ClusterDocument {
  return {
    node: "alpha",
    ttlMs: 15_000,
    nats: { state: "connected", serverVersion: "2.9.10" },
    current: true,
    nodes,
    singletons: {},
    bridge: {
      types: [],
      consuming: true,
      behind: 0,
      sent: 0,
      received: 0,
      refused: 0,
      deadLettered: 0,
    },
    refusedRecords: 0,
    ignoredNodes: 0,
    ...overrides,
  };
}

describe("warden status --cluster", () => {
  it("prints a row per node with profile, rule, last seen, staleness and daemons by state", () => {
    const lines = clusterTable(
      documentOf([
        nodeOf({ self: true, rule: "auto" }),
        nodeOf({
          node: "beta",
          profile: null,
          lastSeen: NOW - 20_000,
          stale: true,
          daemonCount: 9,
        }),
      ]),
      NOW,
      false,
    );
    expect(lines[0]).toMatch(/^NODE\s+PROFILE\s+RULE\s+VERSION\s+LAST SEEN\s+STATUS\s+DAEMONS$/);
    expect(lines[1]).toMatch(
      /^alpha \*\s+gpu\s+auto\s+0\.1\.0\s+1s ago\s+up\s+1 running, 1 FAILED$/,
    );
    expect(lines[2]).toMatch(
      /^beta\s+-\s+-\s+0\.1\.0\s+20s ago\s+STALE\s+1 running, 1 FAILED \(of 9\)$/,
    );
  });

  it("shows what other machines sent without letting it steer the terminal", () => {
    const lines = clusterTable(
      documentOf([
        nodeOf({
          node: "x",
          profile: "\x1b[2Jevil",
          daemons: [{ name: "d", state: "\x07", restarts: 0 }],
        }),
      ]),
      NOW,
      false,
    );
    const controls = [...lines.join("\n")].filter((c) => c.charCodeAt(0) < 0x20 && c !== "\n");
    expect(controls).toEqual([]);
    expect(lines[1]).toContain("\\x1b[2Jevil");
  });

  it("sums the nodes up and names a NATS problem", () => {
    const nodes = [nodeOf({}), nodeOf({ node: "beta", stale: true })];
    expect(clusterSummary(documentOf(nodes), false)).toBe(
      "2 nodes: 1 up, 1 stale · this node alpha · NATS connected (2.9.10)",
    );
    const down = documentOf(nodes, {
      current: false,
      nats: { state: "disconnected", problem: "cluster: NATS x connection lost for 3 s" },
      refusedRecords: 2,
    });
    expect(clusterSummary(down, false)).toBe(
      "2 nodes: 1 up, 1 stale · this node alpha · cluster: NATS x connection lost for 3 s · " +
        "this node's view is catching up · 2 records refused, 0 nodes over the bound ignored",
    );
  });
});
