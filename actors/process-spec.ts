/**
 * What a process daemon is (SPEC §4): a program with its arguments, environment and folder, when
 * it counts as ready, and how its logs rotate. The configuration's `command` definitions
 * (runtime/config/types.ts) and `DaemonManager.register` both hand this to the process driver.
 */

/**
 * When a process daemon counts as ready (SPEC §4): a `READY=1` notify message, a stdout line
 * matching a regular expression, a TCP port accepting, an HTTP probe answering 2xx, or at spawn.
 *
 * @example
 * const ready: ReadyCheck = { http: "http://127.0.0.1:9000/health" };
 */
export type ReadyCheck =
  { notify: true } | { stdout: string } | { tcp: number } | { http: string } | { spawn: true };

/**
 * How the manager checks that a RUNNING process daemon is still alive (SPEC §4, liveness, apart
 * from readiness): an HTTP GET answering 2xx, a TCP connect to 127.0.0.1:port, a command exiting
 * 0, or `HEALTH?` on the notify connection answered by `HEALTH=ok`. Cadence and threshold are the
 * daemon's `health` policy (`intervalMs`, `timeoutMs`, `failureThreshold`), as for a module's
 * `healthCheck()`; actors/process-health.ts runs it.
 *
 * @example
 * const probe: HealthProbe = { exec: ["pg_isready", "-q"] };
 */
export type HealthProbe =
  { http: string } | { tcp: number } | { exec: readonly string[] } | { notify: true };

/**
 * Rotation of a process daemon's stdout/stderr log files.
 *
 * @example
 * const logs: LogRotation = { maxBytes: 10_000_000, maxFiles: 5 };
 */
export interface LogRotation {
  maxBytes?: number;
  maxFiles?: number;
}

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
  /** Its liveness probe (configuration: `health.probe`). Default: none, never unhealthy. */
  healthProbe?: HealthProbe;
  logs?: LogRotation;
  /** Its resource limits (SPEC §6a; docs/limits.md). */
  limits?: ProcessLimits;
}

/**
 * A process daemon's resource limits (SPEC §6a): `memoryMb` is resident memory summed over its
 * process group and the processes it forked, sampled at a bounded cadence (over it: a restart
 * with reason `memory`); `nice` is applied at spawn; `cpuPercent` (of one CPU) needs a cgroup
 * the manager may create, and is reported unenforced otherwise (actors/cgroup-support.ts).
 *
 * @example
 * const limits: ProcessLimits = { memoryMb: 512, nice: 10 };
 */
export interface ProcessLimits {
  memoryMb?: number;
  cpuPercent?: number;
  nice?: number;
}
