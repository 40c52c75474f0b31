/**
 * The driver of a process daemon (SPEC §4): a program in any language, spawned as the leader of
 * its own process group so that a stop reaches its grandchildren too. Readiness is one of
 * spawn, a stdout line, a TCP port, an HTTP probe or `READY=1` on the notify socket; stdout and
 * stderr go to a rotating log file; the pid and start time are recorded in the state directory
 * so that a manager killed with SIGKILL leaves nothing behind that the next one cannot find.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { DaemonDriver, DriverReport } from "../machines/daemon-driver.ts";
import type { ReadyCheck, LogRotation } from "../runtime/config/types.ts";
import type { BusClient, DaemonLogger } from "../runtime/daemon-types.ts";
import { LineSplitter } from "../runtime/line-splitter.ts";
import { logFileOf } from "../runtime/log-files.ts";
import type { NotifyMessage } from "../runtime/notify-message.ts";
import { notifySocketPath } from "../runtime/notify-socket-path.ts";
import { NotifySocket } from "./notify-socket.ts";
import { groupRunning, processStartTime, signalGroup } from "./process-groups.ts";
import { forgetProcess, recordProcess } from "./process-records.ts";
import { waitForHttp, waitForTcp } from "./readiness-probes.ts";
import { RotatingLog } from "./rotating-log.ts";
import { whenAborted } from "./when-aborted.ts";

/**
 * A program to supervise.
 *
 * @example
 * const web: ProcessDaemonSpec = { command: "node", args: ["server.js"], ready: { tcp: 8080 } };
 */
export interface ProcessDaemonSpec {
  command: string;
  args?: readonly string[];
  /** Added to the manager's environment. */
  env?: Readonly<Record<string, string>>;
  /** Absolute, or relative to the manager's working directory. */
  cwd?: string;
  /** When the process counts as ready. Default: as soon as it is spawned. */
  ready?: ReadyCheck;
  logs?: LogRotation;
}

export interface ProcessDriverOptions {
  name: string;
  spec: ProcessDaemonSpec;
  stateDir: string;
  /** The bus as this daemon sees it: what it publishes has the daemon as its source. */
  bus: BusClient;
  logger: DaemonLogger;
  /** How long what a process leaves in its group gets after SIGTERM before SIGKILL. */
  stopTimeoutMs: number;
  /** Told to the process as WARDEN_WATCHDOG_MS, so that it knows how often to send WATCHDOG=1. */
  heartbeatTimeoutMs: number | undefined;
  /** Each complete line the process writes, as it comes (the log file has them all too). */
  onOutput?: (stream: "stdout" | "stderr", line: string) => void;
}

/** How an instance ended. */
export interface ProcessExit {
  exitCode: number | null;
  signal: string | null;
}

/** What status shows of a process daemon. */
export interface ProcessDetails {
  pid?: number;
  statusText?: string;
  metrics: Record<string, number | string>;
  invalidNotifyMessages: number;
}

/** A start that ended because the process exited first; carries its exit for the events. */
export class ExitedBeforeReady extends Error {
  constructor(
    readonly exitCode: number | null,
    readonly signal: string | null,
  ) {
    super(`the process ${describeExit({ exitCode, signal })} before it was ready`);
  }
}

interface Instance {
  child: ChildProcess;
  pid: number | undefined;
  exit: ProcessExit | undefined;
  /** Set when the program could not be run at all (command not found, bad cwd). */
  spawnError: Error | undefined;
  exited: Promise<ProcessExit>;
  /** The leader has exited and its process group is empty; the record is forgotten. */
  gone: Promise<void>;
  /** Set once `gone` resolved: the group id may belong to someone else now, never signal it. */
  ended: boolean;
  /** Asked to stop: its exit is the end of a stop, not a crash. */
  stopping: boolean;
  report: ((event: DriverReport) => void) | undefined;
  pending: DriverReport | undefined;
  onReady: (() => void) | undefined;
  lines: { stdout: LineSplitter; stderr: LineSplitter };
}

const GROUP_POLL_MS = 20;

export class ProcessDriver implements DaemonDriver {
  private instance: Instance | undefined;
  private readonly notify: NotifySocket;
  private readonly log: RotatingLog;
  private readonly readyPattern: RegExp | undefined;
  private statusText: string | undefined;
  private metrics: Record<string, number | string> = {};

  constructor(private readonly options: ProcessDriverOptions) {
    const { name, spec, stateDir } = options;
    const ready = spec.ready;
    this.readyPattern = ready && "stdout" in ready ? new RegExp(ready.stdout) : undefined;
    this.log = new RotatingLog({
      file: logFileOf(stateDir, name),
      ...spec.logs,
      onError: (error) => options.logger.warn("cannot write the log file", { err: String(error) }),
    });
    this.notify = new NotifySocket({
      path: notifySocketPath(stateDir, name),
      onMessage: (message) => this.onNotify(message),
      onInvalid: (error, line) => options.logger.warn("malformed notify message", { error, line }),
      subscribe: (type, deliver) => {
        const subscription = options.bus.subscribe(type, (event) => {
          deliver(JSON.stringify(event));
        });
        return () => subscription.unsubscribe();
      },
    });
  }

  /** The pid of the running instance, its STATUS= text, its METRICS= and notify counters. */
  details(): ProcessDetails {
    const details: ProcessDetails = {
      metrics: { ...this.metrics },
      invalidNotifyMessages: this.notify.invalidMessages,
    };
    const instance = this.instance;
    if (instance?.pid !== undefined && !instance.exit) details.pid = instance.pid;
    if (this.statusText !== undefined) details.statusText = this.statusText;
    return details;
  }

  get pidsDir(): string {
    return join(this.options.stateDir, "pids");
  }

  async start(signal: AbortSignal): Promise<void> {
    await this.notify.listen();
    this.notify.dropConnections();
    this.statusText = undefined;
    this.metrics = {};
    const instance = this.spawnInstance();
    this.instance = instance;
    const ready = this.readiness(instance, signal);
    const exitedFirst = instance.exited.then((exit) => {
      if (instance.spawnError) throw instance.spawnError;
      throw new ExitedBeforeReady(exit.exitCode, exit.signal);
    });
    const aborted = whenAborted(signal).then((): never => {
      throw signal.reason;
    });
    try {
      await Promise.race([ready, exitedFirst, aborted]);
    } finally {
      instance.onReady = undefined;
    }
    // Handled: the exit of a ready instance is reported through watch().
    exitedFirst.catch(() => {});
  }

  async stop(signal: AbortSignal): Promise<void> {
    const instance = this.instance;
    if (!instance) return;
    instance.stopping = true;
    instance.report = undefined;
    this.signalGroup(instance, "SIGTERM");
    await Promise.race([instance.gone, whenAborted(signal)]);
  }

  watch(report: (event: DriverReport) => void): () => void {
    const instance = this.instance;
    if (!instance) {
      report({ type: "CRASHED", error: "the process has no running instance" });
      return () => {};
    }
    instance.report = report;
    if (instance.pending) report(instance.pending);
    instance.pending = undefined;
    return () => {
      instance.report = undefined;
    };
  }

  kill(): void {
    const instance = this.instance;
    if (!instance) return;
    instance.stopping = true;
    instance.report = undefined;
    this.signalGroup(instance, "SIGKILL");
  }

  /** Stops listening on the notify socket and closes the log. After the last stop. */
  async dispose(): Promise<void> {
    this.kill();
    const instance = this.instance;
    if (instance) await instance.gone;
    await this.notify.close();
    this.log.close();
  }

  private spawnInstance(): Instance {
    const { name, spec, logger } = this.options;
    const child = spawn(spec.command, [...(spec.args ?? [])], {
      cwd: spec.cwd,
      env: {
        ...process.env,
        ...spec.env,
        WARDEN_DAEMON_NAME: name,
        WARDEN_NOTIFY_SOCKET: this.notify.path,
        ...(this.options.heartbeatTimeoutMs !== undefined
          ? { WARDEN_WATCHDOG_MS: String(this.options.heartbeatTimeoutMs) }
          : {}),
      },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let settle: (exit: ProcessExit) => void = () => {};
    const exited = new Promise<ProcessExit>((resolve) => (settle = resolve));
    const instance: Instance = {
      child,
      pid: child.pid,
      exit: undefined,
      spawnError: undefined,
      exited,
      gone: exited.then(() => this.groupGone(instance)),
      ended: false,
      stopping: false,
      report: undefined,
      pending: undefined,
      onReady: undefined,
      lines: { stdout: new LineSplitter(), stderr: new LineSplitter() },
    };
    if (child.pid !== undefined) {
      this.record(child.pid);
      this.log.note(`started pid ${child.pid}: ${spec.command} ${(spec.args ?? []).join(" ")}`);
    }
    child.stdout?.on("data", (chunk: Buffer) => this.output(instance, "stdout", chunk));
    child.stderr?.on("data", (chunk: Buffer) => this.output(instance, "stderr", chunk));
    child.once("error", (error) => {
      // spawn failed (command not found, cwd missing): there is no process to wait for.
      const reason = new Error(`cannot run "${spec.command}": ${error.message}`);
      logger.error(reason.message);
      this.log.note(reason.message);
      instance.spawnError = reason;
      instance.exit = { exitCode: null, signal: null };
      settle(instance.exit);
    });
    child.once("exit", (exitCode, signal) => {
      const exit = { exitCode, signal };
      instance.exit = exit;
      this.log.flush();
      this.log.note(describeExit(exit));
      // What the leader left behind in its group goes with it (a stop has signalled it already).
      if (!instance.stopping) this.signalGroup(instance, "SIGTERM");
      settle(exit);
      if (!instance.stopping) this.exitedOnItsOwn(instance, exit);
    });
    return instance;
  }

  private exitedOnItsOwn(instance: Instance, exit: ProcessExit): void {
    const event: DriverReport =
      exit.exitCode === 0
        ? { type: "EXITED", exitCode: 0, signal: null }
        : { type: "CRASHED", error: describeExit(exit), ...exit };
    if (instance.report) instance.report(event);
    else instance.pending = event;
  }

  private readiness(instance: Instance, signal: AbortSignal): Promise<void> {
    const ready = this.options.spec.ready;
    if (!ready || "spawn" in ready) {
      return new Promise<void>((resolve) => instance.child.once("spawn", () => resolve()));
    }
    if ("tcp" in ready) return waitForTcp(ready.tcp, signal);
    if ("http" in ready) return waitForHttp(ready.http, signal);
    return new Promise<void>((resolve) => {
      instance.onReady = resolve;
    });
  }

  private output(instance: Instance, stream: "stdout" | "stderr", chunk: Buffer): void {
    this.log.write(stream, chunk);
    const { onOutput } = this.options;
    const scan = stream === "stdout" && instance.onReady !== undefined && this.readyPattern;
    if (!onOutput && !scan) return;
    for (const bytes of instance.lines[stream].push(chunk)) {
      const line = bytes.toString("utf8");
      onOutput?.(stream, line);
      if (scan && this.readyPattern!.test(line)) instance.onReady?.();
    }
  }

  private onNotify(message: NotifyMessage): void {
    const instance = this.instance;
    switch (message.kind) {
      case "READY":
        if (instance && "notify" in (this.options.spec.ready ?? {})) instance.onReady?.();
        return;
      case "WATCHDOG":
        instance?.report?.({ type: "HEARTBEAT" });
        return;
      case "STATUS":
        this.statusText = message.text === "" ? undefined : message.text;
        return;
      case "EVENT":
        this.options.bus.publish(message.type, message.data as never);
        return;
      case "METRICS":
        this.metrics = { ...this.metrics, ...message.metrics };
        return;
      case "SUBSCRIBE":
        return;
    }
  }

  /** Records the new process so that a later manager can find it if this one is killed. */
  private record(pid: number): void {
    const { name, spec, logger } = this.options;
    try {
      const startTime = processStartTime(pid);
      if (startTime === undefined) return;
      recordProcess(this.pidsDir, {
        daemon: name,
        pid,
        startTime,
        command: [spec.command, ...(spec.args ?? [])].join(" "),
        recordedAt: new Date().toISOString(),
      });
    } catch (error) {
      logger.warn("cannot record the process; a manager killed with SIGKILL would leave it", {
        pid,
        err: String(error),
      });
    }
  }

  /** Signals the instance's process group; a failure is logged, never thrown at the manager. */
  private signalGroup(instance: Instance, signal: NodeJS.Signals): void {
    const pgid = instance.pid;
    if (pgid === undefined || instance.ended) return;
    try {
      signalGroup(pgid, signal);
    } catch (error) {
      this.options.logger.error(`cannot send ${signal} to process group ${pgid}`, {
        err: String(error),
      });
    }
  }

  /**
   * Waits, once the leader has exited, until nothing is left in its process group (SIGKILL for
   * what outlives `stopTimeoutMs`), then forgets the instance's record.
   */
  private async groupGone(instance: Instance): Promise<void> {
    const pid = instance.pid;
    if (pid === undefined) return;
    const deadline = Date.now() + this.options.stopTimeoutMs;
    while (groupRunning(pid)) {
      if (Date.now() >= deadline) this.signalGroup(instance, "SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, GROUP_POLL_MS));
    }
    instance.ended = true;
    forgetProcess(this.pidsDir, this.options.name, pid);
  }
}

/** "exited with code 3", "killed by SIGKILL". */
export function describeExit(exit: ProcessExit): string {
  if (exit.signal) return `killed by ${exit.signal}`;
  if (exit.exitCode === null) return "could not be started";
  return `exited with code ${exit.exitCode}`;
}
