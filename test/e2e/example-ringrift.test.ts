/**
 * examples/ringrift as a newcomer runs it (issue P7, items 9 and 10): the built-in catalog with
 * every domain daemon bound to a stand-in. `validate` accepts the profiles that run today and
 * refuses `coordinator` for the two built-ins of issue P8 alone; `up --profile training_node`
 * (on a copy of the example in a temporary folder, so the repository stays clean) starts every
 * daemon after its dependencies, the stand-ins' events flow, and SIGTERM stops dependents before
 * their dependencies and exits 0.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { CATALOGS, catalogEntry } from "../../machines/catalog/catalog.ts";
import { profileMembers } from "../../machines/catalog/profile-members.ts";
import type { Envelope } from "../../machines/envelope.ts";
import { stillRunning } from "../support/orphans.ts";
import { eventuallyAsync, foldersAndRunsPerTest } from "../support/manager-run.ts";
import { repoRoot, runWarden } from "../support/run-warden.ts";

const example = join(repoRoot, "examples/ringrift");
const exampleConfig = join(example, "warden.config.ts");
const ringrift = CATALOGS.ringrift;

const { folder, track } = foldersAndRunsPerTest("warden-ringrift-");

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

/** `warden up`'s transition lines, in order: [daemon, from, to]. */
function transitions(stdout: string): [string, string, string][] {
  return [...stdout.matchAll(/^\S+ {2}(\S+) +([A-Z]+) → ([A-Z]+)\b/gm)].map(
    ([, name, from, to]) => [name!, from!, to!],
  );
}

describe("examples/ringrift: warden validate", () => {
  it("accepts the whole file and the profiles that run today: training_node, selfplay, ephemeral", async () => {
    const results = await Promise.all(
      [
        [],
        ["--profile", "training_node"],
        ["--profile", "selfplay"],
        ["--profile", "ephemeral"],
      ].map((extra) => finished(["validate", "--config", exampleConfig, ...extra])),
    );
    for (const { code, stdout, stderr } of results) {
      expect(code, stderr).toBe(0);
      expect(stdout).toMatch(/warden\.config\.ts: valid \(56 daemons\)/);
    }
  });

  it("refuses coordinator for CROSS_PROCESS_POLLER and DLQ_RETRY alone: every domain daemon is bound", async () => {
    const { code, stderr } = await finished([
      "validate",
      "--config",
      exampleConfig,
      "--profile",
      "coordinator",
    ]);
    expect(code).toBe(2);
    const problems = stderr.split("\n").filter((line) => /: daemons\.[A-Z_]+: /.test(line));
    expect(problems.map((line) => /: daemons\.([A-Z_]+): /.exec(line)![1])).toEqual([
      "CROSS_PROCESS_POLLER",
      "DLQ_RETRY",
    ]);
    for (const line of problems) {
      expect(line).toContain("a built-in daemon that is not available yet");
      expect(line).toContain("(issue P8)");
    }
    expect(stderr).not.toContain("nothing bound");

    // Beyond the coordinator: every catalog daemon but the built-ins and the two deprecated
    // ones (which no profile starts) is bound, EPHEMERAL_SYNC included.
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
    const targets = ["HEALTH_SERVER", ...profileMembers("training_node", ringrift)];
    expect(targets).toHaveLength(10);

    const run = warden(["up", "--config", config, "--profile", "training_node"], dir);
    await run.waitForOutput(/warden: 10 daemons running/, 20_000);

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
    const lines = transitions(stdout);
    const last = (name: string, to: string) =>
      lines.findLastIndex(([daemon, , state]) => daemon === name && state === to);
    for (const name of targets) {
      expect(last(name, "STOPPED"), `${name} stopped`).toBeGreaterThanOrEqual(0);
      for (const dependency of dependsOn(name)) {
        expect(
          last(name, "STOPPED"),
          `${name} STOPPED before ${dependency} is STOPPING`,
        ).toBeLessThan(last(dependency, "STOPPING"));
      }
    }
    expect(stillRunning(pids)).toEqual([]);
    // The stand-ins wrote under work/ only (warden under .warden/), and made no __pycache__
    // beside their sources.
    const shipped = readdirSync(example).filter((name) => !made.has(name));
    expect(readdirSync(dir).sort()).toEqual([...shipped, ...made].filter(written).sort());
    expect(readdirSync(join(dir, "ringrift"))).not.toContain("__pycache__");
  }, 45_000);
});
