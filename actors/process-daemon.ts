/**
 * The driver of a process daemon (SPEC §4): a program in any language, run one instance at a
 * time. This file ties the parts together: the spawn (actors/process-instance.ts), readiness
 * (actors/process-readiness.ts), liveness (actors/process-health.ts), the notify socket
 * (actors/process-notify.ts) and the reaping of an instance's process group
 * (actors/process-reaping.ts). stdout and stderr go to a rotating log file; the pid and start
 * time are recorded in the state directory so that a manager killed with SIGKILL leaves nothing
 * behind that the next one cannot find. A stop sends SIGTERM and
 * waits: the deadline, and the SIGKILL after it, are the lifecycle chart's (`kill`).
 */
import type { ResourceUnits } from "../machines/resource-book.ts";
import { resourceEnv } from "../machines/resource-env.ts";
import { join } from "node:path";
import { merge, of, type Observable } from "rxjs";
import type { HealthPolicy } from "../machines/daemon-policy.ts";
import { DEFAULTS } from "../machines/defaults.ts";
import { messageOf } from "../machines/errors.ts";
import type { InstanceReport } from "../machines/instance-protocol.ts";
import { cgroupTreeFor } from "./cgroup-tree.ts";
import type { WardenClock } from "./clock.ts";
import type { DaemonCgroup } from "./daemon-cgroup.ts";
import type { BusClient, DaemonLogger } from "./daemon-types.ts";
import type { GuardedInstance } from "./group-sentinel.ts";
import type { DaemonDriver } from "./lifecycle-actors.ts";
import { logFileOf } from "./log-files.ts";
import { KILL_SETTLE_MS } from "./process-family.ts";
import { spawnInstance, type ProcessInstance } from "./process-instance.ts";
import { processHealthReports, type ProcessHealthOptions } from "./process-health.ts";
import { memoryLimitReports, type MemorySample } from "./process-memory.ts";
import { ProcessNotify } from "./process-notify.ts";
import { readyOnNotify, readyPatternOf, untilReady } from "./process-readiness.ts";
import { reapInstance } from "./process-reaping.ts";
import type { ProcessDaemonSpec } from "./process-spec.ts";
import { RotatingLog } from "./rotating-log.ts";
import { settlesWithin } from "./settles-within.ts";
import { whenAborted } from "./when-aborted.ts";

export { ExitedBeforeReady } from "./process-readiness.ts";
export type { ProcessExit } from "./process-instance.ts";

export interface ProcessDriverOptions {
  name: string;
  spec: ProcessDaemonSpec;
  stateDir: string;
  /** The bus as this daemon sees it: what it publishes has the daemon as its source. */
  bus: BusClient;
  logger: DaemonLogger;
  /** What the waiting for a stopped instance's processes runs on. */
  clock: WardenClock;
  /** Told to the process as WARDEN_WATCHDOG_MS, so that it knows how often to send WATCHDOG=1. */
  heartbeatTimeoutMs: number | undefined;
  /** How often `spec.healthProbe` runs, its timeout and threshold. Default: DEFAULTS.daemon.health. */
  health?: HealthPolicy;
  /** Each complete line the process writes, as it comes (the log file has them all too). */
  onOutput?: (stream: "stdout" | "stderr", line: string) => void;
  /**
   * Told each instance's process group and WARDEN_INSTANCE id as it is spawned, and undefined
   * once nothing of it runs (runtime/process-guard.ts hands them to the sentinel).
   */
  onInstance?: (instance: GuardedInstance | undefined) => void;
  /** How often `spec.limits.memoryMb` is checked. Default DEFAULTS.memorySampleMs. */
  memorySampleMs?: number;
  /** The resource units it holds now: passed as WARDEN_RESOURCE_* (machines/resource-env.ts). */
  resources?: () => ResourceUnits;
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
  /** Its latest memory measurement, with `limits.memoryMb` (actors/process-memory.ts). */
  memory?: MemorySample;
  /** Its cgroup (the directory with the memory controller), where it has one. */
  cgroup?: string;
  /** Why it has no cgroup where the manager could create them. */
  cgroupProblem?: string;
}

/** How long a dispose waits for killed processes to exit before it gives up on them. */
const DISPOSE_WAIT_MS = KILL_SETTLE_MS + 3000;

const HEARTBEAT: InstanceReport = { type: "HEARTBEAT" };
const NO_INSTANCE: InstanceReport = {
  type: "CRASHED",
  error: "the process has no running instance",
};

export class ProcessDriver implements DaemonDriver {
  private instance: ProcessInstance | undefined;
  private readonly notify: ProcessNotify;
  private readonly log: RotatingLog;
  private readonly readyPattern: RegExp | undefined;
  /** How its `health.probe` runs; undefined without one. */
  private readonly probe: ProcessHealthOptions | undefined;
  /** The latest memory sample, with `limits.memoryMb`. */
  private memory: MemorySample | undefined;
  /** Its cgroup, once an instance was put in one. */
  private cgroup: DaemonCgroup | undefined;

  constructor(private readonly options: ProcessDriverOptions) {
    const { name, spec, stateDir, bus, logger } = options;
    this.readyPattern = readyPatternOf(spec.ready);
    this.log = new RotatingLog({
      file: logFileOf(stateDir, name),
      ...spec.logs,
      onError: (error) => logger.warn("cannot write the log file", { err: messageOf(error) }),
    });
    this.notify = new ProcessNotify({
      name,
      stateDir,
      bus,
      logger,
      onReady: () => {
        if (readyOnNotify(spec.ready)) this.instance?.onReady?.();
      },
      onHeartbeat: () => {
        const instance = this.instance;
        if (instance && !instance.stopping) instance.reports.next(HEARTBEAT);
      },
    });
    this.probe = spec.healthProbe && {
      name,
      probe: spec.healthProbe,
      spec,
      policy: options.health ?? DEFAULTS.daemon.health,
      clock: options.clock,
      askNotify: (signal) => this.notify.askHealth(signal),
    };
  }

  /** The pid of the running instance, its STATUS= text, its METRICS= and notify counters. */
  details(): ProcessDetails {
    const { statusText, ...notify } = this.notify.details();
    const details: ProcessDetails = notify;
    const instance = this.instance;
    if (instance?.pid !== undefined && !instance.exit) details.pid = instance.pid;
    if (statusText !== undefined) details.statusText = statusText;
    if (this.memory !== undefined) details.memory = this.memory;
    if (this.cgroup !== undefined) details.cgroup = this.cgroup.memoryDir;
    const problem = this.cgroupTree()?.problem;
    if (problem !== undefined) details.cgroupProblem = problem;
    return details;
  }

  get pidsDir(): string {
    return join(this.options.stateDir, "pids");
  }

  async start(signal: AbortSignal): Promise<void> {
    await this.notify.beginInstance();
    // Stopped while the socket was being set up: nothing is spawned.
    if (signal.aborted) throw signal.reason;
    const instance = this.spawn();
    this.instance = instance;
    await untilReady(instance, this.options.spec.ready, signal);
  }

  /** SIGTERM (and SIGCONT) to the instance's processes; resolves once they are all gone. */
  async stop(signal: AbortSignal): Promise<void> {
    const instance = this.instance;
    if (!instance) return;
    instance.stopping = true;
    instance.family?.terminate();
    await Promise.race([instance.gone, whenAborted(signal)]);
  }

  /**
   * The current instance's exit (when nobody asked for it), its WATCHDOG=1 heartbeats and, while
   * subscribed, the results of its health probe.
   */
  reports(): Observable<InstanceReport> {
    const instance = this.instance;
    if (!instance) return of(NO_INSTANCE);
    const memory = memoryLimitReports({
      memoryMb: this.options.spec.limits?.memoryMb,
      pgid: instance.pid,
      cgroup: instance.family !== undefined ? this.cgroup : undefined,
      clock: this.options.clock,
      sampleMs: this.options.memorySampleMs,
      onSample: (sample) => (this.memory = sample),
    });
    if (!this.probe) return merge(instance.reports, memory);
    return merge(instance.reports, processHealthReports(this.probe, instance.pid), memory);
  }

  kill(): void {
    const instance = this.instance;
    if (!instance) return;
    instance.stopping = true;
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
    const closing = this.notify.socket.close().catch((error: unknown) => {
      logger.error("cannot remove the notify socket", { err: messageOf(error) });
    });
    await settlesWithin(closing, DISPOSE_WAIT_MS);
    this.log.close();
    if (this.cgroup) this.cgroupTree()?.release(this.options.name);
  }

  /**
   * Puts the notify socket back if its file vanished (the state directory was deleted): true
   * when it did. Rejects when it cannot (an unsafe directory). See NotifySocket.repair.
   */
  repair(): Promise<boolean> {
    return this.notify.socket.repair();
  }

  /** The manager's cgroups, where it may create them (actors/cgroup-tree.ts). */
  private cgroupTree() {
    return cgroupTreeFor(this.options.stateDir);
  }

  private spawn(): ProcessInstance {
    const { name, spec, logger, clock, heartbeatTimeoutMs, onOutput, onInstance } = this.options;
    const tree = this.cgroupTree();
    const hadProblem = tree?.problem;
    this.cgroup = tree?.acquire(name, spec.limits ?? {}, (pids) =>
      logger.warn(`killing processes ${pids.join(", ")} left in the cgroup of ${name}`),
    );
    if (tree?.problem !== undefined && hadProblem === undefined) logger.warn(tree.problem);
    const cgroups = this.cgroup?.dirs;
    const wardenEnv: Record<string, string> = {
      WARDEN_DAEMON_NAME: name,
      WARDEN_NOTIFY_SOCKET: this.notify.path,
    };
    if (heartbeatTimeoutMs !== undefined) wardenEnv.WARDEN_WATCHDOG_MS = String(heartbeatTimeoutMs);
    if (this.options.resources) Object.assign(wardenEnv, resourceEnv(this.options.resources()));
    const { pidsDir, log, readyPattern } = this;
    const reap = {
      name,
      pidsDir,
      logger,
      onCleared: (cleared: ProcessInstance) => {
        if (this.instance === cleared) onInstance?.(undefined);
      },
    };
    return spawnInstance({
      name,
      spec,
      wardenEnv,
      pidsDir,
      logger,
      clock,
      log,
      readyPattern,
      onOutput,
      onSpawned:
        onInstance && ((spawned) => onInstance(cgroups ? { ...spawned, cgroups } : spawned)),
      reap: (instance) => reapInstance(instance, reap),
      cgroup: this.cgroup,
    });
  }
}
