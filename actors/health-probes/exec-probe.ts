/**
 * The `exec` health probe of a process daemon (SPEC §4): healthy when the command exits 0. It
 * runs in the daemon's working directory with the daemon's environment, as the leader of a
 * process group of its own, so that when `signal` aborts (the probe's timeout, or the daemon
 * leaving RUNNING) the whole group gets SIGKILL: a probe never runs on past its timeout. Its
 * stdout and stderr are drained and only their last MAX_EXEC_OUTPUT_BYTES kept, for the detail
 * of a failure.
 *
 * TODO: a probe running when the manager itself is SIGKILLed is not in the sentinel's groups;
 * it ends on its own (it is the user's short check), but nothing bounds it then.
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { HealthResult } from "../health-check-loop.ts";
import { describeExit } from "../describe-exit.ts";
import { spawnProblem } from "../spawn-problems.ts";
import { messageOf } from "../../machines/errors.ts";

/** The most of a probe's output (stdout and stderr together) kept: its last bytes. */
export const MAX_EXEC_OUTPUT_BYTES = 4096;
/** The most of the output's last line shown in a failure's detail, in characters. */
const MAX_OUTPUT_EXCERPT = 200;
/** The most of the command line shown in a failure's detail, in characters. */
const MAX_COMMAND_EXCERPT = 100;

export interface ExecProbe {
  /** The command and its arguments. */
  argv: readonly string[];
  cwd?: string | undefined;
  /** Its whole environment. */
  env: NodeJS.ProcessEnv;
}

/**
 * Runs the probe once; `signal` kills it (its whole group) and ends the probe unhealthy.
 *
 * @example
 * await probeExec({ argv: ["pg_isready", "-q"], env: process.env }, AbortSignal.timeout(5000));
 */
export function probeExec(probe: ExecProbe, signal: AbortSignal): Promise<HealthResult> {
  const [command, ...args] = probe.argv;
  if (command === undefined || command === "") {
    return Promise.resolve({ healthy: false, detail: "exec: expected [command, ...args]" });
  }
  const line = probe.argv.join(" ");
  const shown =
    line.length > MAX_COMMAND_EXCERPT
      ? `${JSON.stringify(line.slice(0, MAX_COMMAND_EXCERPT))}…`
      : JSON.stringify(line);
  if (signal.aborted) return Promise.resolve(timedOut(shown));
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: probe.cwd,
      env: probe.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (error) {
    return Promise.resolve(cannotRun(command, probe, error));
  }
  return new Promise((resolve) => {
    const output = new OutputTail(MAX_EXEC_OUTPUT_BYTES);
    child.stdout?.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => output.push(chunk));
    let settled = false;
    const finish = (result: HealthResult) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      resolve(result);
    };
    const onAbort = () => {
      killGroup(child);
      // A descendant that left the group may hold the pipes: stop reading them now.
      child.stdout?.destroy();
      child.stderr?.destroy();
      finish(timedOut(shown));
    };
    child.once("error", (error) => finish(cannotRun(command, probe, error)));
    // "close", not "exit": the output is complete then. A leftover holding the pipes keeps it
    // from coming, and the timeout kills the group.
    child.once("close", (exitCode: number | null, exitSignal: NodeJS.Signals | null) => {
      if (exitCode === 0) return finish({ healthy: true });
      const ended = describeExit({ exitCode, signal: exitSignal });
      const last = output.lastLine(MAX_OUTPUT_EXCERPT);
      finish({ healthy: false, detail: `${shown} ${ended}${last === "" ? "" : `: ${last}`}` });
    });
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The last `max` bytes of what was pushed: bounded however much a probe prints. */
class OutputTail {
  private kept = Buffer.alloc(0);

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    const joined = Buffer.concat([this.kept, chunk]);
    this.kept = joined.length > this.max ? joined.subarray(joined.length - this.max) : joined;
  }

  /** The last non-blank line, at most `max` characters. */
  lastLine(max: number): string {
    const lines = this.kept.toString("utf8").split("\n");
    const line = lines.map((l) => l.trim()).findLast((l) => l !== "") ?? "";
    return line.length > max ? `${line.slice(0, max)}…` : line;
  }
}

function killGroup(child: ChildProcess): void {
  // Still running (its "close" has not come), so its group id is still its own.
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

function timedOut(shown: string): HealthResult {
  return { healthy: false, detail: `${shown} did not exit in time: killed` };
}

function cannotRun(command: string, probe: ExecProbe, error: unknown): HealthResult {
  const setting = { command, cwd: probe.cwd, path: probe.env.PATH };
  let problem: string;
  try {
    problem = spawnProblem(error, setting);
  } catch {
    // Explaining is best effort; the error itself still says something.
    problem = messageOf(error);
  }
  return { healthy: false, detail: `cannot run "${command}": ${problem}` };
}
