/**
 * `warden up` runs for end-to-end tests: each in a fresh folder with its own configuration, ended
 * (with only the processes it started, by PID and process group) after the test.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { processesInGroup } from "./orphans.ts";
import { eventually } from "./process-harness.ts";
import { runWarden } from "./run-warden.ts";
import { StartedProcesses } from "./started-processes.ts";

export type Run = ReturnType<typeof runWarden>;

export interface Workspace {
  dir: string;
  /** The configuration file's path. */
  config: string;
  stateDir: string;
  /** Starts `warden up` (plus `args`) on this workspace's configuration (or on `config`). */
  up(args?: string[], config?: string): Run;
  /** Runs another warden command here and waits for it. */
  run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** The pid (= process group) that `<stateDir>/pids/<daemon>.json` records. */
  recordedPid(daemon: string): number | undefined;
  /** Process groups to SIGKILL after the test, whatever it left. */
  groups: number[];
}

/**
 * Call at the top of a test file; each call of the returned function makes a workspace whose
 * files, runs and recorded process groups are cleaned up after the test.
 */
export function workspacePerTest(): (config: object, files?: Record<string, string>) => Workspace {
  const spaces: Workspace[] = [];
  const started = new StartedProcesses();
  const runs: Run[] = [];
  afterEach(async () => {
    for (const run of runs.splice(0)) {
      if (run.child.exitCode !== null || run.child.signalCode !== null) continue;
      run.child.kill("SIGKILL");
      await run.exited;
    }
    for (const space of spaces.splice(0)) {
      for (const pgid of space.groups) started.addGroup(pgid);
      started.killAll();
      rmSync(space.dir, { recursive: true, force: true });
    }
  });
  return (config, files = {}) => {
    const dir = mkdtempSync(join(tmpdir(), "warden-e2e-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const file = join(dir, "warden.config.json");
    writeFileSync(file, JSON.stringify(config, null, 2));
    const stateDir = join(dir, ".warden");
    const space: Workspace = {
      dir,
      config: file,
      stateDir,
      groups: [],
      up: (args = [], config = file) => {
        const run = runWarden(["up", "--config", config, ...args], dir);
        runs.push(run);
        return run;
      },
      run: async (args) => {
        const run = runWarden([...args, "--config", file], dir);
        runs.push(run);
        const code = await run.exited;
        return { code, ...run.output() };
      },
      recordedPid: (daemon) => {
        try {
          const record = JSON.parse(readFileSync(join(stateDir, "pids", `${daemon}.json`), "utf8"));
          return Number.isInteger(record.pid) && record.pid > 1 ? record.pid : undefined;
        } catch {
          return undefined;
        }
      },
    };
    spaces.push(space);
    return space;
  };
}

/** Waits until `daemon` of `space` has a recorded running process; returns its group id. */
export async function runningGroup(space: Workspace, daemon: string): Promise<number> {
  const pgid = await eventually(
    () => {
      const pid = space.recordedPid(daemon);
      return pid !== undefined && processesInGroup(pid).length > 0 ? pid : undefined;
    },
    10_000,
    `a running process of ${daemon}`,
  );
  space.groups.push(pgid);
  return pgid;
}

/** Resolves once every process of group `pgid` is gone. */
export function groupGone(pgid: number, what: string, ms = 10_000): Promise<true> {
  return eventually(() => (processesInGroup(pgid).length === 0 ? true : undefined), ms, what);
}

/** Like `eventually`, for a check that has to wait for an answer (HTTP, a file being written). */
export async function eventuallyAsync<T>(
  check: () => Promise<T | undefined>,
  ms: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Call at the top of a test file: `folder()` makes a temporary folder and `track(run)` keeps a
 * warden run; after each test the runs still going get SIGTERM (and are waited for), then the
 * folders are removed.
 */
export function foldersAndRunsPerTest(prefix: string): {
  folder(): string;
  track(run: Run): Run;
} {
  const folders: string[] = [];
  const runs: Run[] = [];
  afterEach(async () => {
    for (const run of runs.splice(0)) {
      if (run.child.exitCode !== null || run.child.signalCode !== null) continue;
      run.child.kill("SIGTERM");
      await run.exited;
    }
    for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return {
    folder: () => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      folders.push(dir);
      return dir;
    },
    track: (run) => {
      runs.push(run);
      return run;
    },
  };
}

/**
 * Starts two `warden up` on `space` at the same instant; resolves once one has exited, naming
 * it the loser (its exit code is the caller's to check) and the other the winner.
 */
export async function twoManagersAtOnce(space: Workspace): Promise<{ winner: Run; loser: Run }> {
  const runs = [space.up(), space.up()];
  const first = await Promise.race(runs.map((run, index) => run.exited.then(() => index)));
  return { loser: runs[first]!, winner: runs[1 - first]! };
}
