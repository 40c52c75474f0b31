/**
 * Benchmark (f)'s pm2: pm2 6 supervising one `sleep 100000` per daemon of the index (same names,
 * `interpreter: "none"`, fork mode, autorestart), with a PM2_HOME of its own, so that it
 * supervises as many things as warden's manager.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import {
  pm2Cli,
  pm2DaemonPid,
  stopPm2,
  type Pm2Cli,
  type Pm2Install,
} from "../process-restart/pm2.ts";
import { poll } from "../wait.ts";
import { childPids, commandLine } from "./proc.ts";

/** The longest pm2 may take to have every app online. */
const ONLINE_TIMEOUT_MS = 60_000;
const POLL_MS = 250;
/** What each app runs. */
const APP = { script: "sleep", args: "100000" };

/** One entry of `pm2 jlist`, the parts read here. */
interface Pm2App {
  name: string;
  pid: number;
  pm2_env?: { status?: string };
}

/** pm2's daemon and its apps, started by `start` and stopped, whatever happened, by `close`. */
export class Pm2Fleet {
  private readonly cli: Pm2Cli;
  /** `pm2 start`, once called: `close` waits for it, lest apps start after `pm2 kill`. */
  private starting: Promise<unknown> | undefined;
  /** The apps' pids as last seen online. */
  private appPids: number[] = [];
  /**
   * Set by `close`: any later pm2 command fails instead of running, since one would start a new
   * daemon (what `start` still does after a signal has closed everything would).
   */
  private closed = false;

  constructor(
    readonly pm2: Pm2Install,
    readonly home: string,
  ) {
    this.cli = pm2Cli(pm2, home);
  }

  private command(...args: string[]): ReturnType<Pm2Cli> {
    if (this.closed) throw new Error(`cli-footprint: pm2 ${args[0]} after pm2 was stopped`);
    return this.cli(...args);
  }

  /** Starts one app per name; resolves with the pid of pm2's daemon once every app is online. */
  async start(names: readonly string[]): Promise<number> {
    mkdirSync(this.home, { recursive: true });
    const file = join(this.home, "apps.json");
    const apps = names.map((name) => ({
      name,
      ...APP,
      interpreter: "none",
      exec_mode: "fork",
      autorestart: true,
    }));
    writeFileSync(file, JSON.stringify({ apps }, null, 2));
    this.starting = this.command("start", file);
    await this.starting;
    await poll(
      async () => {
        const online = (await this.list()).filter((app) => app.pm2_env?.status === "online");
        this.appPids = online.map((app) => app.pid);
        return online.length === names.length ? true : undefined;
      },
      `pm2's ${names.length} apps to be online (pm2 jlist)`,
      { label: "cli-footprint", timeoutMs: ONLINE_TIMEOUT_MS, everyMs: POLL_MS },
    );
    const pid = pm2DaemonPid(this.home);
    if (pid === undefined) {
      throw new Error(`cli-footprint: pm2 started its apps but wrote no ${this.home}/pm2.pid`);
    }
    return pid;
  }

  /** `pm2 jlist`: every app pm2 knows. */
  async list(): Promise<Pm2App[]> {
    const { stdout } = await this.command("jlist");
    const at = stdout.indexOf("[");
    if (at < 0) throw new Error(`cli-footprint: \`pm2 jlist\` printed no list: ${stdout}`);
    return JSON.parse(stdout.slice(at)) as Pm2App[];
  }

  /**
   * `pm2 kill`, after the `pm2 start` under way if any. Then, whether it worked or not (the
   * fallback SIGKILLs the daemon by the pid in pm2.pid), SIGKILL to any app still running: the
   * daemon's children seen before, and the apps last listed.
   */
  async close(): Promise<void> {
    const starting = this.starting;
    this.closed = true;
    if (!starting) return;
    this.starting = undefined;
    await starting.catch(() => {});
    const daemon = pm2DaemonPid(this.home);
    const apps = new Set([...this.appPids, ...(daemon === undefined ? [] : childPids(daemon))]);
    await stopPm2(this.cli, this.home);
    for (const pid of apps) {
      const args = commandLine(pid);
      if (!args || basename(args[0] ?? "") !== APP.script || args[1] !== APP.args) continue;
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone meanwhile.
      }
    }
  }
}
