/**
 * Event bridging end to end (SPEC §11, docs/cluster.md): the types in `cluster.events` go from
 * one node's bus to the other's through JetStream, with their envelope (id, source, node); other
 * types stay local. Events sent while the receiver is down arrive when it is back (its durable
 * consumer), and events published while NATS is down wait in the sender's journal and arrive,
 * in order, after NATS returns, even when the sender was restarted meanwhile.
 */
import { describe, expect, it } from "vitest";
import { clusterNodesPerTest, type ClusterNode } from "../support/cluster-nodes.ts";
import { eventuallyAsync } from "../support/manager-run.ts";
import { natsServerPerTest } from "../support/nats-server.ts";

const nats = natsServerPerTest();
const node = clusterNodesPerTest();

interface Event {
  id: string;
  type: string;
  source: string;
  node?: string;
  data: { n?: number };
}

function configOf(url: string) {
  return {
    daemons: {},
    cluster: { nats: url, ttlMs: 2_000, secret: "sixteen-characters!", events: ["MODEL_PROMOTED"] },
  };
}

function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  return eventuallyAsync(check, 20_000, what);
}

/** Waits until `member` consumes the other nodes' events. */
function consuming(member: ClusterNode): Promise<true> {
  return until(`${member.name} consuming`, async () => {
    const { body } = await member.call<{ bridge: { consuming: boolean } }>("GET", "/v1/cluster");
    return body.bridge.consuming ? true : undefined;
  });
}

async function emit(member: ClusterNode, type: string, n: number): Promise<Event> {
  const { status, body } = await member.call<Event>("POST", "/v1/events", { type, data: { n } });
  expect(status).toBe(201);
  return body;
}

async function eventsOn(member: ClusterNode, type: string): Promise<Event[]> {
  const { body } = await member.call<{ events: Event[] }>("GET", `/v1/events?type=${type}`);
  return body.events;
}

/** The `n` of the MODEL_PROMOTED events `member` has, once it has at least `count`. */
function promotedOn(member: ClusterNode, count: number): Promise<number[]> {
  return until(`${count} MODEL_PROMOTED on ${member.name}`, async () => {
    const ns = (await eventsOn(member, "MODEL_PROMOTED")).map((e) => e.data.n!);
    return ns.length >= count ? ns : undefined;
  });
}

describe("event bridging", () => {
  it("delivers the listed types to the other node, through a restart of it and of NATS", async () => {
    const server = await nats();
    const alpha = node("alpha", configOf(server.url));
    let beta = node("beta", configOf(server.url));
    await consuming(alpha);
    await consuming(beta);

    const local = await emit(alpha, "LOCAL_ONLY", 0);
    const first = await emit(alpha, "MODEL_PROMOTED", 1);
    expect(await promotedOn(beta, 1)).toEqual([1]);
    const [received] = await eventsOn(beta, "MODEL_PROMOTED");
    expect(received).toEqual({ ...first, node: "alpha" });
    expect(await eventsOn(beta, "LOCAL_ONLY")).toEqual([]);
    expect(local.type).toBe("LOCAL_ONLY");
    // Not sent back: alpha has its own event once.
    expect((await eventsOn(alpha, "MODEL_PROMOTED")).map((e) => e.id)).toEqual([first.id]);

    // beta is away while alpha publishes: its durable consumer keeps them.
    const restarting = beta.restart();
    await beta.run.exited;
    for (const n of [2, 3, 4]) await emit(alpha, "MODEL_PROMOTED", n);
    beta = await restarting;
    expect(await promotedOn(beta, 3)).toEqual([2, 3, 4]);

    // NATS is away while alpha publishes: they wait in alpha's journal, then go in order.
    await server.stop();
    await until("alpha to lose NATS", async () => {
      const { body } = await alpha.call<{ nats: { state: string } }>("GET", "/v1/cluster");
      return body.nats.state === "disconnected" ? true : undefined;
    });
    for (const n of [5, 6, 7]) await emit(alpha, "MODEL_PROMOTED", n);
    await server.start();
    expect(await promotedOn(beta, 6)).toEqual([2, 3, 4, 5, 6, 7]);
    const onBeta = await eventsOn(beta, "MODEL_PROMOTED");
    expect(new Set(onBeta.map((e) => e.id)).size).toBe(onBeta.length);
    expect(onBeta.every((e) => e.node === "alpha" && e.source === first.source)).toBe(true);

    // NATS away and alpha restarted meanwhile: the event waits in alpha's journal all along.
    await server.stop();
    await until("alpha to lose NATS again", async () => {
      const { body } = await alpha.call<{ nats: { state: string } }>("GET", "/v1/cluster");
      return body.nats.state === "disconnected" ? true : undefined;
    });
    await emit(alpha, "MODEL_PROMOTED", 8);
    const alphaAgain = await alpha.restart();
    await until("alpha again, NATS not reached", async () => {
      const { body } = await alphaAgain.call<{ nats: { state: string } }>("GET", "/v1/cluster");
      return body.nats.state === "connecting" ? true : undefined;
    });
    await server.start();
    expect(await promotedOn(beta, 7)).toEqual([2, 3, 4, 5, 6, 7, 8]);
  }, 60_000);
});
