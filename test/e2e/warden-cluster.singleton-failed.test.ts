/**
 * Singletons and failure (docs/cluster.md, "Singletons"): a singleton that reaches FAILED on its
 * holder gives its lease up, and another node runs it; a local start of a singleton on a node
 * that does not hold its lease is refused (409 conflict) before anything spawns.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clusterNodesPerTest, type ClusterNode } from "../support/cluster-nodes.ts";
import { eventuallyAsync } from "../support/manager-run.ts";
import { natsServerPerTest } from "../support/nats-server.ts";

const nats = natsServerPerTest();
const node = clusterNodesPerTest();

const TTL_MS = 2_000;

function configOf(url: string) {
  return {
    daemons: {
      // Fails at once, for good (no restarts), where a file `fail` exists in the node's folder.
      leader: {
        command: "sh",
        args: ["-c", "test -e fail && exit 1; exec sleep 1000"],
        singleton: true,
        stopTimeoutMs: 500,
        maxRestarts: 0,
      },
    },
    cluster: { nats: url, ttlMs: TTL_MS, secret: "sixteen-characters!" },
  };
}

interface LeaderStatus {
  state: string;
  process?: { pid?: number };
}

async function leaderOf(member: ClusterNode): Promise<LeaderStatus> {
  return (await member.call<LeaderStatus>("GET", "/v1/daemons/leader")).body;
}

function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  return eventuallyAsync(check, 30_000, what);
}

describe("singletons and failure", () => {
  it("refuse a local start on a standby, and move to another node when FAILED on the holder", async () => {
    const server = await nats();
    const members = ["alpha", "beta"].map((name) => node(name, configOf(server.url)));
    const holder = await until("one holder", async () => {
      const states = await Promise.all(members.map(leaderOf));
      const running = members.filter((_, i) => states[i]!.state === "RUNNING");
      return running.length === 1 ? running[0] : undefined;
    });
    const standby = members.find((m) => m !== holder)!;
    await until("the standby to see the holder", async () => {
      const { body } = await standby.call<{ singletons: Record<string, string | null> }>(
        "GET",
        "/v1/cluster",
      );
      return body.singletons.leader === holder.name ? true : undefined;
    });

    // A local start on the standby: refused, nothing spawned.
    const refused = await standby.call<{ error: { code: string; message: string } }>(
      "POST",
      "/v1/daemons/leader/start",
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("conflict");
    expect(refused.body.error.message).toContain(`held by node "${holder.name}"`);
    const cli = await standby.cli(["start", "leader"]);
    expect(cli.code).toBe(1);
    const events = await standby.call<{ events: { data: { daemon?: string } }[] }>(
      "GET",
      "/v1/events?type=DAEMON_STARTING&limit=1000",
    );
    expect(events.body.events.filter((e) => e.data.daemon === "leader")).toEqual([]);
    expect((await leaderOf(standby)).state).toBe("PENDING");

    // FAILED on the holder: its lease goes, and the standby runs it.
    writeFileSync(join(holder.dir, "fail"), "");
    const pid = (await leaderOf(holder)).process?.pid;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, "SIGKILL");
    await until("FAILED on the holder", async () =>
      (await leaderOf(holder)).state === "FAILED" ? true : undefined,
    );
    await until("the standby to run it", async () =>
      (await leaderOf(standby)).state === "RUNNING" ? true : undefined,
    );
    const { body } = await standby.call<{ singletons: Record<string, string | null> }>(
      "GET",
      "/v1/cluster",
    );
    expect(body.singletons).toEqual({ leader: standby.name });
    expect((await leaderOf(holder)).state).toBe("FAILED");
  }, 90_000);
});
