import { describe, expect, it } from "vitest";
import { CLUSTER_BOUNDS } from "../../../runtime/cluster/cluster-defaults.ts";
import {
  decodeNodeRecord,
  encodeNodeRecord,
  type NodeRecord,
} from "../../../runtime/cluster/node-record.ts";

const encoder = new TextEncoder();

function record(overrides: Partial<NodeRecord> = {}): NodeRecord {
  return {
    v: 1,
    node: "gpu-3",
    profile: "gpu",
    version: "0.1.0",
    pid: 4242,
    startedAt: 1,
    heartbeatAt: 2,
    ttlMs: 15_000,
    daemons: [{ name: "trainer", state: "RUNNING", restarts: 0, pid: 99 }],
    daemonCount: 1,
    ...overrides,
  };
}

describe("node records", () => {
  it("round-trip", () => {
    expect(decodeNodeRecord("gpu-3", encodeNodeRecord(record()))).toEqual({ record: record() });
  });

  it("refuse what is not a bounded record of the node its key names", () => {
    const refused = (key: string, bytes: Uint8Array) =>
      (decodeNodeRecord(key, bytes) as { refused?: string }).refused;
    expect(refused("gpu-3", encoder.encode("{"))).toBe("not JSON");
    expect(refused("gpu-3", encoder.encode("[]"))).toMatch(/not a node record/);
    expect(refused("gpu-4", encodeNodeRecord(record()))).toMatch(/says node "gpu-3"/);
    expect(refused("x", new Uint8Array(CLUSTER_BOUNDS.recordBytes + 1))).toMatch(
      new RegExp(`over ${CLUSTER_BOUNDS.recordBytes}`),
    );
    const longName = record({
      daemons: [{ name: "x".repeat(201), state: "RUNNING", restarts: 0 }],
    });
    expect(refused("gpu-3", encoder.encode(JSON.stringify(longName)))).toMatch(/daemons\.0\.name/);
    const many = record({
      daemons: Array.from({ length: CLUSTER_BOUNDS.daemonsPerNode + 1 }, () => ({
        name: "a",
        state: "RUNNING",
        restarts: 0,
      })),
    });
    expect(refused("gpu-3", encoder.encode(JSON.stringify(many)))).toMatch(/daemons/);
    expect(refused("a.b", encoder.encode(JSON.stringify(record({ node: "a.b" }))))).toMatch(/node/);
  });

  it("are cut to the size bound by dropping daemons, keeping their count", () => {
    const count = CLUSTER_BOUNDS.daemonsPerNode;
    const daemons = Array.from({ length: count }, (_, i) => ({
      name: `daemon-${i}-${"n".repeat(150)}`,
      state: "RUNNING",
      restarts: 0,
    }));
    const bytes = encodeNodeRecord(record({ daemons, daemonCount: count }));
    expect(bytes.length).toBeLessThanOrEqual(CLUSTER_BOUNDS.recordBytes);
    const decoded = decodeNodeRecord("gpu-3", bytes) as { record: NodeRecord };
    expect(decoded.record.daemons.length).toBeLessThan(count);
    expect(decoded.record.daemonCount).toBe(count);
  });
});
