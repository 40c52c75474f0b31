/**
 * Benchmark (h), recovery: the quickstart under `warden up --supervised`; the manager (not the
 * supervisor) is killed with SIGKILL, and the time is measured from the kill to the new
 * manager's "N daemons running" line — every daemon RUNNING again. It includes the supervisor's
 * restart delay (the daemons' backoff defaults, full jitter), the new manager's start-up and the
 * daemons' own starts. Each run kills the manager `kills` times in a row.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { spawnNode } from "../control-api/child.ts";
import { WARDEN_BIN } from "../control-api/settings.ts";
import { median } from "../stats.ts";
import { delay, poll } from "../wait.ts";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const QUICKSTART = join(REPO_ROOT, "examples/quickstart");
/** How long the manager runs before it is killed. */
const RUN_BEFORE_KILL_MS = 1500;

export interface RecoveryResult {
  runs: number;
  daemons: number;
  /** ms from SIGKILL of the manager to every daemon RUNNING again. */
  recoveryMs: number;
  samples: number[];
}

/** Kills the supervised quickstart's manager `runs` times; medians of the recovery times. */
export async function runSupervisedRecovery(options: {
  runs: number;
  progress?: (message: string) => void;
}): Promise<RecoveryResult> {
  const root = mkdtempSync(join(tmpdir(), "warden-bench-recovery-"));
  // The quickstart's Python daemon finds its notify client at ../../notify-clients.
  const dir = join(root, "examples", "quickstart");
  const skip = (path: string) =>
    ![".warden", "node_modules", "__pycache__"].includes(basename(path));
  cpSync(QUICKSTART, dir, { recursive: true, filter: skip });
  cpSync(join(QUICKSTART, "..", "notify-clients"), join(root, "examples", "notify-clients"), {
    recursive: true,
    filter: skip,
  });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO_ROOT, join(dir, "node_modules", "warden"), "dir");
  // Limits wide enough for the runs (the benchmark kills the manager on purpose), and each kill
  // the first of its kind: a manager that ran RUN_BEFORE_KILL_MS has its backoff attempt reset,
  // so every restart waits the first backoff step (full jitter up to 500 ms), as a lone crash does.
  process.env.WARDEN_SUPERVISED_LIMITS = `maxRestarts=${options.runs + 5},withinMs=600000,resetAfterMs=${RUN_BEFORE_KILL_MS - 200}`;
  const cli = spawnNode("warden up --supervised", [WARDEN_BIN, "up", "--supervised"], dir);
  let output = "";
  cli.child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  cli.child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const runningLines = () => [...output.matchAll(/warden: (\d+) daemons running/g)];
  const label = "supervised-recovery";
  const samples: number[] = [];
  let daemons = 0;
  try {
    for (let run = 0; run <= options.runs; run++) {
      // Run 0 is the first start: a warm-up, not measured.
      await poll(() => (runningLines().length > run ? true : undefined), "all daemons RUNNING", {
        label,
        timeoutMs: 60_000,
        everyMs: 2,
      });
      daemons = Number(runningLines()[run]![1]);
      if (run === options.runs) break;
      await delay(RUN_BEFORE_KILL_MS);
      const pid = managerPid(dir);
      const killedAt = performance.now();
      process.kill(pid, "SIGKILL");
      await poll(
        () => (runningLines().length > run + 1 ? true : undefined),
        "every daemon RUNNING again",
        { label, timeoutMs: 60_000, everyMs: 2 },
      );
      samples.push(performance.now() - killedAt);
      options.progress?.(
        `recovery ${run + 1}/${options.runs}: ${Math.round(samples.at(-1)!)} ms to ${daemons} daemons RUNNING`,
      );
    }
  } finally {
    delete process.env.WARDEN_SUPERVISED_LIMITS;
    await cli.stop();
    rmSync(root, { recursive: true, force: true });
  }
  return { runs: options.runs, daemons, recoveryMs: median(samples), samples };
}

/** The running manager's pid, from `<stateDir>/manager.json` (written once it listens). */
function managerPid(dir: string): number {
  const record = JSON.parse(readFileSync(join(dir, ".warden", "manager.json"), "utf8")) as {
    pid: number;
  };
  return record.pid;
}
