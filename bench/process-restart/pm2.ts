/**
 * Benchmark (d)'s pm2 contender: pm2 6, which is not a dependency of warden, installed on demand
 * into a cache folder outside the repository and run with a PM2_HOME of its own. (f),
 * cli-footprint, installs, runs and stops its pm2 the same way.
 */
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  crash,
  DAEMON,
  FIXTURE,
  isCrashOf,
  type Contender,
  type Measurement,
  type StampFile,
} from "./contender.ts";

/** Where pm2 is installed once and reused: outside the repository and its node_modules. */
export const PM2_CACHE = join(tmpdir(), "warden-bench-pm2");
const PM2_RANGE = "pm2@6";

const run = promisify(execFile);

export interface Pm2Install {
  bin: string;
  version: string;
}

function cachedPm2(): Pm2Install | undefined {
  const root = join(PM2_CACHE, "node_modules", "pm2");
  try {
    const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      version?: string;
    };
    if (!version?.startsWith("6.")) return undefined;
    return { bin: join(root, "bin", "pm2"), version };
  } catch {
    return undefined;
  }
}

/**
 * pm2 from the cache, installed there first if need be; a string says why there is none.
 * `label` names the benchmark in the progress line, `(d)` by default.
 */
export async function preparePm2(
  progress: (message: string) => void,
  label = "(d)",
): Promise<Pm2Install | string> {
  const cached = cachedPm2();
  if (cached) return cached;
  try {
    await run("npm", ["view", PM2_RANGE, "version"], { timeout: 60_000 });
  } catch (error) {
    return `the npm registry is not reachable (\`npm view ${PM2_RANGE} version\`: ${firstLine(error)})`;
  }
  progress(`${label} installing ${PM2_RANGE} into ${PM2_CACHE} (once; later runs reuse it)`);
  try {
    mkdirSync(PM2_CACHE, { recursive: true });
    await run("npm", ["install", "--prefix", PM2_CACHE, "--no-audit", "--no-fund", PM2_RANGE], {
      timeout: 300_000,
    });
  } catch (error) {
    return `\`npm install --prefix ${PM2_CACHE} ${PM2_RANGE}\` failed: ${firstLine(error)}`;
  }
  return cachedPm2() ?? `\`npm install ${PM2_RANGE}\` left no pm2 6 in ${PM2_CACHE}`;
}

function firstLine(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr?.trim();
  const text = stderr || (error instanceof Error ? error.message : String(error));
  return text.split("\n").find((line) => !line.startsWith("npm warn")) ?? text;
}

/** The pm2 CLI with PM2_HOME `home`: its stdout and stderr once it has exited. */
export type Pm2Cli = (...args: string[]) => Promise<{ stdout: string; stderr: string }>;

export function pm2Cli(pm2: Pm2Install, home: string): Pm2Cli {
  const env = { ...process.env, PM2_HOME: home };
  // `pm2 jlist` of dozens of apps, each with its environment, runs past execFile's 1 MB default.
  return (...args) =>
    run(process.execPath, [pm2.bin, ...args], { env, timeout: 60_000, maxBuffer: 256 * 2 ** 20 });
}

/**
 * `pm2 kill` (its apps, then its daemon); if that fails, SIGKILL to the daemon by the pid in
 * `<home>/pm2.pid`. False when `pm2 kill` failed.
 */
export async function stopPm2(cli: Pm2Cli, home: string): Promise<boolean> {
  try {
    await cli("kill");
    return true;
  } catch {
    killPm2Daemon(home);
    return false;
  }
}

/** pm2 with a PM2_HOME of its own, restarting the program on exit without delay. */
export async function pm2Contender(
  pm2: Pm2Install,
  stamps: StampFile,
  home: string,
): Promise<Contender> {
  const cli = pm2Cli(pm2, home);
  const apps = join(home, "apps.json");
  mkdirSync(home, { recursive: true });
  writeFileSync(
    apps,
    JSON.stringify({
      apps: [
        {
          name: DAEMON,
          script: FIXTURE,
          interpreter: process.execPath,
          exec_mode: "fork",
          autorestart: true,
          restart_delay: 0,
          // No unstable-restart limit: every instance here lives well under pm2's 1 s min_uptime.
          min_uptime: 0,
          max_restarts: 1_000_000,
          env: { BENCH_STAMPS: stamps.path },
        },
      ],
    }),
  );
  const close = async () => {
    await stopPm2(cli, home);
  };
  try {
    await cli("start", apps);
    await stamps.next("pm2's first instance to be ready", (s) => s.kind === "ready");
  } catch (error) {
    await close();
    throw error;
  }
  const measure = async (): Promise<Measurement> => {
    const seen = stamps.read();
    const current = seen.findLast((s) => s.kind === "ready");
    const pid = crash(current?.pid, "pm2's app");
    const crashed = await stamps.next(`the crash stamp of pid ${pid}`, (s) => isCrashOf(s, pid));
    const next = await stamps.next(
      `pm2 to restart pid ${pid}`,
      (s) => s.kind === "ready" && s.pid !== pid,
      seen.length,
    );
    return { ms: next.at - crashed.at };
  };
  return { name: "pm2", measure, close };
}

/** The pid pm2's daemon recorded in `<home>/pm2.pid`, if it did. */
export function pm2DaemonPid(home: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(home, "pm2.pid"), "utf8").trim());
    return Number.isInteger(pid) && pid > 1 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The last resort when `pm2 kill` failed: the daemon we started, by the pid it recorded. */
function killPm2Daemon(home: string): void {
  const pid = pm2DaemonPid(home);
  if (pid === undefined) return; // No pid file: no daemon was started.
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // The daemon is gone already: nothing is left to stop.
  }
}
