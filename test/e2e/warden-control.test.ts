import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runWarden } from "../support/run-warden.ts";

type Run = ReturnType<typeof runWarden>;
interface Daemon {
  name: string;
  state: string;
  restarts: number;
  lastError?: string;
  process?: { pid?: number };
}
interface Envelope {
  id: string;
  type: string;
  source: string;
  time: number;
  data: unknown;
}

const fixtures = join(repoRoot, "test/fixtures/control");
const STARTED = ["db", "api", "worker", "sleeper"];
/** Named to `warden up` too: it fails at once, so there is a FAILED daemon to report. */
const FAILING = "broken";
const started: Run[] = [];
let dir: string;
let config: string;
let manager: Run;
let url: string;
let token: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "warden-control-"));
  config = writeConfig(dir);
  manager = runWarden(
    ["up", "--config", config, "--daemons", [...STARTED, FAILING].join(",")],
    dir,
  );
  started.push(manager);
  const info = await until("manager.json", () => managerJson(join(dir, "state")));
  url = info.url;
  token = readFileSync(join(dir, "state/token"), "utf8").trim();
  await until("the daemons to run", async () => {
    const { daemons } = await api<{ daemons: Daemon[] }>("/v1/status");
    const running = STARTED.every((name) => stateIn(daemons, name) === "RUNNING");
    return (running && stateIn(daemons, FAILING) === "FAILED") || undefined;
  });
});

afterAll(async () => {
  // Only processes this file started, by PID: the manager stops its own daemons (sleep 30).
  for (const run of started.splice(0)) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) continue;
    run.child.kill("SIGTERM");
    const timer = setTimeout(() => run.child.kill("SIGKILL"), 10_000);
    await run.exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A configuration in `folder`: four daemons that run, one that cannot start, a profile. */
function writeConfig(folder: string): string {
  const steady = join(fixtures, "steady.mjs");
  const file = join(folder, "warden.config.json");
  const daemons = {
    db: { module: steady },
    api: { module: steady, dependsOn: ["db"] },
    worker: { module: steady, dependsOn: ["api"] },
    sleeper: { command: "sleep", args: ["30"] },
    broken: { module: join(fixtures, "broken.mjs"), restart: "never" },
  };
  const profiles = { web: ["api", "worker"] };
  writeFileSync(
    file,
    JSON.stringify({ stateDir: "state", server: { port: 0 }, daemons, profiles }),
  );
  return file;
}

function managerJson(stateDir: string): { pid: number; url: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(stateDir, "manager.json"), "utf8"));
  } catch {
    return undefined; // not written yet
  }
}

/** Polls `probe` until it gives a value; fails after `timeoutMs` with the manager's output. */
async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline || manager.child.exitCode !== null) {
      const { stdout, stderr } = manager.output();
      throw new Error(`waited in vain for ${what}; warden up said:\n${stdout}\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The control API itself, as the oracle of what the CLI reports and does. */
async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5000),
  });
  return (await response.json()) as T;
}

const stateIn = (daemons: Daemon[], name: string) => daemons.find((d) => d.name === name)?.state;
const daemonsNow = async () => (await api<{ daemons: Daemon[] }>("/v1/status")).daemons;

/** Runs the CLI to its end (killed after 20 s), by default against this file's configuration. */
async function cli(args: string[], options: { cwd?: string; config?: boolean } = {}) {
  const run = runWarden(
    options.config === false ? args : [...args, "--config", config],
    options.cwd ?? dir,
  );
  started.push(run);
  const timer = setTimeout(() => run.child.kill("SIGKILL"), 20_000);
  const code = await run.exited;
  clearTimeout(timer);
  return { code, ...run.output() };
}

/** Starts a long-running CLI command (`--follow`, `--watch`) that the test ends with a signal. */
function background(args: string[]): Run {
  const run = runWarden([...args, "--config", config], dir);
  started.push(run);
  return run;
}

const lineOf = (stdout: string, name: string) =>
  stdout.split("\n").find((line) => line.startsWith(`${name} `)) ?? "";

describe("warden status", () => {
  it("prints a table and a summary naming FAILED daemons (exit 0), --json the manager's status, --watch every second", async () => {
    const watch = background(["status", "--watch"]);
    const [table, json] = await Promise.all([cli(["status"]), cli(["--status", "--json"])]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+STATE\s+PID\s+UPTIME\s+RESTARTS\s+HEALTH\s+LAST ERROR$/);
    const sleeper = (await daemonsNow()).find((d) => d.name === "sleeper")!;
    expect(lineOf(table.stdout, "sleeper")).toMatch(
      new RegExp(`^sleeper\\s+RUNNING\\s+${sleeper.process!.pid}\\s+\\d+s\\s+0\\s+-\\s+-$`),
    );
    expect(lineOf(table.stdout, "db")).toMatch(/^db\s+RUNNING\s+-\s+\d+s\s+0\s+-\s+-$/);
    expect(lineOf(table.stdout, "broken")).toMatch(
      /^broken\s+FAILED\s+-\s+-\s+0\s+-\s+cannot open \/nonexistent\/broken\.db: ENOENT$/,
    );
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^\\d+ daemons: \\d+ running, 1 failed · manager pid ${manager.child.pid}, up \\d+s · ` +
          "FAILED: broken \\(`warden restart broken` retries\\)$",
      ),
    );

    // The source documents' --status, with --json: nothing but the document on stdout.
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout.startsWith('{\n  "manager": {')).toBe(true);
    const printed = JSON.parse(json.stdout) as { manager: { pid: number }; daemons: Daemon[] };
    expect(printed.manager.pid).toBe(manager.child.pid);
    expect(printed.daemons.map((d) => [d.name, d.state])).toEqual(
      (await daemonsNow()).map((d) => [d.name, d.state]),
    );

    // --watch prints a new table every second (no terminal here) until SIGTERM, then exits 0.
    await watch.waitForOutput(/manager pid[\s\S]+manager pid/, 10_000);
    watch.child.kill("SIGTERM");
    expect(await watch.exited).toBe(0);
    expect(watch.output().stdout.match(/^NAME\s+STATE/gm)?.length).toBeGreaterThanOrEqual(2);
  });
});

describe("warden start, stop and restart", () => {
  it("stop and start act, wait and say how long it took; an unknown name exits 2 doing nothing", async () => {
    const [stop, unknown] = await Promise.all([cli(["stop", "api"]), cli(["stop", "db", "apj"])]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(/^api {2}STOPPED {2}\(stopped in \d+ ms\)$/m);
    let daemons = await daemonsNow();
    expect(stateIn(daemons, "api")).toBe("STOPPED");
    expect(stateIn(daemons, "worker")).not.toBe("RUNNING"); // it depends on api
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('warden: no daemon named "apj" (did you mean "api"?)');
    expect(stateIn(daemons, "db")).toBe("RUNNING");
    const { events } = await api<{ events: Envelope[] }>("/v1/events?type=DAEMON_STOPPING");
    expect(events.map((e) => (e.data as { daemon: string }).daemon)).not.toContain("db");

    const start = await cli(["start", "api"]);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/^api {2}RUNNING {2}\(started in \d+ ms\)$/m);
    daemons = await daemonsNow();
    expect(stateIn(daemons, "api")).toBe("RUNNING");
    await until("worker to come back", async () =>
      stateIn(await daemonsNow(), "worker") === "RUNNING" ? true : undefined,
    );
  });

  it("restart replaces a process daemon's process, --json prints the statuses; a bad flag exits 2", async () => {
    const before = (await daemonsNow()).find((d) => d.name === "sleeper")!;
    const [restart, bogus] = await Promise.all([
      cli(["restart", "sleeper", "--json"]),
      cli(["status", "--bogus"]),
    ]);
    expect(restart.code, restart.stderr).toBe(0);
    const statuses = JSON.parse(restart.stdout) as Daemon[];
    expect(statuses.map((d) => [d.name, d.state])).toEqual([["sleeper", "RUNNING"]]);
    expect(statuses[0]!.process!.pid).not.toBe(before.process!.pid);
    expect(statuses[0]!.restarts).toBe(before.restarts + 1);
    expect(() => process.kill(before.process!.pid!, 0)).toThrow(); // the old one is gone
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toMatch(/unknown option '--bogus'[\s\S]*warden --help/);
  });

  it("restart of one daemon says so in a line; an unknown one exits 2 with the closest name", async () => {
    const [restart, unknown] = await Promise.all([
      cli(["restart", "sleeper"]),
      cli(["restart", "sleper"]),
    ]);
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.stdout).toMatch(/^sleeper {2}RUNNING {2}\(restarted in \d+ ms\)\n$/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('warden: no daemon named "sleper" (did you mean "sleeper"?)');
    expect(unknown.stdout).toBe("");
  });

  it("--profile stops the profile's members dependents first and starts them again", async () => {
    const stop = await cli(["stop", "--profile", "web"]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(/^api {5}STOPPED {2}\(stopped in \d+ ms\)$/m);
    expect(stop.stdout).toMatch(/^worker {2}STOPPED {2}\(stopped in \d+ ms\)$/m);
    const { events } = await api<{ events: Envelope[] }>("/v1/events?type=DAEMON_STOPPED&limit=2");
    expect(events.map((e) => (e.data as { daemon: string }).daemon)).toEqual(["worker", "api"]);

    const start = await cli(["start", "--profile", "web"]);
    expect(start.code, start.stderr).toBe(0);
    const daemons = await daemonsNow();
    expect([stateIn(daemons, "api"), stateIn(daemons, "worker")]).toEqual(["RUNNING", "RUNNING"]);
  });

  it("--all starts every daemon and exits 1 when one ends FAILED, saying why", async () => {
    const all = await cli(["--all"]); // the source documents' flag for `start --all`
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/^db\s+RUNNING\s+\(already running\)$/m);
    expect(all.stdout).toMatch(
      /^broken\s+FAILED\s+\(start failed after \d+ ms: cannot open \/nonexistent\/broken\.db: ENOENT\)$/m,
    );
    expect(all.stderr).toMatch(/warden: 1 of \d+ daemons did not start: broken \(FAILED\)/);
  });
});

describe("warden events and emit", () => {
  it("events prints recent ones; --follow prints an event emitted meanwhile, until SIGINT", async () => {
    const follow = background(["events", "--follow", "--json", "--type", "MODEL_SAVED"]);
    const [recent] = await Promise.all([
      cli(["events", "--type", "DAEMON_STARTED"]),
      follow.waitForOutput(/following events of/, 10_000),
    ]);
    const emit = await cli(["emit", "MODEL_SAVED", "--data", '{"epoch":3}']);
    expect(emit.code, emit.stderr).toBe(0);
    const id = emit.stdout.trim();
    expect(id).toMatch(/^\S+$/);
    await follow.waitForOutput(new RegExp(`"id":"${id}"`), 10_000);
    follow.child.kill("SIGINT");
    expect(await follow.exited).toBe(0);
    const lines = follow.output().stdout.trim().split("\n");
    expect(lines.map((line) => JSON.parse(line) as Envelope)).toEqual([
      { id, type: "MODEL_SAVED", source: "api", time: expect.any(Number), data: { epoch: 3 } },
    ]);

    expect(recent.code, recent.stderr).toBe(0);
    expect(recent.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}db +STARTING → RUNNING$/m);
    expect(recent.stdout).not.toMatch(/STOPPED|FAILED/);
  });
});

describe("finding the manager", () => {
  it("--url and --token need no configuration; a refused token exits 1 and says so", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "warden-control-url-"));
    try {
      const [direct, wrong] = await Promise.all([
        cli(["status", "--json", "--url", url, "--token", token], {
          cwd: elsewhere,
          config: false,
        }),
        cli(["status", "--url", url, "--token", "nope"], { cwd: elsewhere, config: false }),
      ]);
      expect(direct.code, direct.stderr).toBe(0);
      expect(JSON.parse(direct.stdout).manager.pid).toBe(manager.child.pid);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain(
        `warden: the token given with --token was refused by the manager at ${url}`,
      );
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it("exits 3 when no manager runs: no manager.json, or one whose pid is dead", async () => {
    const folders = [0, 1].map(() => mkdtempSync(join(tmpdir(), "warden-control-none-")));
    try {
      for (const folder of folders) writeConfig(folder);
      // Stale: the URL is the live manager's, the pid a process that has exited.
      const deadPid = spawnSync(process.execPath, ["-e", ""]).pid;
      mkdirSync(join(folders[1]!, "state"));
      writeFileSync(
        join(folders[1]!, "state/manager.json"),
        JSON.stringify({ pid: deadPid, url, startedAt: new Date().toISOString() }),
      );
      const runs = await Promise.all(
        folders.map((folder) => cli(["status"], { cwd: folder, config: false })),
      );
      expect(runs.map((run) => run.code)).toEqual([3, 3]);
      for (const run of runs) {
        expect(run.stderr).toContain(
          "warden: no manager is running for warden.config.json (state dir state); " +
            "start one with: warden up --config warden.config.json",
        );
      }
    } finally {
      for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    }
  });
});
