/**
 * `warden up --supervised` (SPEC §8, docs/decisions/0009-supervised-manager.md): a small parent
 * process, the manager's watchdog, that runs `warden up` (the same options, without
 * `--supervised`) as a child and restarts it with the daemons' backoff when it dies, giving up
 * after more than 5 restarts within 60 s. It loads none of the manager's runtime (no XState,
 * fastify or zod): only Node's child_process and the pure restart policy.
 *
 * The manager runs in a session of its own, so that a Ctrl-C or a closed terminal reaches the
 * supervisor only, which passes each signal on exactly once: SIGINT, SIGTERM, SIGQUIT and SIGABRT
 * stop the manager in order (the supervisor then exits with its exit code), SIGHUP is passed on
 * and ignored by both. A manager that dies takes no daemon with it: its own guard and sentinel
 * stop them, and the next manager reaps what is left before it starts them again. Should the
 * supervisor itself die without a word (SIGKILL), a tether (a `/bin/sh` reading a pipe, as the
 * manager's sentinel does) sends the manager SIGTERM, and it stops everything in order.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { WardenError } from "../../machines/errors.ts";
import {
  FIRST_RUN,
  MANAGER_RESTART_LIMITS,
  describeManagerExit,
  exitCodeOfStop,
  formatSpan,
  judgeManagerExit,
  type ManagerExit,
  type ManagerRestartLimits,
  type ManagerRestartState,
} from "../../machines/manager-restart-policy.ts";
import type { CliIO } from "../io.ts";
import type { UpOptions } from "./up.ts";

/** Tunes the restart limits (for tests and the impatient): `maxRestarts=2,withinMs=5000,…`. */
export const SUPERVISED_LIMITS_ENV = "WARDEN_SUPERVISED_LIMITS";

/** How the supervisor starts a manager and keeps time; the defaults are this very process's. */
export interface SupervisorWorld {
  /** The program and the arguments before `up …`: Node, its flags and warden's entry script. */
  command: string;
  prefix: readonly string[];
  env: NodeJS.ProcessEnv;
  now(): number;
  random(): number;
}

/**
 * Runs the manager as a supervised child until it stops in order, exits cleanly, fails on its
 * configuration (exit 2, at once) or dies too often (exit 1).
 *
 * @example
 * await supervised({ config: "warden.config.ts" }, io); // returns once the manager is started
 */
export async function supervised(
  options: UpOptions,
  io: CliIO,
  world: SupervisorWorld = thisProcess(),
): Promise<void> {
  const limits = limitsFromEnv(world.env);
  new Supervisor(managerArgs(options), io, world, limits).start();
}

/**
 * The `warden up` command line that runs the manager with `options`, without `--supervised`.
 *
 * @example
 * managerArgs({ config: "w.json", profile: "gpu", output: false }); // ["up", "--config=w.json", "--profile=gpu", "--no-output"]
 */
export function managerArgs(options: UpOptions): string[] {
  const args = ["up"];
  // `--name=value`: a value that starts with `-` is never taken for an option.
  if (options.config !== undefined) args.push(`--config=${options.config}`);
  if (options.all === true) args.push("--all");
  if (options.daemons !== undefined) args.push(`--daemons=${String(options.daemons)}`);
  if (options.profile !== undefined) args.push(`--profile=${options.profile}`);
  if (options.output === false) args.push("--no-output");
  if (options.logLevel !== undefined) args.push(`--log-level=${options.logLevel}`);
  if (options.inspect !== undefined) args.push(`--inspect=${options.inspect}`);
  return args;
}

/**
 * The restart limits, MANAGER_RESTART_LIMITS unless `WARDEN_SUPERVISED_LIMITS` tunes some of them
 * (`maxRestarts`, `withinMs`, `resetAfterMs`, `initialMs`, `maxMs`, `factor`); a bad value is a
 * usage error (exit 2).
 *
 * @example
 * limitsFromEnv({ WARDEN_SUPERVISED_LIMITS: "maxRestarts=2,initialMs=50" }).maxRestarts; // 2
 */
export function limitsFromEnv(env: NodeJS.ProcessEnv): ManagerRestartLimits {
  const limits = { ...MANAGER_RESTART_LIMITS, backoff: { ...MANAGER_RESTART_LIMITS.backoff } };
  const raw = env[SUPERVISED_LIMITS_ENV]?.trim();
  if (!raw) return limits;
  for (const entry of raw.split(",")) {
    const [key = "", text = ""] = entry.split("=").map((part) => part.trim());
    const value = Number(text);
    const valid = text !== "" && Number.isFinite(value) && value >= 0;
    if (valid && ["maxRestarts", "withinMs", "resetAfterMs"].includes(key)) {
      limits[key as "maxRestarts" | "withinMs" | "resetAfterMs"] = value;
    } else if (valid && ["initialMs", "maxMs", "factor"].includes(key)) {
      limits.backoff[key as "initialMs" | "maxMs" | "factor"] = value;
    } else {
      throw new WardenError(
        "WARDEN_ERR_USAGE",
        `${SUPERVISED_LIMITS_ENV}: expected name=number pairs separated by commas (maxRestarts, ` +
          `withinMs, resetAfterMs, initialMs, maxMs, factor), got ${JSON.stringify(entry)}`,
      );
    }
  }
  return limits;
}

/** Starts the manager the way this process was started: same Node, flags and entry script. */
function thisProcess(): SupervisorWorld {
  const entry = process.argv[1];
  if (entry === undefined) {
    throw new WardenError("WARDEN_ERR_USAGE", "--supervised: cannot tell which script runs warden");
  }
  return {
    command: process.execPath,
    prefix: [...process.execArgv, entry],
    env: process.env,
    now: () => Date.now(),
    random: Math.random,
  };
}

class Supervisor {
  private child: ChildProcess | undefined;
  private startedAt = 0;
  private state: ManagerRestartState = FIRST_RUN;
  /** The stop signal passed on to the manager, once one came. */
  private stopping: string | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private finished = false;
  private readonly tether = new ManagerTether();

  constructor(
    private readonly args: readonly string[],
    private readonly io: CliIO,
    private readonly world: SupervisorWorld,
    private readonly limits: ManagerRestartLimits,
  ) {}

  start(): void {
    this.io.onShutdownSignal((signal) => this.onStopSignal(signal));
    this.io.onHangup?.(() => this.child?.kill("SIGHUP"));
    this.spawnManager();
    const pid = this.child?.pid;
    if (pid !== undefined) {
      this.io.err(
        `warden: supervising the manager (pid ${pid}): if it dies it is restarted, ` +
          `at most ${this.limits.maxRestarts} times within ${formatSpan(this.limits.withinMs)}`,
      );
    }
  }

  private spawnManager(): void {
    this.startedAt = this.world.now();
    // A session of its own: signals from the terminal reach the supervisor, which passes them on.
    const child = spawn(this.world.command, [...this.world.prefix, ...this.args], {
      stdio: ["ignore", "inherit", "inherit"],
      env: this.world.env,
      detached: true,
    });
    this.child = child;
    child.once("error", (error) => {
      if (child.pid !== undefined) return; // An error after the start: its `exit` follows.
      this.child = undefined;
      this.io.err(`warden: cannot start the manager: ${error.message}`);
      this.finish(1);
    });
    if (child.pid === undefined) return;
    const pid = child.pid;
    this.tether.hold(pid);
    child.once("exit", (code, signal) => {
      this.tether.release();
      this.child = undefined;
      this.onManagerExit(pid, { code, signal });
    });
  }

  private onManagerExit(pid: number, exit: ManagerExit): void {
    const now = this.world.now();
    const verdict = judgeManagerExit({
      exit,
      state: this.state,
      now,
      ranForMs: now - this.startedAt,
      ...(this.stopping !== undefined ? { stopping: this.stopping } : {}),
      limits: this.limits,
      random: this.world.random,
    });
    const died = `the manager (pid ${pid}) died (${describeManagerExit(exit)})`;
    const window = `within ${formatSpan(this.limits.withinMs)}`;
    if (verdict.action === "restart") {
      this.state = verdict.state;
      this.io.err(
        `warden: ${died}; restarting it in ${verdict.delayMs} ms (restart ${verdict.restart} ${window})`,
      );
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        this.spawnManager();
      }, verdict.delayMs);
      return;
    }
    if (verdict.reason === "gave-up") {
      this.io.err(
        `warden: ${died}: more than ${this.limits.maxRestarts} restarts ${window}; ` +
          `giving up (exit ${verdict.code})`,
      );
    } else if (verdict.reason === "configuration") {
      this.io.err(
        `warden: the manager (pid ${pid}) exited ${verdict.code} (bad usage or configuration): ` +
          "not restarting it, it would fail the same way",
      );
    } else if (verdict.reason === "clean") {
      this.io.err(`warden: the manager (pid ${pid}) exited 0: not restarting it`);
    }
    this.finish(verdict.code);
  }

  private onStopSignal(signal: string): void {
    // A closed stdout or stderr of the supervisor (reported as SIGPIPE) ends the run in order too.
    const forwarded = signal === "SIGPIPE" ? "SIGTERM" : signal;
    this.stopping = forwarded;
    const child = this.child;
    if (child?.pid !== undefined) {
      this.io.err(
        `warden: ${signal}: passed on to the manager (pid ${child.pid}), which stops every daemon in order`,
      );
      child.kill(forwarded as NodeJS.Signals);
      return;
    }
    // Between a death and its restart: nothing runs, nothing to stop.
    clearTimeout(this.restartTimer);
    this.io.err(`warden: ${signal}: the manager was waiting to restart; not restarting it`);
    this.finish(exitCodeOfStop(forwarded));
  }

  private finish(code: number): void {
    if (this.finished) return;
    this.finished = true;
    this.tether.close();
    this.io.exit(code);
  }
}

/** The argv[0] the tether shows in `ps`. */
export const TETHER_NAME = "warden-supervisor-tether";

/**
 * The tether's program: it learns the manager's pid (`+<pid>`) and forgets it (`-`) on its
 * standard input; when the pipe closes without the farewell, the supervisor died, and it sends
 * the manager SIGTERM, which stops everything in order within the manager's own stop budget.
 */
const TETHER_SCRIPT = `
trap '' HUP INT QUIT
pid=
while IFS= read -r line; do
  case "$line" in
    bye) exit 0 ;;
    - ) pid= ;;
    +*[!0-9]* | + ) ;;
    +*) pid=\${line#+} ;;
  esac
done
[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null
exit 0
`;

/**
 * A supervisor that dies without a word (SIGKILL, the OOM killer) must not leave its manager
 * running unsupervised in a session of its own: a `/bin/sh` of ≈ 1 MB, started once, holds the
 * manager's pid while it runs and sends it SIGTERM if the supervisor's pipe closes without the
 * farewell line. The pid is forgotten the moment the manager's exit is seen, so a reused pid is
 * not at risk in practice.
 */
class ManagerTether {
  private child: ChildProcess | undefined;
  private failed = false;

  hold(pid: number): void {
    if (!this.child && !this.failed) this.child = this.startTether();
    this.send(`+${pid}`);
  }

  release(): void {
    this.send("-");
  }

  /** The supervisor ends in order: the tether leaves without touching anything. */
  close(): void {
    const stdin = this.child?.stdin;
    this.child = undefined;
    if (stdin && !stdin.destroyed) stdin.end("bye\n");
  }

  private send(line: string): void {
    const stdin = this.child?.stdin;
    if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
  }

  private startTether(): ChildProcess {
    const child = spawn("/bin/sh", ["-c", TETHER_SCRIPT, TETHER_NAME], {
      stdio: ["pipe", "ignore", "ignore"],
      detached: true,
    });
    child.on("error", () => {
      // Without /bin/sh the manager is still supervised; only a SIGKILL of the supervisor is not covered.
      this.failed = true;
      this.child = undefined;
    });
    child.stdin?.on("error", () => {});
    // Neither the tether nor its pipe may keep a finished supervisor alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return child;
  }
}
