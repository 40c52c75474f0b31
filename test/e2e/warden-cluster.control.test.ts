/**
 * Remote control end to end (SPEC §11, docs/cluster.md): `warden restart <NAME> --node N` and
 * `--all-nodes` through NATS request/reply between real managers, authorised by the cluster
 * secret. A node with another secret, a request without a MAC and a replayed request change
 * nothing and say why.
 */
import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { newNonce, signRequest } from "../../runtime/cluster/control-auth.ts";
import { clusterNodesPerTest, type ClusterNode } from "../support/cluster-nodes.ts";
import { eventuallyAsync } from "../support/manager-run.ts";
import { natsServerPerTest } from "../support/nats-server.ts";

const nats = natsServerPerTest();
const node = clusterNodesPerTest();

const SECRET = "the-cluster-secret-1";
const OTHER_SECRET = "another-secret-2222";

interface Daemon {
  state: string;
  restarts: number;
  process?: { pid?: number };
}

function configOf(url: string, secret: string) {
  return {
    daemons: { worker: { command: "sleep", args: ["1000"] } },
    cluster: { nats: url, ttlMs: 2_000, secret },
  };
}

/** The worker's pid once it is RUNNING. */
async function workerPid(member: ClusterNode): Promise<number> {
  return eventuallyAsync(
    async () => {
      const { body } = await member.call<Daemon>("GET", "/v1/daemons/worker");
      return body.state === "RUNNING" ? body.process?.pid : undefined;
    },
    20_000,
    `worker RUNNING on ${member.name}`,
  );
}

/** Waits until `member` sees `names` in the registry. */
function seesNodes(member: ClusterNode, names: string[]): Promise<true> {
  return eventuallyAsync(
    async () => {
      const { body } = await member.call<{ current: boolean; nodes: { node: string }[] }>(
        "GET",
        "/v1/cluster",
      );
      const seen = body.nodes.map((n) => n.node);
      return body.current && names.every((name) => seen.includes(name)) ? true : undefined;
    },
    20_000,
    `${member.name} to see ${names.join(", ")}`,
  );
}

describe("warden start|stop|restart --node / --all-nodes", () => {
  it("restarts on another node with the secret, and is refused without it", async () => {
    const server = await nats();
    const alpha = node("alpha", configOf(server.url, SECRET));
    const beta = node("beta", configOf(server.url, SECRET));
    const gamma = node("gamma", configOf(server.url, OTHER_SECRET));
    await seesNodes(alpha, ["alpha", "beta", "gamma"]);
    const [alphaPid, betaPid, gammaPid] = await Promise.all([alpha, beta, gamma].map(workerPid));

    // alpha restarts beta's worker: a new process there, nothing changes on alpha.
    const restarted = await alpha.cli(["restart", "worker", "--node", "beta"]);
    expect(restarted.stderr).toBe("");
    expect(restarted.code).toBe(0);
    expect(restarted.stdout).toMatch(/^beta {2}worker {2}RUNNING {2}\(restarted on beta/m);
    const betaAfter = await workerPid(beta);
    expect(betaAfter).not.toBe(betaPid);
    expect(await workerPid(alpha)).toBe(alphaPid);

    // gamma has another secret: it refuses, saying why, and its worker is untouched.
    const refused = await alpha.cli(["restart", "worker", "--node", "gamma", "--json"]);
    expect(refused.code).toBe(1);
    const [answer] = JSON.parse(refused.stdout);
    expect(answer).toMatchObject({ node: "gamma", ok: false, error: { code: "unauthorized" } });
    expect(answer.error.message).toMatch(/MAC does not match/);
    expect(refused.stderr).toMatch(/refused/);
    const { body: gammaWorker } = await gamma.call<Daemon>("GET", "/v1/daemons/worker");
    expect(gammaWorker).toMatchObject({ state: "RUNNING", restarts: 0 });
    expect(gammaWorker.process?.pid).toBe(gammaPid);

    // A node that no manager answers for.
    const nobody = await alpha.cli(["stop", "worker", "--node", "nobody"]);
    expect(nobody.code).toBe(1);
    expect(nobody.stdout).toMatch(/node_unreachable/);

    // --all-nodes: alpha and beta restart, gamma refuses; exit 1 for the refusal.
    const all = await alpha.cli(["restart", "worker", "--all-nodes", "--json"]);
    expect(all.code).toBe(1);
    const answers = JSON.parse(all.stdout) as { node: string; ok: boolean }[];
    expect(answers.map((a) => [a.node, a.ok]).sort()).toEqual([
      ["alpha", true],
      ["beta", true],
      ["gamma", false],
    ]);
    expect(await workerPid(alpha)).not.toBe(alphaPid);
    expect(await workerPid(beta)).not.toBe(betaAfter);
    expect((await gamma.call<Daemon>("GET", "/v1/daemons/worker")).body.process?.pid).toBe(
      gammaPid,
    );
  }, 60_000);

  it("refuses a raw request without a MAC, and a replayed one, changing nothing", async () => {
    const server = await nats();
    const beta = node("beta", configOf(server.url, SECRET));
    await seesNodes(beta, ["beta"]);
    const pid = await workerPid(beta);
    const nc = await connect({ servers: server.url });
    try {
      const ask = async (request: object) => {
        const msg = await nc.request("warden.control.beta", JSON.stringify(request), {
          timeout: 10_000,
        });
        return msg.json<{ ok: boolean; error?: { code: string; message: string } }>();
      };
      const fields = {
        v: 1 as const,
        to: "beta",
        action: "stop" as const,
        daemon: "worker",
        from: "intruder",
        issuedAt: Date.now(),
        nonce: newNonce(),
        timeoutMs: 10_000,
      };
      const unsigned = await ask(fields);
      expect(unsigned).toMatchObject({ ok: false, error: { code: "unauthorized" } });
      expect(unsigned.error!.message).toMatch(/no MAC/);
      const garbage = await ask({ hello: "world" });
      expect(garbage).toMatchObject({ ok: false, error: { code: "bad_request" } });
      expect((await beta.call<Daemon>("GET", "/v1/daemons/worker")).body).toMatchObject({
        state: "RUNNING",
        process: { pid },
      });

      // Signed with the secret it works once; the same bytes again are a replay.
      const signed = signRequest({ ...fields, action: "restart" }, SECRET);
      expect(await ask(signed)).toMatchObject({ ok: true, daemon: { state: "RUNNING" } });
      const afterFirst = await workerPid(beta);
      expect(afterFirst).not.toBe(pid);
      // Authorised, but the control API's own daemon is not stopped from afar.
      const health = await ask(
        signRequest({ ...fields, nonce: newNonce(), daemon: "HEALTH_SERVER" }, SECRET),
      );
      expect(health).toMatchObject({ ok: false, error: { code: "bad_request" } });
      expect(health.error!.message).toMatch(/not stopped from afar/);
      const replayed = await ask(signed);
      expect(replayed).toMatchObject({ ok: false, error: { code: "unauthorized" } });
      expect(replayed.error!.message).toMatch(/replay/);
      expect(await workerPid(beta)).toBe(afterFirst);
    } finally {
      await nc.close();
    }
  }, 60_000);
});
