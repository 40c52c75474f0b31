/**
 * Cluster mode's node registry end to end (SPEC §11, docs/cluster.md): three `warden up` as
 * three nodes on one real nats-server (2.9 from Debian: no per-key TTL, no expiry events).
 * Each sees all three with their daemons; a node killed with SIGKILL stops heartbeating and is
 * NODE_LOST on both others and STALE in `warden status --cluster`; started again, it is
 * NODE_JOINED.
 */
import { describe, expect, it } from "vitest";
import {
  clusterNodesPerTest,
  runCli,
  stopRun,
  type ClusterNode,
} from "../support/cluster-nodes.ts";
import { eventuallyAsync } from "../support/manager-run.ts";
import { natsServerPerTest } from "../support/nats-server.ts";

const nats = natsServerPerTest();
const node = clusterNodesPerTest();

const TTL_MS = 2_000;

interface Doc {
  node: string;
  current: boolean;
  nats: { state: string; serverVersion?: string };
  nodes: {
    node: string;
    self: boolean;
    profile: string | null;
    stale: boolean;
    lastSeen: number;
    daemons: { name: string; state: string }[];
  }[];
}

function configOf(url: string, daemon: string) {
  return {
    daemons: { [daemon]: { command: "sleep", args: ["1000"] } },
    profiles: { work: [daemon] },
    cluster: { nats: url, ttlMs: TTL_MS, secret: "a-secret-of-sixteen+" },
  };
}

async function clusterOf(member: ClusterNode): Promise<Doc> {
  const { status, body } = await member.call<Doc>("GET", "/v1/cluster");
  expect(status).toBe(200);
  return body;
}

/** Waits until `member` sees exactly `names` fresh (and, if given, `stale` stale). */
function seesNodes(member: ClusterNode, fresh: string[], stale: string[] = []): Promise<Doc> {
  return eventuallyAsync(
    async () => {
      const doc = await clusterOf(member);
      const up = doc.nodes.filter((n) => !n.stale).map((n) => n.node);
      const down = doc.nodes.filter((n) => n.stale).map((n) => n.node);
      const want = (a: string[], b: string[]) => a.sort().join() === b.sort().join();
      return doc.current && want(up, fresh) && want(down, stale) ? doc : undefined;
    },
    20_000,
    `${member.name} to see ${fresh.join(",")} up and [${stale.join(",")}] stale`,
  );
}

async function eventsOf(member: ClusterNode, type: string) {
  const { body } = await member.call<{ events: { type: string; data: { node: string } }[] }>(
    "GET",
    `/v1/events?type=${type}`,
  );
  return body.events;
}

describe("warden up with cluster: the node registry", () => {
  it("shows every node with its profile and daemons, marks a killed one stale, and sees it come back", async () => {
    const server = await nats();
    const a = node("alpha", configOf(server.url, "worker_a"), ["--profile", "work"]);
    const b = node("beta", configOf(server.url, "worker_b"));
    const cfgC = configOf(server.url, "worker_c");
    let c = node("gamma", cfgC);
    const doc = await seesNodes(a, ["alpha", "beta", "gamma"]);
    expect(doc.node).toBe("alpha");
    expect(doc.nats).toMatchObject({
      state: "connected",
      serverVersion: expect.stringMatching(/^2\./),
    });
    const byName = new Map(doc.nodes.map((n) => [n.node, n]));
    expect(byName.get("alpha")).toMatchObject({ self: true, profile: "work" });
    expect(byName.get("beta")!.self).toBe(false);
    await seesNodes(b, ["alpha", "beta", "gamma"]);
    // Each node's record carries its own daemons and their states.
    const withWorkers = await eventuallyAsync(
      async () => {
        const now = await clusterOf(a);
        const running = (name: string, daemon: string) =>
          now.nodes
            .find((n) => n.node === name)
            ?.daemons.some((d) => d.name === daemon && d.state === "RUNNING");
        return running("beta", "worker_b") && running("gamma", "worker_c") ? now : undefined;
      },
      20_000,
      "the workers RUNNING in the records",
    );
    expect(withWorkers.nodes.find((n) => n.node === "beta")!.daemons.map((d) => d.name)).toContain(
      "HEALTH_SERVER",
    );

    // The CLI prints the same document (SPEC §11 shape) and a table.
    const json = await a.cli(["status", "--cluster", "--json"]);
    expect(json.code).toBe(0);
    const printed = JSON.parse(json.stdout) as Doc;
    expect(printed.nodes.map((n) => n.node)).toEqual(["alpha", "beta", "gamma"]);
    for (const n of printed.nodes) {
      expect(n).toEqual(
        expect.objectContaining({
          node: expect.any(String),
          profile: n.node === "alpha" ? "work" : null,
          lastSeen: expect.any(Number),
          stale: false,
          daemons: expect.any(Array),
        }),
      );
    }

    // gamma dies without a word: the others judge it from its record's age.
    c.run.child.kill("SIGKILL");
    await c.run.exited;
    await seesNodes(a, ["alpha", "beta"], ["gamma"]);
    await seesNodes(b, ["alpha", "beta"], ["gamma"]);
    for (const member of [a, b]) {
      const lost = await eventuallyAsync(
        async () => (await eventsOf(member, "NODE_LOST")).find((e) => e.data.node === "gamma"),
        10_000,
        `NODE_LOST of gamma on ${member.name}`,
      );
      expect(lost.data).toMatchObject({ node: "gamma", reason: "stale" });
    }
    const table = await b.cli(["status", "--cluster"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^gamma\s.*STALE/m);
    expect(table.stdout).toMatch(/^beta \*\s.*up/m);
    expect(table.stdout).toMatch(/^alpha\s+work\s/m);
    expect(table.stdout).toMatch(/3 nodes: 2 up, 1 stale/);

    // A manager named gamma again: NODE_JOINED on the others (once more than before).
    const joinsOf = async (member: ClusterNode) =>
      (await eventsOf(member, "NODE_JOINED")).filter((e) => e.data.node === "gamma").length;
    const before = [await joinsOf(a), await joinsOf(b)];
    c = node("gamma", { ...cfgC });
    await seesNodes(a, ["alpha", "beta", "gamma"]);
    for (const [index, member] of [a, b].entries()) {
      await eventuallyAsync(
        async () => ((await joinsOf(member)) > before[index]! ? true : undefined),
        10_000,
        `NODE_JOINED of gamma on ${member.name}`,
      );
    }
    expect(c.name).toBe("gamma");

    // beta stops cleanly: it leaves the registry at once, NODE_LOST with reason "left".
    await stopRun(b.run);
    await eventuallyAsync(
      async () =>
        (await eventsOf(a, "NODE_LOST")).find(
          (e) => e.data.node === "beta" && (e.data as { reason?: string }).reason === "left",
        ),
      10_000,
      "NODE_LOST of beta, left",
    );
    expect((await clusterOf(a)).nodes.map((n) => n.node)).toEqual(["alpha", "gamma"]);

    // --watch prints a document per second until SIGTERM.
    const watch = runCli(["status", "--cluster", "--watch", "--json", "--config", a.config], a.dir);
    try {
      const frames = await eventuallyAsync(
        async () => {
          const lines = watch
            .output()
            .stdout.split("\n")
            .filter((line) => line !== "");
          return lines.length >= 2 ? lines.map((line) => JSON.parse(line) as Doc) : undefined;
        },
        10_000,
        "two frames of status --cluster --watch",
      );
      expect(frames[1]!.nodes.map((n) => n.node)).toEqual(["alpha", "gamma"]);
    } finally {
      await stopRun(watch);
    }
    expect(watch.child.exitCode).toBe(0);
  }, 60_000);
});
