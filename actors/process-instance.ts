/**
 * One instance of a process daemon (SPEC §4): its program spawned as the leader of a new process
 * group (actors/process-launch.ts), its stdout and stderr into the rotating log (and, line by
 * line, to whoever listens and to the stdout readiness check), and how it ends. An exit nobody
 * asked for is reported — EXITED for code 0, CRASHED otherwise — on its `reports`, a
 * ReplaySubject(1) that keeps the report for a watcher that subscribes later; what the leader
 * left in its group gets SIGTERM at once (the lifecycle chart kills what is left at its stop
 * timeout). A leader the kernel killed for going over its cgroup's memory limit is reported as
 * MEMORY_EXCEEDED, a restart with reason `memory` as when the sampler sees it first.
 */
import type { ChildProcess } from "node:child_process";
import { ReplaySubject } from "rxjs";
import type { InstanceReport } from "../machines/instance-protocol.ts";
import { messageOf } from "../machines/errors.ts";
import type { WardenClock } from "./clock.ts";
import type { DaemonCgroup } from "./daemon-cgroup.ts";
import type { DaemonLogger } from "./daemon-types.ts";
import { describeExit } from "./describe-exit.ts";
import { LineSplitter } from "./line-splitter.ts";
import type { ProcessFamily } from "./process-family.ts";
import { launchProcess, type LaunchedProcess } from "./process-launch.ts";
import type { ProcessDaemonSpec } from "./process-spec.ts";
import type { RotatingLog } from "./rotating-log.ts";

/** How an instance ended. */
export interface ProcessExit {
  exitCode: number | null;
  signal: string | null;
}

export interface ProcessInstance {
  child: ChildProcess;
  pid: number | undefined;
  exit: ProcessExit | undefined;
  /** Set when the program could not be run at all (command not found, bad cwd). */
  spawnError: Error | undefined;
  exited: Promise<ProcessExit>;
  /** The leader has exited and nothing of it runs (group, escapees); the record is forgotten. */
  gone: Promise<void>;
  /** Its process group and the descendants that left it (setsid); none if nothing was spawned. */
  family: ProcessFamily | undefined;
  /** Asked to stop, or killed: its exit is the end of a stop, not a crash; it reports no more. */
  stopping: boolean;
  /** Its exit (when nobody asked for it) and its heartbeats; a crash or an exit completes it. */
  reports: ReplaySubject<InstanceReport>;
  /** Set while a start waits for a stdout line or READY=1 (actors/process-readiness.ts). */
  onReady: (() => void) | undefined;
}

export interface SpawnOptions {
  name: string;
  spec: ProcessDaemonSpec;
  /** WARDEN_* variables for its environment (actors/process-launch.ts). */
  wardenEnv: Readonly<Record<string, string>>;
  pidsDir: string;
  logger: DaemonLogger;
  clock: WardenClock;
  log: RotatingLog;
  /** A stdout line matching it makes the instance ready (while a start waits for one). */
  readyPattern: RegExp | undefined;
  onOutput: ((stream: "stdout" | "stderr", line: string) => void) | undefined;
  /** Told its process group and WARDEN_INSTANCE id as it is spawned. */
  onSpawned: ((instance: { pgid: number; instanceId: string }) => void) | undefined;
  /** Waits, once the leader has exited, until nothing of the instance runs. */
  reap(instance: ProcessInstance): Promise<void>;
  /** The daemon's cgroup, where it has one (actors/daemon-cgroup.ts). */
  cgroup?: DaemonCgroup | undefined;
}

/**
 * Spawns the program; throws, with the reason logged, when it cannot be run at all (working
 * directory, some spawn errors). Other spawn errors come as `spawnError` and an exit.
 *
 * @example
 * const instance = spawnInstance({ name, spec, wardenEnv, pidsDir, logger, clock, log, ... });
 */
export function spawnInstance(options: SpawnOptions): ProcessInstance {
  const { name, spec, logger, log, clock, pidsDir } = options;
  let launched: LaunchedProcess;
  try {
    launched = launchProcess({
      spec,
      wardenEnv: options.wardenEnv,
      daemon: name,
      pidsDir,
      logger,
      clock,
      cgroup: options.cgroup,
    });
  } catch (error) {
    throw cannotRun(options, messageOf(error));
  }
  const { child, family, instanceId } = launched;
  const oomKillsBefore = options.cgroup?.oomKills() ?? 0;
  if (child.pid !== undefined) options.onSpawned?.({ pgid: child.pid, instanceId });
  let settle: (exit: ProcessExit) => void = () => {};
  const exited = new Promise<ProcessExit>((resolve) => (settle = resolve));
  const instance: ProcessInstance = {
    child,
    pid: child.pid,
    exit: undefined,
    spawnError: undefined,
    exited,
    gone: exited
      .then(() => options.reap(instance))
      .catch((error: unknown) => logger.error("the stop failed", { err: messageOf(error) })),
    family,
    stopping: false,
    reports: new ReplaySubject<InstanceReport>(1),
    onReady: undefined,
  };
  if (child.pid !== undefined) {
    log.note(`started pid ${child.pid}: ${spec.command} ${(spec.args ?? []).join(" ")}`);
  }
  const output = outputOf(instance, options);
  child.stdout?.on("data", (chunk: Buffer) => output("stdout", chunk));
  child.stderr?.on("data", (chunk: Buffer) => output("stderr", chunk));
  child.once("error", (error) => {
    // spawn failed (command not found, not executable): there is no process to wait for.
    instance.spawnError = cannotRun(options, launched.explain(error));
    instance.exit = { exitCode: null, signal: null };
    settle(instance.exit);
  });
  child.once("exit", (exitCode, signal) => {
    const exit = { exitCode, signal };
    instance.exit = exit;
    log.flush();
    log.note(describeExit(exit));
    // What the leader left behind goes with it (a stop has signalled it already).
    if (!instance.stopping) instance.family?.terminate();
    settle(exit);
    if (instance.stopping) return;
    const oomKilled = (options.cgroup?.oomKills() ?? 0) > oomKillsBefore && signal === "SIGKILL";
    if (oomKilled) memoryKilled(instance, options);
    else exitedOnItsOwn(instance, exit);
  });
  return instance;
}

function exitedOnItsOwn(instance: ProcessInstance, exit: ProcessExit): void {
  const report: InstanceReport =
    exit.exitCode === 0
      ? { type: "EXITED", exitCode: 0, signal: null }
      : { type: "CRASHED", error: describeExit(exit), ...exit };
  instance.reports.next(report);
  instance.reports.complete();
}

/** Killed by the kernel for going over its cgroup's memory limit: a restart for memory. */
function memoryKilled(instance: ProcessInstance, options: SpawnOptions): void {
  const limit = options.spec.limits?.memoryMb;
  const error = `killed by the kernel: memory over limits.memoryMb ${limit} (cgroup ${options.cgroup?.memoryDir})`;
  options.log.note(error);
  instance.reports.next({ type: "MEMORY_EXCEEDED", error });
  instance.reports.complete();
}

/** Each chunk to the log; lines to `onOutput` and, while a start waits, to the ready pattern. */
function outputOf(instance: ProcessInstance, options: SpawnOptions) {
  const { log, onOutput, readyPattern } = options;
  const lines = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  return (stream: "stdout" | "stderr", chunk: Buffer): void => {
    log.write(stream, chunk);
    const scan = stream === "stdout" && instance.onReady !== undefined && readyPattern;
    if (!onOutput && !scan) return;
    for (const bytes of lines[stream].push(chunk)) {
      const line = bytes.toString("utf8");
      onOutput?.(stream, line);
      if (scan && readyPattern.test(line)) instance.onReady?.();
    }
  };
}

/** "cannot run "x": <problem>", logged and noted in the log file. */
function cannotRun(options: SpawnOptions, problem: string): Error {
  const reason = new Error(`cannot run "${options.spec.command}": ${problem}`);
  options.logger.error(reason.message);
  options.log.note(reason.message);
  return reason;
}
