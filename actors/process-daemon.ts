/**
 * The driver of a process daemon (SPEC §4): a program in any language, spawned as the leader of
 * its own process group so that a stop reaches its grandchildren too. Readiness is one of
 * spawn, a stdout line, a TCP port, an HTTP probe or `READY=1` on the notify socket; stdout and
 * stderr go to a rotating log file; the pid and start time are recorded in the state directory
 * so that a manager killed with SIGKILL leaves nothing behind that the next one cannot find.
 */
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { DaemonDriver, DriverReport } from "../machines/daemon-driver.ts";
import type { ProcessDaemonSpec } from "./process-spec.ts";
import type { BusClient, DaemonLogger } from "./daemon-types.ts";
import { messageOf } from "../machines/errors.ts";
import { LineSplitter } from "./line-splitter.ts";
import { logFileOf } from "./log-files.ts";
import { MAX_METRICS_PER_DAEMON, type NotifyMessage } from "./notify-message.ts";
import { notifySocketPath } from "./notify-socket-path.ts";
import { mergeMetrics } from "./daemon-metrics.ts";
import { describeExit } from "./describe-exit.ts";
import { removeInstanceRecord } from "./instance-record.ts";
import { NotifySocket } from "./notify-socket.ts";
import { KILL_SETTLE_MS, type ProcessFamily } from "./process-family.ts";
import { launchProcess, type LaunchedProcess } from "./process-launch.ts";
import { RateLimitedWarning } from "./rate-limited-warning.ts";
import { waitForHttp, waitForTcp } from "./readiness-probes.ts";
import { RotatingLog } from "./rotating-log.ts";
import { settlesWithin } from "./settles-within.ts";
import { whenAborted } from "./when-aborted.ts";

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
  /**
   * Told each instance's process group and WARDEN_INSTANCE id as it is spawned, and undefined
   * once nothing of it runs (runtime/process-guard.ts hands them to the sentinel).
   */
  onInstance?: (instance: { pgid: number; instanceId: string } | undefined) => void;
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
  /** Events not written to a `SUBSCRIBE=` connection of it that did not read. */
  droppedEvents: number;
  /** Notify socket connections closed at once: it had too many open. */
  refusedConnections: number;
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
  /** The leader has exited and nothing of it runs (group, escapees); the record is forgotten. */
  gone: Promise<void>;
  /** Set once `gone` resolved: the group id may belong to someone else now, never signal it. */
  ended: boolean;
  /** Its process group and the descendants that left it (setsid); none if nothing was spawned. */
  family: ProcessFamily | undefined;
  /** Asked to stop: its exit is the end of a stop, not a crash. */
  stopping: boolean;
  report: ((event: DriverReport) => void) | undefined;
  pending: DriverReport | undefined;
  onReady: (() => void) | undefined;
  lines: { stdout: LineSplitter; stderr: LineSplitter };
}

/** How long a dispose waits for killed processes to exit before it gives up on them. */
const DISPOSE_WAIT_MS = KILL_SETTLE_MS + 3000;

export class ProcessDriver implements DaemonDriver {
  private instance: Instance | undefined;
  private readonly notify: NotifySocket;
  private readonly log: RotatingLog;
  private readonly readyPattern: RegExp | undefined;
  private statusText: string | undefined;
  /** Its METRICS=, merged in place, bounded (daemon-metrics.ts); going over is told once. */
  private metrics: Record<string, number | string> = {};
  private toldTooManyMetrics = false;

  constructor(private readonly options: ProcessDriverOptions) {
    const { name, spec, stateDir } = options;
    const ready = spec.ready;
    this.readyPattern = ready && "stdout" in ready ? new RegExp(ready.stdout) : undefined;
    this.log = new RotatingLog({
      file: logFileOf(stateDir, name),
      ...spec.logs,
      onError: (error) => options.logger.warn("cannot write the log file", { err: String(error) }),
    });
    // All counted (invalidMessages); a few logged in full, then a summary now and then.
    const malformed = new RateLimitedWarning({
      what: "malformed notify messages",
      warn: (message, fields) => options.logger.warn(message, fields),
    });
    this.notify = new NotifySocket({
      path: notifySocketPath(stateDir, name),
      onMessage: (message) => this.onNotify(message),
      onInvalid: (error, line) => malformed.warn("malformed notify message", { error, line }),
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
      droppedEvents: this.notify.droppedEvents,
      refusedConnections: this.notify.refusedConnections,
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
    instance.family?.terminate(this.options.stopTimeoutMs);
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
    instance.family?.kill();
  }

  /**
   * Kills what is left, stops listening on the notify socket and closes the log. After the last
   * stop. Always ends: what does not exit, or a file it cannot remove, is logged.
   */
  async dispose(): Promise<void> {
    const { logger } = this.options;
    this.kill();
    const instance = this.instance;
    if (instance && !(await settlesWithin(instance.gone, DISPOSE_WAIT_MS))) {
      logger.error(`process ${instance.pid} still runs ${DISPOSE_WAIT_MS} ms after SIGKILL`);
    }
    const closing = this.notify.close().catch((error: unknown) => {
      logger.error("cannot remove the notify socket", { err: messageOf(error) });
    });
    await settlesWithin(closing, DISPOSE_WAIT_MS);
    this.log.close();
  }

  /** Spawns the program; throws when it cannot be run (working directory, some spawn errors). */
  private spawnInstance(): Instance {
    const { name, spec, logger, heartbeatTimeoutMs } = this.options;
    const wardenEnv: Record<string, string> = {
      WARDEN_DAEMON_NAME: name,
      WARDEN_NOTIFY_SOCKET: this.notify.path,
    };
    if (heartbeatTimeoutMs !== undefined) wardenEnv.WARDEN_WATCHDOG_MS = String(heartbeatTimeoutMs);
    let launched: LaunchedProcess;
    try {
      launched = launchProcess({ spec, wardenEnv, daemon: name, pidsDir: this.pidsDir, logger });
    } catch (error) {
      throw this.cannotRun(messageOf(error));
    }
    const { child, family, instanceId } = launched;
    if (child.pid !== undefined) this.options.onInstance?.({ pgid: child.pid, instanceId });
    let settle: (exit: ProcessExit) => void = () => {};
    const exited = new Promise<ProcessExit>((resolve) => (settle = resolve));
    const instance: Instance = {
      child,
      pid: child.pid,
      exit: undefined,
      spawnError: undefined,
      exited,
      gone: exited
        .then(() => this.groupGone(instance))
        .catch((error: unknown) => logger.error("the stop failed", { err: messageOf(error) })),
      ended: false,
      family,
      stopping: false,
      report: undefined,
      pending: undefined,
      onReady: undefined,
      lines: { stdout: new LineSplitter(), stderr: new LineSplitter() },
    };
    if (child.pid !== undefined) {
      this.log.note(`started pid ${child.pid}: ${spec.command} ${(spec.args ?? []).join(" ")}`);
    }
    child.stdout?.on("data", (chunk: Buffer) => this.output(instance, "stdout", chunk));
    child.stderr?.on("data", (chunk: Buffer) => this.output(instance, "stderr", chunk));
    child.once("error", (error) => {
      // spawn failed (command not found, not executable): there is no process to wait for.
      instance.spawnError = this.cannotRun(launched.explain(error));
      instance.exit = { exitCode: null, signal: null };
      settle(instance.exit);
    });
    child.once("exit", (exitCode, signal) => {
      const exit = { exitCode, signal };
      instance.exit = exit;
      this.log.flush();
      this.log.note(describeExit(exit));
      // What the leader left behind goes with it (a stop has signalled it already).
      if (!instance.stopping) instance.family?.terminate(this.options.stopTimeoutMs);
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
        if (mergeMetrics(this.metrics, message.metrics) > 0 && !this.toldTooManyMetrics) {
          this.toldTooManyMetrics = true;
          this.options.logger.warn(
            `the daemon reports more than ${MAX_METRICS_PER_DAEMON} metrics; further new names are ignored`,
            { limit: MAX_METRICS_PER_DAEMON },
          );
        }
        return;
      case "SUBSCRIBE":
        return;
    }
  }

  /** "cannot run "x": <problem>", logged and noted in the log file. */
  private cannotRun(problem: string): Error {
    const reason = new Error(`cannot run "${this.options.spec.command}": ${problem}`);
    this.options.logger.error(reason.message);
    this.log.note(reason.message);
    return reason;
  }

  /**
   * Waits, once the leader has exited, until nothing is left of the instance: its group and the
   * processes that left it (SIGKILL at the stop's deadline), then forgets its record. What
   * survives SIGKILL is logged and keeps the record, for the next start's reaping.
   */
  private async groupGone(instance: Instance): Promise<void> {
    const { pid, family } = instance;
    const { logger, name } = this.options;
    if (pid === undefined || family === undefined) return;
    const cleared = await family.gone();
    instance.ended = true;
    const escaped = family.escapedPids;
    if (escaped.length > 0) logger.warn("stopped processes that had left the group", { escaped });
    if (!cleared) return;
    removeInstanceRecord(this.pidsDir, name, pid, logger);
    if (this.instance === instance) this.options.onInstance?.(undefined);
  }

  /**
   * Puts the notify socket back if its file vanished (the state directory was deleted): true
   * when it did. Rejects when it cannot (an unsafe directory). See NotifySocket.repair.
   */
  repair(): Promise<boolean> {
    return this.notify.repair();
  }
}
