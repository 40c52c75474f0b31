/**
 * examples/ringrift as a newcomer runs it (issue P7, items 9 and 10): the built-in catalog with
 * every domain daemon bound to a stand-in. `validate` accepts every profile; `up --profile
 * training_node` (on a copy of the example in a temporary folder, so the repository stays clean)
 * starts every daemon after its dependencies, the stand-ins' events flow, and SIGTERM stops
 * dependents before their dependencies and exits 0; `up --profile coordinator` does the same
 * with the whole set of 60, the order checked from the event stream, and shows the example's
 * resources at work (issue P10, item 5): two of the four sync daemons wait for one of the two
 * `sync-slots`, and the three GPU daemons each see a GPU of their own in CUDA_VISIBLE_DEVICES.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { CATALOGS, catalogEntry } from "../../machines/catalog/catalog.ts";
import { profileMembers } from "../../machines/catalog/profile-members.ts";
import type { Envelope } from "../../machines/envelope.ts";
import {
  ALWAYS_RUNNING_BUILT_INS,
  configuredDaemons,
  dependencyGraphOf,
} from "../../runtime/catalog/config-daemons.ts";
import { loadConfig } from "../../runtime/config/load-config.ts";
import { stillRunning } from "../support/orphans.ts";
import { eventuallyAsync, foldersAndRunsPerTest } from "../support/manager-run.ts";
import { repoRoot, runWarden } from "../support/run-warden.ts";

const example = join(repoRoot, "examples/ringrift");
const exampleConfig = join(example, "warden.config.ts");
const ringrift = CATALOGS.ringrift;

const { folder, track } = foldersAndRunsPerTest("warden-ringrift-");

/** The environment process `pid` was started with, from /proc/<pid>/environ. */
function environOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean);
  return Object.fromEntries(entries.map((entry) => entry.split(/=(.*)/s, 2) as [string, string]));
}

/** A daemon in `warden status --json` of the coordinator. */
interface CoordinatorDaemon {
  name: string;
  state: string;
  waitingFor?: string;
  resources?: Record<string, number[]>;
  process?: { pid?: number };
}

function warden(args: string[], cwd = repoRoot) {
  return track(runWarden(args, cwd));
}

async function finished(args: string[], cwd?: string) {
  const run = warden(args, cwd);
  const code = await run.exited;
  return { code, ...run.output() };
}

/** What running the example makes beside its files (and the test's node_modules link). */
const made = new Set(["work", ".warden", "__pycache__", "node_modules"]);
const written = (name: string) => name !== "__pycache__";

/** The example's files in a fresh temporary folder, with `warden` resolving to this checkout. */
function copyOfExample(): string {
  const dir = folder();
  cpSync(example, dir, { recursive: true, filter: (path) => !made.has(basename(path)) });
  // `import { defineConfig } from "warden"` in the configuration, as in an installed project.
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(repoRoot, join(dir, "node_modules", "warden"), "dir");
  return dir;
}

/** The catalog's dependencies of `name` (the example overrides none). */
const dependsOn = (name: string): readonly string[] =>
  catalogEntry(name, ringrift)?.dependsOn ?? [];

/** What `warden up` starts for `profile`: HEALTH_SERVER, the built-ins it always runs, the profile. */
const startedFor = (profile: string): string[] => [
  ...new Set([
    "HEALTH_SERVER",
    ...Object.keys(ALWAYS_RUNNING_BUILT_INS),
    ...profileMembers(profile, ringrift),
  ]),
];

/** `warden up`'s transition lines, in order: [daemon, from, to]. */
function transitions(stdout: string): [string, string, string][] {
  return [...stdout.matchAll(/^\S+ {2}(\S+) +([A-Z]+) → ([A-Z]+)\b/gm)].map(
    ([, name, from, to]) => [name!, from!, to!],
  );
}

/**
 * From the transitions `warden up` printed: every target STOPPED, and each before any of its
 * dependencies began STOPPING.
 */
function expectStoppedDependentsFirst(
  stdout: string,
  targets: readonly string[],
  dependenciesOf: (name: string) => readonly string[],
): void {
  const lines = transitions(stdout);
  const last = (name: string, to: string) =>
    lines.findLastIndex(([daemon, , state]) => daemon === name && state === to);
  for (const name of targets) {
    expect(last(name, "STOPPED"), `${name} stopped`).toBeGreaterThanOrEqual(0);
    for (const dependency of dependenciesOf(name)) {
      expect(
        last(name, "STOPPED"),
        `${name} STOPPED before ${dependency} is STOPPING`,
      ).toBeLessThan(last(dependency, "STOPPING"));
    }
  }
}

describe("examples/ringrift: warden validate", () => {
  it("accepts the whole file and every profile", async () => {
    const results = await Promise.all(
      [
        [],
        ...["coordinator", "production", "training_node", "selfplay", "ephemeral"].map((p) => [
          "--profile",
          p,
        ]),
      ].map((extra) => finished(["validate", "--config", exampleConfig, ...extra])),
    );
    for (const { code, stdout, stderr } of results) {
      expect(code, stderr).toBe(0);
      expect(stdout).toMatch(/warden\.config\.ts: valid \(56 daemons\)/);
    }
  });

  it("binds every catalog daemon but the built-ins and the two deprecated ones", async () => {
    // The coordinator's domain daemons among them; EPHEMERAL_SYNC too.
    const catalog = await finished(["catalog", "--json", "--config", exampleConfig]);
    expect(catalog.code, catalog.stderr).toBe(0);
    const rows = JSON.parse(catalog.stdout) as {
      name: string;
      builtIn: boolean;
      bound: boolean;
      deprecated: object | null;
    }[];
    const unbound = rows.filter((row) => !row.builtIn && !row.bound).map((row) => row.name);
    expect(unbound.sort()).toEqual(["HEALTH_CHECK", "SYNC_COORDINATOR"]);
    expect(rows.filter((row) => !row.builtIn && row.deprecated === null)).toHaveLength(56);
  });
});

describe("examples/ringrift: warden up --profile training_node", () => {
  it("starts every daemon after its dependencies, carries the stand-ins' events, and stops in reverse order", async () => {
    const dir = copyOfExample();
    const config = join(dir, "warden.config.ts");
    const targets = startedFor("training_node");
    expect(targets).toHaveLength(12); // the 8 members, EVENT_ROUTER and 3 built-ins

    const run = warden(["up", "--config", config, "--profile", "training_node"], dir);
    await run.waitForOutput(/warden: 12 daemons running/, 20_000);

    // Every daemon of the profile is RUNNING; the processes are noted to check none outlives it.
    const status = await finished(["status", "--json", "--config", config], dir);
    expect(status.code, status.stderr).toBe(0);
    const daemons = (
      JSON.parse(status.stdout) as {
        daemons: { name: string; state: string; process?: { pid?: number } }[];
      }
    ).daemons;
    const running = daemons.filter((d) => d.state === "RUNNING").map((d) => d.name);
    expect(running.sort()).toEqual([...targets].sort());
    const pids = daemons.flatMap((d) => (d.process?.pid ? [d.process.pid] : []));
    expect(pids.length).toBeGreaterThanOrEqual(6); // the Python stand-ins

    // The event stream: each daemon began to start only once each of its dependencies ran.
    const events = async (): Promise<Envelope[]> => {
      const { code, stdout, stderr } = await finished(
        ["events", "--json", "--limit", "1000", "--config", config],
        dir,
      );
      expect(code, stderr).toBe(0);
      return stdout
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Envelope);
    };
    const seen = await events();
    const first = (type: string, daemon: string) =>
      seen.findIndex(
        (event) => event.type === type && (event.data as { daemon?: string }).daemon === daemon,
      );
    for (const name of targets) {
      expect(first("DAEMON_STARTED", name), `${name} started`).toBeGreaterThanOrEqual(0);
      for (const dependency of dependsOn(name)) {
        expect(
          first("DAEMON_STARTED", dependency),
          `${dependency} RUNNING before ${name} starts`,
        ).toBeLessThan(first("DAEMON_STARTING", name));
      }
    }
    expect(dependsOn("TRAINING_TRIGGER")).toContain("AUTO_EXPORT"); // a chain of three

    // The stand-ins' own events: AUTO_SYNC moved games, AUTO_EXPORT packed them into an .npz.
    const domain = await eventuallyAsync(
      async () => {
        const all = await events();
        const sync = all.find((e) => e.type === "DATA_SYNC_COMPLETED" && e.source === "AUTO_SYNC");
        const npz = all.find((e) => e.type === "NPZ_EXPORT_COMPLETE" && e.source === "AUTO_EXPORT");
        return sync && npz ? { sync, npz } : undefined;
      },
      20_000,
      "DATA_SYNC_COMPLETED from AUTO_SYNC and NPZ_EXPORT_COMPLETE from AUTO_EXPORT",
    );
    expect(domain.sync.data).toMatchObject({ src: "selfplay", dst: "games" });
    const batch = (domain.npz.data as { file: string; games: number }).file;
    expect((domain.npz.data as { games: number }).games).toBe(6);
    // …a real file under the example's own work folder, a zip of .npy arrays.
    const npz = readFileSync(join(dir, "work", batch));
    expect(npz.subarray(0, 2).toString("latin1")).toBe("PK");
    expect(npz.includes("winners.npy")).toBe(true);

    run.child.kill("SIGTERM");
    const code = await run.exited;
    const { stdout, stderr } = run.output();
    expect(code, stderr).toBe(0);
    expect(stderr).toContain("all daemons stopped");

    // The stop, from the transitions `warden up` prints as its events happen (the control API,
    // HEALTH_SERVER, stops in the first wave, so the event stream ends before the others):
    // a dependency begins to stop only after each of its dependents has stopped.
    expectStoppedDependentsFirst(stdout, targets, dependsOn);
    expect(stillRunning(pids)).toEqual([]);
    // The stand-ins wrote under work/ only (warden under .warden/), and made no __pycache__
    // beside their sources.
    const shipped = readdirSync(example).filter((name) => !made.has(name));
    expect(readdirSync(dir).sort()).toEqual([...shipped, ...made].filter(written).sort());
    expect(readdirSync(join(dir, "ringrift"))).not.toContain("__pycache__");
  }, 45_000);
});

describe("examples/ringrift: warden up --profile coordinator", () => {
  it("starts the 60 daemons each after its dependencies (two waiting for a sync slot) and stops each before them, as the event stream shows", async () => {
    const dir = copyOfExample();
    const config = join(dir, "warden.config.ts");
    const targets = startedFor("coordinator");
    expect(targets).toHaveLength(60); // the 59 members but HEALTH_SERVER, and HEALTH_SERVER
    // The graph warden orders them by: the catalog's, folded into this configuration.
    const graph = dependencyGraphOf(configuredDaemons((await loadConfig(config)).config));
    const dependenciesOf = (name: string) => graph.get(name) ?? [];
    expect(dependenciesOf("S3_BACKUP")).toEqual(["EVENT_ROUTER", "MODEL_DISTRIBUTION"]);

    const run = warden(["up", "--config", config, "--profile", "coordinator"], dir);
    // The event stream from as soon as the control API is there (its backlog holds the rest).
    await run.waitForOutput(/HEALTH_SERVER +STARTING → RUNNING/, 60_000);
    const lifecycle = ["DAEMON_STARTING", "DAEMON_STARTED", "DAEMON_STOPPING", "DAEMON_STOPPED"];
    const follow = warden(
      ["events", "--follow", "--json", "--limit", "1000", "--type", lifecycle.join(",")],
      dir,
    );
    const stream = () =>
      follow
        .output()
        .stdout.split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Envelope);
    const daemonOf = (event: Envelope) => (event.data as { daemon: string }).daemon;
    // ELO_SYNC (no dependencies) and AUTO_SYNC (after EVENT_ROUTER) ask for a sync slot first;
    // HIGH_QUALITY_SYNC and GOSSIP_SYNC, after AUTO_SYNC, wait for one.
    const waiters = ["GOSSIP_SYNC", "HIGH_QUALITY_SYNC"];
    const held = "sync-slots: 2 of 2 held by ELO_SYNC, AUTO_SYNC";
    await run.waitForOutput(/warden: 58 daemons running, 2 waiting for resources: /, 60_000);
    for (const name of waiters) expect(run.output().stderr).toContain(`${name} (${held})`);
    const runningTargets = targets.filter((name) => !waiters.includes(name));
    const seen = await eventuallyAsync(
      () => {
        const events = stream();
        const started = new Set(events.filter((e) => e.type === "DAEMON_STARTED").map(daemonOf));
        const all = runningTargets.every((name) => started.has(name));
        return Promise.resolve(all ? events : undefined);
      },
      10_000,
      "DAEMON_STARTED of each of the 58 daemons on the event stream",
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; warden events --follow: ${follow.output().stderr}`);
    });

    // Each daemon began to start only once each of its dependencies was RUNNING.
    const first = (type: string, daemon: string) =>
      seen.findIndex((event) => event.type === type && daemonOf(event) === daemon);
    const starting = seen.filter((e) => e.type === "DAEMON_STARTING").map(daemonOf);
    expect([...new Set(starting)].sort()).toEqual([...runningTargets].sort());
    for (const name of runningTargets) {
      expect(first("DAEMON_STARTING", name), `${name} starting`).toBeGreaterThanOrEqual(0);
      expect(first("DAEMON_STARTED", name)).toBeGreaterThan(first("DAEMON_STARTING", name));
      for (const dependency of dependenciesOf(name)) {
        expect(
          first("DAEMON_STARTED", dependency),
          `${dependency} RUNNING before ${name} starts`,
        ).toBeLessThan(first("DAEMON_STARTING", name));
      }
    }

    const status = await finished(["status", "--json", "--config", config], dir);
    expect(status.code, status.stderr).toBe(0);
    const daemons = (JSON.parse(status.stdout) as { daemons: CoordinatorDaemon[] }).daemons;
    const pids = daemons.flatMap((d) => (d.process?.pid ? [d.process.pid] : []));
    expect(pids.length).toBeGreaterThanOrEqual(45); // the Python stand-ins and two programs
    const byName = new Map(daemons.map((d) => [d.name, d]));
    for (const name of waiters) {
      expect(byName.get(name)).toMatchObject({ state: "PENDING", waitingFor: held });
    }
    expect(byName.get("AUTO_SYNC")?.resources).toEqual({ "sync-slots": [1] });
    expect(byName.get("ELO_SYNC")?.resources).toEqual({ "sync-slots": [0] });
    // Each GPU daemon holds a GPU of its own, and its process is told which.
    const gpuDaemons = ["CONTINUOUS_TRAINING_LOOP", "TRAINING_COORDINATOR", "IDLE_RESOURCE"];
    const visible = gpuDaemons.map((name) => {
      const daemon = byName.get(name)!;
      const env = environOf(daemon.process!.pid!);
      expect(env.WARDEN_RESOURCE_GPU).toBe(env.CUDA_VISIBLE_DEVICES);
      expect(daemon.resources).toEqual({ gpu: [Number(env.CUDA_VISIBLE_DEVICES)] });
      return env.CUDA_VISIBLE_DEVICES;
    });
    expect(visible.sort()).toEqual(["0", "1", "2"]);

    run.child.kill("SIGTERM");
    const code = await run.exited;
    const { stdout, stderr } = run.output();
    expect(code, stderr).toBe(0);
    expect(stderr).toContain("all daemons stopped");
    // The control API's stream ends with HEALTH_SERVER, in the first wave of the stop; `warden
    // up` prints every event of the bus to the end: a dependency begins to stop only after each
    // of its dependents has stopped (those that never ran, the two waiters, had nothing to stop).
    expectStoppedDependentsFirst(stdout, runningTargets, dependenciesOf);
    // …and what of the stop the control API's stream carried agrees.
    await Promise.race([follow.exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    const streamed = stream();
    streamed.forEach((event, at) => {
      if (event.type !== "DAEMON_STOPPING") return;
      for (const [name, dependencies] of graph) {
        if (!runningTargets.includes(name) || !dependencies.includes(daemonOf(event))) continue;
        const stopped = streamed.findLastIndex(
          (e) => e.type === "DAEMON_STOPPED" && daemonOf(e) === name,
        );
        expect(stopped, `${name} STOPPED before ${daemonOf(event)} is STOPPING`).toBeGreaterThan(
          -1,
        );
        expect(stopped).toBeLessThan(at);
      }
    });
    expect(stillRunning(pids)).toEqual([]);
  }, 120_000);
});
