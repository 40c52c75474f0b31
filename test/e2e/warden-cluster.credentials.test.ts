/**
 * NATS credentials pass through to the client (SPEC §11, docs/cluster.md): on a server that
 * wants a user and password, nodes with them join and, without a cluster secret, are authorised
 * for remote control by the server's authentication; a node with a wrong password supervises
 * its daemons all the same and says in `warden status` why it is not in the cluster.
 */
import { describe, expect, it } from "vitest";
import { clusterNodesPerTest, type ClusterNode } from "../support/cluster-nodes.ts";
import { eventuallyAsync } from "../support/manager-run.ts";
import { natsServerPerTest } from "../support/nats-server.ts";

const nats = natsServerPerTest();
const node = clusterNodesPerTest();

function configOf(url: string, pass: string) {
  return {
    daemons: { worker: { command: "sleep", args: ["1000"] } },
    cluster: { nats: url, ttlMs: 2_000, user: "warden", pass },
  };
}

async function workerPid(member: ClusterNode): Promise<number> {
  return eventuallyAsync(
    async () => {
      const { body } = await member.call<{ state: string; process?: { pid?: number } }>(
        "GET",
        "/v1/daemons/worker",
      );
      return body.state === "RUNNING" ? body.process?.pid : undefined;
    },
    20_000,
    `worker RUNNING on ${member.name}`,
  );
}

describe("cluster mode with NATS credentials", () => {
  it("joins with them, is authorised by them, and says so when they are wrong", async () => {
    const server = await nats({ args: ["--user", "warden", "--pass", "right-password"] });
    const alpha = node("alpha", configOf(server.url, "right-password"));
    const beta = node("beta", configOf(server.url, "right-password"));
    const intruder = node("intruder", configOf(server.url, "wrong-password"));
    await eventuallyAsync(
      async () => {
        const { body } = await alpha.call<{ current: boolean; nodes: { node: string }[] }>(
          "GET",
          "/v1/cluster",
        );
        const names = body.nodes.map((n) => n.node);
        return body.current && names.includes("beta") ? true : undefined;
      },
      20_000,
      "alpha to see beta",
    );

    // No secret: the server's authentication authorises remote control.
    const before = await workerPid(beta);
    const restarted = await alpha.cli(["restart", "worker", "--node", "beta"]);
    expect(restarted.code).toBe(0);
    expect(await workerPid(beta)).not.toBe(before);

    // The intruder supervises locally and says why it is not in the cluster.
    await workerPid(intruder);
    const status = await eventuallyAsync(
      async () => {
        const run = await intruder.cli(["status"]);
        return /cluster: NATS .*not reached yet.*\(.*[Aa]uthorization/.test(run.stdout)
          ? run
          : undefined;
      },
      20_000,
      "the intruder's status to name the refusal",
    );
    expect(status.stdout).toMatch(/worker\s+RUNNING/);
    const { body } = await alpha.call<{ nodes: { node: string }[] }>("GET", "/v1/cluster");
    expect(body.nodes.map((n) => n.node)).not.toContain("intruder");
  }, 60_000);
});
