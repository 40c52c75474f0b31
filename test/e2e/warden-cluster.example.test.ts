/**
 * The ringrift example's three nodes on one machine (issue P12, point 6): the one command of
 * `npm run example:ringrift:cluster` (examples/ringrift/cluster/start.ts, run here on a copy of
 * the example so that the repository stays clean) starts a nats-server and three managers with
 * `--profile auto`; `warden status --cluster --json` lists the three, each with the profile of
 * its role and the `profileRules` rule that chose it; SIGINT stops everything — the managers,
 * their daemons and nats-server — and the script exits 0.
 *
 * With `--light`: the coordinator runs a dozen of its daemons instead of 60, so that the three
 * nodes (about 30 daemons in all) start within seconds on a two-core machine shared with other
 * tests; what is checked (roles, profiles, rules, the ordered stop) is the same.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cluster-nodes.ts";
import { eventuallyAsync, foldersAndRunsPerTest } from "../support/manager-run.ts";
import { descendantsOf, stillRunning } from "../support/orphans.ts";
import { repoRoot } from "../support/run-warden.ts";
import { startedProcessesPerTest } from "../support/started-processes.ts";

const TSX_LOADER = pathToFileURL(join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;
/** Warden from the sources, as the other cluster tests run it: no build needed. */
const WARDEN_FROM_SOURCES = [
  process.execPath,
  "--import",
  TSX_LOADER,
  join(repoRoot, "cli/main.ts"),
];

const { folder } = foldersAndRunsPerTest("warden-ringrift-cluster-");
const started = startedProcessesPerTest();

interface ClusterDoc {
  current: boolean;
  nodes: {
    node: string;
    profile: string | null;
    rule?: string;
    stale: boolean;
    daemons: { name: string; state: string; pid?: number }[];
  }[];
}

/** A copy of examples/ringrift without what running it makes, with `warden` resolvable. */
function copyOfExample(): string {
  const dir = folder();
  const made = new Set(["work", ".warden", "__pycache__", "node_modules"]);
  cpSync(join(repoRoot, "examples/ringrift"), dir, {
    recursive: true,
    filter: (path) => !made.has(basename(path)),
  });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(repoRoot, join(dir, "node_modules", "warden"), "dir");
  return dir;
}

describe("examples/ringrift/cluster", () => {
  it("starts NATS and three nodes with one command, each with its role's profile; SIGINT stops them all", async () => {
    const script = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).scripts[
      "example:ringrift:cluster"
    ];
    expect(script).toBe("node --import tsx examples/ringrift/cluster/start.ts");

    const dir = copyOfExample();
    const launcher = spawn(
      process.execPath,
      ["--import", TSX_LOADER, join(dir, "cluster/start.ts"), "--light"],
      {
        cwd: dir,
        env: { ...process.env, WARDEN_CLI: JSON.stringify(WARDEN_FROM_SOURCES) },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      },
    );
    started.addGroup(launcher.pid!);
    let stderr = "";
    launcher.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => launcher.once("exit", resolve));

    const pidsOf = (pattern: RegExp) =>
      [...stderr.matchAll(pattern)].map((match) => Number(match[1]));
    const ready = await eventuallyAsync(
      async () => (/three nodes starting/.test(stderr) ? pidsOf(/manager pid (\d+)/g) : undefined),
      20_000,
      `the launcher's start; stderr:\n${stderr}`,
    );
    const [natsPid] = pidsOf(/nats-server pid (\d+)/g);
    expect(natsPid).toBeGreaterThan(0);
    for (const pid of [natsPid!, ...ready]) started.addGroup(pid);
    expect(ready).toHaveLength(3);
    expect(stderr).toMatch(/status --cluster/); // it says how to look

    const coordinatorConfig = join(dir, "cluster/coordinator.config.ts");
    const expected = {
      coordinator: "coordinator_lite",
      trainer: "training_node",
      selfplay: "selfplay",
    };
    const doc = await eventuallyAsync(
      async () => {
        const cli = runCli(["status", "--cluster", "--json", "--config", coordinatorConfig], dir);
        if ((await cli.exited) !== 0) return undefined;
        const parsed = JSON.parse(cli.output().stdout) as ClusterDoc;
        const fresh = parsed.nodes.filter((node) => !node.stale && node.daemons.length > 0);
        return parsed.current && fresh.length === 3 ? parsed : undefined;
      },
      90_000,
      `three nodes in warden status --cluster --json; launcher:\n${stderr}`,
    );
    for (const [node, profile] of Object.entries(expected)) {
      const entry = doc.nodes.find((candidate) => candidate.node === node);
      expect(entry?.profile, node).toBe(profile);
      expect(entry?.rule, node).toMatch(
        new RegExp(`^profileRules\\[\\d+\\]: RINGRIFT_ROLE="${profile}" matches "${profile}"$`),
      );
    }
    // A record lists what the node runs, not every daemon its configuration binds.
    const selfplayDaemons = doc.nodes
      .find((n) => n.node === "selfplay")!
      .daemons.map((d) => d.name);
    expect(selfplayDaemons).toContain("AUTO_SYNC");
    expect(selfplayDaemons).not.toContain("TOURNAMENT_DAEMON");
    expect(selfplayDaemons.length).toBeLessThan(10);
    const table = runCli(["status", "--cluster", "--config", coordinatorConfig], dir);
    expect(await table.exited).toBe(0);
    expect(table.output().stdout).toMatch(/selfplay +selfplay +profileRules\[\d+\]: RINGRIFT_ROLE/);

    // Remote control between the nodes: from the selfplay node, a restart on the coordinator.
    const restart = runCli(
      [
        "restart",
        "TOURNAMENT_DAEMON",
        "--node",
        "coordinator",
        "--config",
        join(dir, "cluster/selfplay.config.ts"),
      ],
      dir,
    );
    expect(await restart.exited, restart.output().stderr).toBe(0);
    expect(restart.output().stdout).toMatch(/coordinator +TOURNAMENT_DAEMON +RUNNING/);

    // Everything the command started: NATS, the managers, their daemons and what those spawned
    // (the daemons' pids as the nodes' records say, once they have caught up with the restart).
    const everything = await eventuallyAsync(
      async () => {
        const cli = runCli(["status", "--cluster", "--json", "--config", coordinatorConfig], dir);
        if ((await cli.exited) !== 0) return undefined;
        const nodes = (JSON.parse(cli.output().stdout) as ClusterDoc).nodes;
        const daemonPids = nodes.flatMap((node) =>
          node.daemons.flatMap((daemon) => (daemon.pid !== undefined ? [daemon.pid] : [])),
        );
        const tree = descendantsOf(launcher.pid!);
        return daemonPids.length > 10 && daemonPids.every((pid) => tree.includes(pid))
          ? tree
          : undefined;
      },
      30_000,
      "every daemon of the three nodes among the processes the command started",
    );
    for (const pid of everything) started.addPid(pid);
    expect(everything).toContain(natsPid);

    launcher.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/selfplay stopped[\s\S]*trainer stopped[\s\S]*coordinator stopped/);
    expect(stderr).toMatch(/nats-server stopped/);
    await eventuallyAsync(
      async () => (stillRunning(everything).length === 0 ? true : undefined),
      10_000,
      "every process of the cluster to end",
    );
  }, 180_000);
});
