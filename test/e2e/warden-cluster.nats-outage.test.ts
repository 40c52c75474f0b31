/**
 * Losing NATS never stops local supervision (SPEC §11, docs/cluster.md): a manager whose NATS
 * server is down at start runs its daemons and says so in `warden status` and `/readyz`, joins
 * when the server comes up, rides out a restart of the server (longer than the TTL) with its
 * registry watcher working again afterwards, and declares no node lost for its own blindness.
 */
import { describe, expect, it } from "vitest";
import { clusterNodesPerTest, type ClusterNode } from "../support/cluster-nodes.ts";
import { eventuallyAsync } from "../support/manager-run.ts";
import { natsServerPerTest } from "../support/nats-server.ts";

const nats = natsServerPerTest();
const node = clusterNodesPerTest();

const TTL_MS = 2_000;

interface Doc {
  current: boolean;
  nats: { state: string; problem?: string };
  nodes: { node: string; stale: boolean; daemons: { name: string; pid?: number }[] }[];
}

function configOf(url: string) {
  return {
    daemons: { worker: { command: "sleep", args: ["1000"] } },
    cluster: { nats: url, ttlMs: TTL_MS, secret: "sixteen-characters!" },
  };
}

async function clusterOf(member: ClusterNode): Promise<Doc> {
  return (await member.call<Doc>("GET", "/v1/cluster")).body;
}

function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  return eventuallyAsync(check, 20_000, what);
}

async function workerPid(member: ClusterNode): Promise<number> {
  return until(`worker RUNNING on ${member.name}`, async () => {
    const { body } = await member.call<{ state: string; process?: { pid?: number } }>(
      "GET",
      "/v1/daemons/worker",
    );
    return body.state === "RUNNING" ? body.process?.pid : undefined;
  });
}

describe("warden up with cluster when NATS is down", () => {
  it("supervises without NATS, joins when it comes, and survives a NATS restart", async () => {
    const server = await nats();
    await server.stop();

    // Down at start: the daemons run, and status says what is wrong.
    const alpha = node("alpha", configOf(server.url));
    await workerPid(alpha);
    const status = await alpha.cli(["status"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/worker\s+RUNNING/);
    expect(status.stdout).toMatch(/cluster: NATS nats:\/\/127\.0\.0\.1:\d+ not reached yet/);
    const { url } = await alpha.api();
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(JSON.stringify(await ready.json())).toMatch(/daemons are supervised locally/);
    expect((await clusterOf(alpha)).nats.state).toBe("connecting");

    // NATS comes: alpha joins, a second node too.
    await server.start();
    const beta = node("beta", configOf(server.url));
    const seesBoth = (member: ClusterNode) =>
      until(`${member.name} to see both`, async () => {
        const doc = await clusterOf(member);
        const fresh = doc.nodes.filter((n) => !n.stale).map((n) => n.node);
        return doc.current && fresh.includes("alpha") && fresh.includes("beta") ? doc : undefined;
      });
    await seesBoth(alpha);
    await seesBoth(beta);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    // NATS goes away for longer than the TTL; beta's worker restarts locally meanwhile.
    await server.stop();
    await until("alpha to notice", async () =>
      (await clusterOf(alpha)).nats.state === "disconnected" ? true : undefined,
    );
    const before = await workerPid(beta);
    const restart = await beta.call("POST", "/v1/daemons/worker/restart");
    expect(restart.status).toBe(200);
    const after = await workerPid(beta);
    expect(after).not.toBe(before);
    await until("an outage longer than the TTL", async () =>
      /connection lost for [3-9]\d* s/.test((await clusterOf(alpha)).nats.problem ?? "")
        ? true
        : undefined,
    );

    // Back on the same store: alpha's watcher sees beta's new worker, and beta was never lost.
    await server.start();
    await until("alpha to see beta's new worker", async () => {
      const doc = await clusterOf(alpha);
      const worker = doc.nodes
        .find((n) => n.node === "beta")
        ?.daemons.find((d) => d.name === "worker");
      return doc.current && worker?.pid === after ? true : undefined;
    });
    await seesBoth(alpha);
    const { body } = await alpha.call<{ events: { data: { node: string } }[] }>(
      "GET",
      "/v1/events?type=NODE_LOST",
    );
    expect(body.events.filter((e) => e.data.node === "beta")).toEqual([]);
  }, 60_000);
});
