/**
 * Whatever arrives from NATS is hostile until bounded (SPEC §11, docs/cluster.md): a client
 * with access to the server writes malformed node records, a record under another node's key,
 * more nodes than the registry keeps, a lease that is not a lease, and garbage on the event
 * stream. The manager refuses and counts them, keeps at most its bound of nodes, takes the
 * singleton over from the bogus lease, and keeps answering.
 */
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { CLUSTER_BOUNDS } from "../../runtime/cluster/cluster-defaults.ts";
import { clusterNodesPerTest } from "../support/cluster-nodes.ts";
import { eventuallyAsync } from "../support/manager-run.ts";
import { natsServerPerTest } from "../support/nats-server.ts";

const nats = natsServerPerTest();
const node = clusterNodesPerTest();

interface Doc {
  current: boolean;
  nodes: { node: string }[];
  refusedRecords: number;
  ignoredNodes: number;
  singletons: Record<string, string | null>;
  bridge: { consuming: boolean; refused: number };
}

function fakeRecord(name: string) {
  return JSON.stringify({
    v: 1,
    node: name,
    profile: null,
    version: "0",
    pid: 1,
    startedAt: 0,
    heartbeatAt: 0,
    ttlMs: 600_000,
    daemons: [],
    daemonCount: 0,
  });
}

describe("cluster input from NATS", () => {
  it("is refused, counted and bounded, and the manager keeps answering", async () => {
    const server = await nats();
    const nc = await connect({ servers: server.url });
    try {
      // A lease that is not a lease, there before the node comes.
      const leases = await new Kvm(nc).create("warden_leases", { history: 1, ttl: 2_000 });
      await leases.put("leader", "not a lease");

      const alpha = node("alpha", {
        daemons: { leader: { command: "sleep", args: ["1000"], singleton: true } },
        cluster: { nats: server.url, ttlMs: 2_000, secret: "sixteen-characters!" },
      });
      const doc = async () => (await alpha.call<Doc>("GET", "/v1/cluster")).body;
      await eventuallyAsync(
        async () => ((await doc()).current && (await doc()).bridge.consuming ? true : undefined),
        20_000,
        "alpha joined",
      );
      const nodes = await new Kvm(nc).open("warden_nodes");
      await nodes.put("bogus", "{not json");
      await nodes.put("evil", fakeRecord("alpha"));
      for (let i = 0; i < CLUSTER_BOUNDS.nodes + 20; i++) {
        await nodes.put(`fake-${i}`, fakeRecord(`fake-${i}`));
      }
      await jetstream(nc).publish("warden.events.mallory", "garbage");

      const seen = await eventuallyAsync(
        async () => {
          const now = await doc();
          return now.refusedRecords >= 2 && now.ignoredNodes > 0 && now.bridge.refused >= 1
            ? now
            : undefined;
        },
        20_000,
        "the refusals counted",
      );
      expect(seen.nodes.length).toBeLessThanOrEqual(CLUSTER_BOUNDS.nodes);
      expect(seen.nodes.map((n) => n.node)).toContain("alpha");
      expect(seen.nodes.map((n) => n.node)).not.toContain("evil");

      // The bogus lease holds nothing: alpha takes it and runs the singleton.
      await eventuallyAsync(
        async () => ((await doc()).singletons.leader === "alpha" ? true : undefined),
        20_000,
        "alpha to hold the lease",
      );
      const { body } = await alpha.call<{ state: string }>("GET", "/v1/daemons/leader");
      expect(body.state).toMatch(/STARTING|RUNNING/);
      const { url } = await alpha.api();
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      await nc.close();
    }
  }, 60_000);
});
