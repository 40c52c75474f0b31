/**
 * Singleton daemons end to end (SPEC §11, docs/cluster.md): three managers that would each run
 * `leader` (a process with a marker of its own); exactly one runs it, the holder of its lease.
 * Killing the holder's manager moves it to another node; freezing the holder (SIGSTOP) moves it
 * too, and the frozen holder, resumed, does not run it again. Throughout, a sampler counts the
 * marked processes in /proc every few milliseconds: never two at once.
 */
import { readdirSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { clusterNodesPerTest, type ClusterNode } from "../support/cluster-nodes.ts";
import { eventuallyAsync } from "../support/manager-run.ts";
import { natsServerPerTest } from "../support/nats-server.ts";

const nats = natsServerPerTest();
const node = clusterNodesPerTest();

const TTL_MS = 2_000;
/** `sleep`'s argument, unique to this run: how the sampler knows the leader's processes. */
const MARK = `3000.${process.pid}`;

/** Pids of processes running `sleep MARK`. */
function leaders(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (argv[0]?.endsWith("sleep") && argv[1] === MARK) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** Counts the leader processes every 10 ms until stopped: the most ever seen at once. */
function sampleLeaders(): { most(): number; stop(): void } {
  let most = 0;
  const timer = setInterval(() => (most = Math.max(most, leaders().length)), 10);
  return { most: () => most, stop: () => clearInterval(timer) };
}

let sampler: ReturnType<typeof sampleLeaders> | undefined;
afterEach(() => sampler?.stop());

function configOf(url: string) {
  return {
    daemons: {
      leader: { command: "sleep", args: [MARK], singleton: true, stopTimeoutMs: 500 },
      worker: { command: "sleep", args: ["1000"] },
    },
    cluster: { nats: url, ttlMs: TTL_MS, secret: "sixteen-characters!" },
  };
}

async function leaderState(member: ClusterNode): Promise<string> {
  const { body } = await member.call<{ state: string }>("GET", "/v1/daemons/leader");
  return body.state;
}

/** The one node of `members` whose leader is RUNNING, once exactly one is. */
function holderAmong(members: ClusterNode[]): Promise<ClusterNode> {
  return eventuallyAsync(
    async () => {
      const states = await Promise.all(members.map(leaderState));
      const running = members.filter((_, index) => states[index] === "RUNNING");
      return running.length === 1 && leaders().length === 1 ? running[0] : undefined;
    },
    20_000,
    `exactly one of ${members.map((m) => m.name).join(", ")} running leader`,
  );
}

describe("singleton daemons", () => {
  it("cannot be depended on in cluster mode: warden up says which daemon and exits 2", async () => {
    const server = await nats();
    const config = configOf(server.url);
    const alpha = node("alpha", {
      ...config,
      daemons: {
        ...config.daemons,
        follower: { command: "sleep", args: ["1000"], dependsOn: ["leader"] },
      },
    });
    expect(await alpha.run.exited).toBe(2);
    expect(alpha.run.output().stderr).toMatch(
      /daemons\.follower\.dependsOn: "leader" is a singleton/,
    );
  }, 30_000);

  it("run on exactly one node and move when the holder is killed", async () => {
    const server = await nats();
    const members = ["alpha", "beta", "gamma"].map((name) => node(name, configOf(server.url)));
    sampler = sampleLeaders();
    const first = await holderAmong(members);
    // The others run everything else, and wait.
    for (const member of members.filter((m) => m !== first)) {
      expect(await leaderState(member)).toBe("PENDING");
    }
    const { body } = await first.call<{ singletons: Record<string, string> }>("GET", "/v1/cluster");
    expect(body.singletons).toEqual({ leader: first.name });
    const printed = await first.cli(["status", "--cluster"]);
    expect(printed.stdout).toContain(`singletons: leader on ${first.name}`);
    // Asked to start it elsewhere, a standby refuses, saying who holds it.
    const standby = members.find((m) => m !== first)!;
    const refused = await first.cli(["restart", "leader", "--node", standby.name]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`held by node "${first.name}"`);
    expect(await leaderState(standby)).toBe("PENDING");

    first.run.child.kill("SIGKILL");
    await first.run.exited;
    const rest = members.filter((m) => m !== first);
    const second = await holderAmong(rest);
    expect(second).not.toBe(first);
    expect(sampler.most()).toBe(1);
  }, 60_000);

  it("move away from a frozen holder, which does not run them again when it resumes", async () => {
    const server = await nats();
    const members = ["alpha", "beta"].map((name) => node(name, configOf(server.url)));
    sampler = sampleLeaders();
    const frozen = await holderAmong(members);
    const other = members.find((m) => m !== frozen)!;
    const frozenLeader = leaders()[0]!;

    frozen.run.child.kill("SIGSTOP");
    // The fence kills the frozen holder's leader before the lease can be taken; then it moves.
    await eventuallyAsync(
      async () => ((await leaderState(other)) === "RUNNING" ? true : undefined),
      20_000,
      `${other.name} to take the leader over`,
    );
    expect(leaders()).not.toContain(frozenLeader);

    frozen.run.child.kill("SIGCONT");
    await eventuallyAsync(
      async () => {
        const state = await leaderState(frozen);
        return state === "STOPPED" || state === "PENDING" ? state : undefined;
      },
      20_000,
      `${frozen.name}'s leader to stay down after it resumed`,
    );
    expect(await holderAmong(members)).toBe(other);
    const { body } = await frozen.call<{ singletons: Record<string, string> }>(
      "GET",
      "/v1/cluster",
    );
    expect(body.singletons.leader).not.toBe(frozen.name);
    expect(sampler.most()).toBe(1);
  }, 60_000);
});
