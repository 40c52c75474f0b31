/**
 * What the manager registers for one daemon: its driver (actors/lifecycle-actors.ts), which the
 * lifecycle actor's provided actors find by the daemon's name (runtime/manager/actor-system.ts),
 * plus what status shows of it and what the manager itself does with it (dispose, kill at exit,
 * repair). In-process daemons and process daemons each get their own driver.
 */
import type { GuardedInstance } from "../../actors/group-sentinel.ts";
import { InProcessDriver } from "../../actors/in-process-daemon.ts";
import { runAs } from "../../actors/daemon-ownership.ts";
import type { WardenClock } from "../../actors/clock.ts";
import { ProcessDriver } from "../../actors/process-daemon.ts";
import type { ProcessDaemonSpec } from "../../actors/process-spec.ts";
import type { DaemonDriver } from "../../actors/lifecycle-actors.ts";
import type { DaemonPolicy } from "../../machines/daemon-policy.ts";
import type { InProcessDaemon } from "../../actors/daemon-types.ts";
import { WardenError, messageOf } from "../../machines/errors.ts";
import type { ResourceUnits } from "../../machines/resource-book.ts";
import type { EventBus } from "../bus/event-bus.ts";
import { daemonLogger, type Logger } from "../logger.ts";
import type { MemorySample } from "../../actors/process-memory.ts";
import { limitsStatus, type LimitsStatus } from "./limits-status.ts";

/** What status shows of a process daemon beyond its state. */
export interface ProcessStatus {
  command: string;
  pid?: number;
  /** The latest `STATUS=` line it sent on the notify socket. */
  statusText?: string;
  /** Malformed messages it wrote on the notify socket (all of them, logged or not). */
  invalidNotifyMessages: number;
  /** Events not written to one of its `SUBSCRIBE=` connections because it did not read them. */
  droppedEvents: number;
  /** Notify socket connections closed at once because it had too many open. */
  refusedConnections: number;
  /** Its `limits` (SPEC §6a), and which of them are not enforced here. */
  limits?: LimitsStatus;
  /** Its latest memory measurement (resident bytes of its group), with `limits.memoryMb`. */
  memory?: MemorySample;
  /** Its cgroup, where warden made one (SPEC §6a): the directory with the memory controller. */
  cgroup?: string;
}

export interface SupervisedDriver {
  kind: "module" | "process";
  driver: DaemonDriver;
  /** `getMetrics()` of a module, `METRICS=` of a process; undefined when there are none. */
  metrics(): Record<string, number | string> | undefined;
  process(): ProcessStatus | undefined;
  /** Releases what the driver holds (notify socket, log file) once the daemon is stopped. */
  dispose(): Promise<void>;
  /** Ends whatever is left at once, synchronously: the manager's process is exiting. */
  killNow(): void;
  /**
   * Re-creates what the state directory held for the daemon if it vanished (a process daemon's
   * notify socket): true when something was re-created. Never rejects: a failure is logged and
   * resolves false.
   */
  repair(): Promise<boolean>;
}

export interface DriverEnvironment {
  clock: WardenClock;
  bus: EventBus;
  logger: Logger;
  stateDir: string;
  /** How often process daemons' `limits.memoryMb` is checked. Default DEFAULTS.memorySampleMs. */
  memorySampleMs?: number;
  /** The resource units a daemon holds now (SPEC §6a): its process's env, a module's ctx. */
  resourcesOf?: (daemon: string) => ResourceUnits;
  /** Each line a process daemon writes on stdout or stderr. */
  onOutput?: (line: ProcessOutputLine) => void;
  /** A process daemon's instance as it is spawned, and undefined once nothing of it runs. */
  onProcessInstance?: (daemon: string, instance: GuardedInstance | undefined) => void;
}

/** One line of a process daemon's output. */
export interface ProcessOutputLine {
  daemon: string;
  stream: "stdout" | "stderr";
  line: string;
  time: number;
}

/** A daemon is either an in-process module object or a program to run. */
export type DaemonImplementation = InProcessDaemon | ProcessDaemonSpec;

export function isProcessSpec(daemon: DaemonImplementation): daemon is ProcessDaemonSpec {
  return typeof (daemon as ProcessDaemonSpec)?.command === "string";
}

/**
 * The driver of `daemon`, checked: a module must have start and stop, a process a command and
 * a valid readiness pattern.
 *
 * @example
 * const supervised = supervisedDriver("web", { command: "node", args: ["web.js"] }, policy, env);
 */
export function supervisedDriver(
  name: string,
  daemon: DaemonImplementation,
  policy: DaemonPolicy,
  env: DriverEnvironment,
): SupervisedDriver {
  const logger = daemonLogger(env.logger, name);
  if (isProcessSpec(daemon)) return processDriver(name, daemon, policy, env, logger);
  if (typeof daemon?.start !== "function" || typeof daemon?.stop !== "function") {
    throw new WardenError(
      "WARDEN_ERR_DAEMON_MODULE",
      `daemon "${name}" must have start(ctx) and stop(ctx) functions, or a command to run`,
    );
  }
  const driver = new InProcessDriver({
    name,
    daemon,
    clock: env.clock,
    health: policy.health,
    logger,
    bus: (owner) => env.bus.client(name, (fn) => runAs(owner, fn)),
    ...(env.resourcesOf ? { resources: () => env.resourcesOf!(name) } : {}),
  });
  return {
    kind: "module",
    driver,
    metrics: () => {
      if (!daemon.getMetrics) return undefined;
      try {
        return daemon.getMetrics();
      } catch (error) {
        return { error: messageOf(error) };
      }
    },
    process: () => undefined,
    dispose: async () => {},
    killNow: () => driver.kill(),
    repair: async () => false,
  };
}

function processDriver(
  name: string,
  spec: ProcessDaemonSpec,
  policy: DaemonPolicy,
  env: DriverEnvironment,
  logger: ReturnType<typeof daemonLogger>,
): SupervisedDriver {
  const ready = spec.ready;
  if (ready && "stdout" in ready) {
    try {
      new RegExp(ready.stdout);
    } catch (error) {
      throw new WardenError(
        "WARDEN_ERR_CONFIG",
        `daemon "${name}": ready.stdout is not a valid regular expression: ${messageOf(error)}`,
      );
    }
  }
  const driver = new ProcessDriver({
    name,
    spec,
    stateDir: env.stateDir,
    bus: env.bus.client(name, (fn) => fn()),
    logger,
    clock: env.clock,
    heartbeatTimeoutMs: policy.heartbeatTimeoutMs,
    health: policy.health,
    ...(env.memorySampleMs !== undefined ? { memorySampleMs: env.memorySampleMs } : {}),
    ...(env.resourcesOf ? { resources: () => env.resourcesOf!(name) } : {}),
    ...(env.onProcessInstance
      ? { onInstance: (instance) => env.onProcessInstance!(name, instance) }
      : {}),
    ...(env.onOutput
      ? {
          onOutput: (stream: "stdout" | "stderr", line: string) =>
            env.onOutput!({ daemon: name, stream, line, time: env.clock.now() }),
        }
      : {}),
  });
  const command = [spec.command, ...(spec.args ?? [])].join(" ");
  return {
    kind: "process",
    driver,
    metrics: () => {
      const { metrics } = driver.details();
      return Object.keys(metrics).length > 0 ? metrics : undefined;
    },
    process: () => {
      const details = driver.details();
      const status: ProcessStatus = {
        command,
        invalidNotifyMessages: details.invalidNotifyMessages,
        droppedEvents: details.droppedEvents,
        refusedConnections: details.refusedConnections,
      };
      if (details.pid !== undefined) status.pid = details.pid;
      if (details.statusText !== undefined) status.statusText = details.statusText;
      const limits = limitsStatus(spec.limits, details.cgroupProblem);
      if (limits) status.limits = limits;
      if (details.memory !== undefined) status.memory = details.memory;
      if (details.cgroup !== undefined) status.cgroup = details.cgroup;
      return status;
    },
    dispose: () => driver.dispose(),
    killNow: () => driver.kill(),
    repair: () =>
      driver.repair().catch((error: unknown) => {
        logger.error("cannot re-create the notify socket", { err: messageOf(error) });
        return false;
      }),
  };
}
