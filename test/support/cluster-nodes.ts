/**
 * Managers as cluster nodes for tests: each `warden up` (run from the sources through tsx, so no
 * build is needed) in its own folder with its own state directory and configuration, joined to
 * one NATS server. Every run and the process groups of its daemons are killed after the test, by
 * PID; folders are removed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach } from "vitest";
import { eventuallyAsync } from "./manager-run.ts";
import { repoRoot } from "./run-warden.ts";
import { StartedProcesses } from "./started-processes.ts";

/** tsx's loader by URL: `--import tsx` would resolve it from the test's folder, not the repository. */
const TSX_LOADER = pathToFileURL(join(repoRoot, "node_modules/tsx/dist/loader.mjs")).href;

export interface CliRun {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): { stdout: string; stderr: string };
}

export interface ClusterNode {
  name: string;
  dir: string;
  config: string;
  stateDir: string;
  run: CliRun;
  /** The control API's base URL and token, once the manager has written them. */
  api(): Promise<{ url: string; token: string }>;
  /** `GET`/`POST` on this node's control API with its token: the parsed JSON and status. */
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  /** Runs another warden command against this node's configuration; waits for it. */
  cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Stops this run (SIGTERM) and starts `warden up` again in the same folder and state. */
  restart(): Promise<ClusterNode>;
}

/** Runs `warden <args>` from the sources (node --import tsx cli/main.ts) in `cwd`. */
export function runCli(args: string[], cwd: string): CliRun {
  const child = spawn(
    process.execPath,
    ["--import", TSX_LOADER, join(repoRoot, "cli/main.ts"), ...args],
    {
      cwd,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  return { child, exited, output: () => ({ stdout, stderr }) };
}

/**
 * Call at the top of a test file: `node(name, config, args)` starts `warden up ...args` as node
 * `name` with `config` (a configuration object; `cluster.node` is set to `name` unless given).
 */
export function clusterNodesPerTest(): (
  name: string,
  config: Record<string, unknown>,
  args?: string[],
) => ClusterNode {
  const dirs: string[] = [];
  const runs: CliRun[] = [];
  const started = new StartedProcesses();
  afterEach(async () => {
    // SIGTERM first: a manager stops its daemons (their own process groups) in order.
    await Promise.all(runs.splice(0).map((run) => stopRun(run)));
    started.killAll();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const launch = (name: string, dir: string, file: string, args: string[]): ClusterNode => {
    const stateDir = join(dir, ".warden");
    const run = runCli(["up", "--config", file, ...args], dir);
    runs.push(run);
    if (run.child.pid !== undefined) started.addGroup(run.child.pid);
    const api = () =>
      eventuallyAsync(
        async () => {
          const info = JSON.parse(readFileSync(join(stateDir, "manager.json"), "utf8"));
          const token = readFileSync(join(stateDir, "token"), "utf8").trim();
          return info.pid === run.child.pid ? { url: info.url as string, token } : undefined;
        },
        20_000,
        `node ${name}'s manager.json`,
      );
    return {
      name,
      dir,
      config: file,
      stateDir,
      run,
      api,
      call: async (method, path, body) => {
        const { url, token } = await api();
        const json: Record<string, string> =
          body === undefined ? {} : { "content-type": "application/json" };
        const response = await fetch(`${url}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...json },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(30_000),
        });
        return { status: response.status, body: (await response.json()) as never };
      },
      cli: async (args) => {
        const cli = runCli([...args, "--config", file], dir);
        if (cli.child.pid !== undefined) started.addGroup(cli.child.pid);
        const code = await cli.exited;
        return { code, ...cli.output() };
      },
      restart: async () => {
        await stopRun(run);
        return launch(name, dir, file, args);
      },
    };
  };
  return (name, config, args = []) => {
    const dir = mkdtempSync(join(tmpdir(), `warden-cluster-${name}-`));
    dirs.push(dir);
    const file = join(dir, "warden.config.json");
    const cluster = { node: name, ...(config.cluster as object) };
    writeFileSync(file, JSON.stringify({ server: { port: 0 }, ...config, cluster }, null, 2));
    return launch(name, dir, file, args);
  };
}

/** SIGCONT and SIGTERM to a run still going, SIGKILL after 10 s; resolves once it exited. */
export async function stopRun(run: CliRun): Promise<void> {
  const { child } = run;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGCONT");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await run.exited;
  clearTimeout(timer);
}
