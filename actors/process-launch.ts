/**
 * Spawning the program of a process daemon (SPEC §4): as the leader of a new process group and
 * session, stdout and stderr piped, its environment marked with a new WARDEN_INSTANCE id that
 * every descendant inherits (actors/process-descendants.ts), its pid recorded for a later
 * manager. A program that cannot be run at all is explained in words (actors/spawn-problems.ts),
 * before the spawn where it can be. Where the daemon has a cgroup (actors/daemon-cgroup.ts), the
 * program starts inside it: a tiny `sh` writes its own pid into the cgroup, then `exec`s the
 * program (same pid, same arguments, same environment), so that nothing it ever forks, however
 * early, is born outside. What keeps the program from running is checked before (the wrapper's
 * own exec could only fail with exit code 127).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { WardenClock } from "./clock.ts";
import type { DaemonLogger } from "./daemon-types.ts";
import type { DaemonCgroup } from "./daemon-cgroup.ts";
import { writeInstanceRecord } from "./instance-record.ts";
import { INSTANCE_ENV, newInstanceId } from "./process-descendants.ts";
import { ProcessFamily } from "./process-family.ts";
import { processStartTime } from "./process-groups.ts";
import { applyNice } from "./process-nice.ts";
import { runProblem, spawnProblem, workingDirectoryProblem } from "./spawn-problems.ts";

export interface LaunchSpec {
  command: string;
  args?: readonly string[] | undefined;
  /** Added to the manager's environment. */
  env?: Readonly<Record<string, string>> | undefined;
  cwd?: string | undefined;
  /** Only `nice` matters here: it is applied at spawn (actors/process-nice.ts). */
  limits?: { nice?: number | undefined } | undefined;
}

export interface LaunchOptions {
  spec: LaunchSpec;
  /** The WARDEN_* variables it gets, after the manager's environment and `spec.env`. */
  wardenEnv: Readonly<Record<string, string>>;
  daemon: string;
  /** Where its pid record goes (actors/process-records.ts). */
  pidsDir: string;
  /** Told what cannot be recorded or signalled. */
  logger: DaemonLogger;
  /** What the family's waiting runs on (actors/process-family.ts). */
  clock: WardenClock;
  /** The daemon's cgroup, where it has one: the program is moved in at once. */
  cgroup?: DaemonCgroup | undefined;
}

export interface LaunchedProcess {
  child: ChildProcess;
  /** The WARDEN_INSTANCE id its descendants inherit. */
  instanceId: string;
  /** Its process group and what leaves it; undefined when it got no pid (the spawn failed). */
  family: ProcessFamily | undefined;
  /** Why the spawn failed, in words, for the child's "error" event. */
  explain(error: unknown): string;
}

/** The program could not be run; the message says why (no "spawn x ENOENT"). */
export class CannotLaunch extends Error {}

/**
 * Spawns `spec` detached, with `process.env`, then `spec.env`, then `wardenEnv`, then the
 * marker, and records it in `pidsDir`. Throws CannotLaunch for a working directory that cannot
 * be used and for errors Node throws at once; others come as the child's "error" event.
 *
 * @example
 * const { child, family } = launchProcess({ spec, wardenEnv, daemon, pidsDir, logger, clock });
 */
export function launchProcess(options: LaunchOptions): LaunchedProcess {
  const { spec, daemon, pidsDir, logger } = options;
  const unusable = workingDirectoryProblem(spec.cwd);
  if (unusable !== undefined) throw new CannotLaunch(unusable);
  const instanceId = newInstanceId();
  // First in the block, so that /proc/<pid>/environ shows it within the first bytes read.
  const env: NodeJS.ProcessEnv = { [INSTANCE_ENV]: instanceId };
  Object.assign(env, process.env, spec.env, options.wardenEnv, { [INSTANCE_ENV]: instanceId });
  const setting = { command: spec.command, cwd: spec.cwd, path: env.PATH };
  const explain = (error: unknown) => spawnProblem(error, setting);
  const cgroup = options.cgroup;
  const problem = cgroup && runProblem(setting);
  if (problem) throw new CannotLaunch(problem);
  const [file, args] = cgroup
    ? inCgroup(cgroup, spec.command, spec.args ?? [])
    : [spec.command, [...(spec.args ?? [])]];
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      cwd: spec.cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    throw new CannotLaunch(explain(error));
  }
  const pid = child.pid;
  if (pid === undefined) return { child, instanceId, family: undefined, explain };
  const nice = spec.limits?.nice;
  const refused = nice === undefined ? undefined : applyNice(pid, nice);
  if (refused !== undefined) logger.warn(refused);
  const startTime = processStartTime(pid);
  const onProblem = (message: string) => logger.error(message);
  const family = new ProcessFamily({
    pgid: pid,
    instanceId,
    startedSince: startTime,
    onProblem,
    clock: options.clock,
    ...(cgroup ? { cgroup } : {}),
  });
  // So that a later manager finds it if this one is killed with SIGKILL.
  if (startTime !== undefined) {
    const command = [spec.command, ...(spec.args ?? [])].join(" ");
    writeInstanceRecord(pidsDir, { daemon, pid, startTime, command, instanceId }, logger);
  }
  return { child, instanceId, family, explain };
}

/**
 * The wrapper that starts a program inside `cgroup`: `sh` writes its pid to each `cgroup.procs`
 * (any failure ends it with code 125 and the shell's message on stderr), then becomes the
 * program. The files are passed as arguments, never as code.
 */
const ENTER_CGROUP =
  'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n - 1)); done; exec "$@"';

/** The argv that runs `command` with `args` inside `cgroup`. */
function inCgroup(
  cgroup: DaemonCgroup,
  command: string,
  args: readonly string[],
): [string, string[]] {
  const files = cgroup.dirs.map((dir) => join(dir, "cgroup.procs"));
  return [
    "/bin/sh",
    ["-c", ENTER_CGROUP, "warden-cgroup", String(files.length), ...files, command, ...args],
  ];
}
