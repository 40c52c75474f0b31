/**
 * Nothing outlives the manager (SPEC §4): every process daemon leads its own process group, and
 * its pid and start time are recorded under `<stateDir>/pids` while it runs. A manager killed with
 * SIGKILL cannot stop its groups, so the next one reaps them from the records before it starts
 * anything. The start time tells our process from one that reused the pid; records of an earlier
 * boot name nothing that can still run.
 */
import { messageOf } from "../runtime/errors.ts";
import { systemClock, type WardenClock } from "./clock.ts";
import {
  bootId,
  groupRunningIn,
  isOwnGroup,
  isZombie,
  procAvailable,
  processStartTime,
  scanProcesses,
  signalGroup,
  type ProcStat,
} from "./process-groups.ts";
import {
  forgetFile,
  readRecordFiles,
  removeTemporaryFiles,
  type ProcessRecord,
} from "./process-records.ts";

export interface ReapOutcome {
  daemon: string;
  pid: number;
  /**
   * stopped: ended after SIGTERM · killed: needed SIGKILL · gone: nothing of it ran any more ·
   * pid-reused: what runs under that id is not ours, so it was left alone
   */
  action: "stopped" | "killed" | "gone" | "pid-reused";
}

export interface ReapOptions {
  /** How long a group gets between SIGTERM and SIGKILL (default 5000). */
  graceMs?: number;
  /** Called as each record is settled. */
  onOutcome?(outcome: ReapOutcome): void;
  /** Called for each file that is not a valid record and each group that could not be stopped. */
  onProblem?(message: string): void;
  clock?: WardenClock;
}

const DEFAULT_GRACE_MS = 5000;

const POLL_MS = 25;

/** How long SIGKILLed processes get to disappear before it is reported. */
const KILL_SETTLE_MS = 2000;

/**
 * Stops what the records in `dir` name and deletes the records: SIGTERM to each recorded group,
 * SIGKILL after `graceMs`, all groups in parallel. A pid now held by another process, or a group
 * that is not the one the recorded leader founded, is left alone. A group that cannot be
 * signalled is reported through `onProblem` and keeps its record for the next attempt.
 *
 * @example
 * await reapOrphans(join(stateDir, "pids"), { onOutcome: (o) => logger.warn(o, "orphan") });
 */
export async function reapOrphans(dir: string, options: ReapOptions = {}): Promise<ReapOutcome[]> {
  let callbackFailure: { error: unknown } | undefined;
  const callback = (call: () => void) => {
    try {
      call();
    } catch (error) {
      // The caller's callback must not stop the reaping of the other records; rethrown below.
      callbackFailure ??= { error };
    }
  };
  const clock = options.clock ?? systemClock;
  const context: ReapContext = {
    graceMs: options.graceMs ?? DEFAULT_GRACE_MS,
    clock,
    processes: recentScan(clock),
    problem: (message) => callback(() => options.onProblem?.(message)),
  };
  const { entries, problems } = readRecordFiles(dir);
  problems.forEach(context.problem);
  removeTemporaryFiles(dir, context.problem);
  const settled = await Promise.all(
    entries.map(async ({ file, record }) => {
      const { daemon, pid } = record;
      try {
        const action = await reapGroup(record, context);
        forgetFile(file, pid);
        const outcome: ReapOutcome = { daemon, pid, action };
        callback(() => options.onOutcome?.(outcome));
        return outcome;
      } catch (error) {
        context.problem(`cannot stop process group ${pid} of ${daemon}: ${messageOf(error)}`);
        return undefined;
      }
    }),
  );
  if (callbackFailure) throw callbackFailure.error;
  return settled.filter((outcome) => outcome !== undefined);
}

interface ReapContext {
  graceMs: number;
  clock: WardenClock;
  processes: () => ProcStat[];
  problem: (message: string) => void;
}

async function reapGroup(
  record: ProcessRecord,
  context: ReapContext,
): Promise<ReapOutcome["action"]> {
  const owner = ownerOfGroup(record, context);
  if (owner !== "ours") return owner;
  const pgid = record.pid;
  if (!groupRunningIn(pgid, context.processes) || !signalGroup(pgid, "SIGTERM")) return "gone";
  // A stopped process acts on SIGTERM only once it is continued.
  signalGroup(pgid, "SIGCONT");
  if (await groupEnds(pgid, context.graceMs, context)) return "stopped";
  signalGroup(pgid, "SIGKILL");
  if (!(await groupEnds(pgid, KILL_SETTLE_MS, context))) {
    context.problem(
      `process group ${pgid} of ${record.daemon} still runs ${KILL_SETTLE_MS} ms after SIGKILL`,
    );
  }
  return "killed";
}

/** Whether the group the record names is still the one its leader founded. */
function ownerOfGroup(record: ProcessRecord, context: ReapContext): "ours" | "gone" | "pid-reused" {
  const currentBoot = bootId();
  if (record.bootId !== undefined && currentBoot !== undefined && record.bootId !== currentBoot) {
    return "gone";
  }
  const startTime = processStartTime(record.pid);
  if (startTime !== undefined && startTime !== record.startTime) return "pid-reused";
  if (startTime === undefined) {
    // The leader is gone. A pid is not reused while a group still bears it, so the group is the
    // leader's, unless it emptied and a newcomer took the pid and founded one: the newcomer's
    // group sits in another session (e.g. a shell job) or started before our leader.
    if (!groupRunningIn(record.pid, context.processes)) return "gone";
    if (!leaderlessGroupIsOurs(record, context.processes())) return "pid-reused";
  }
  if (isOwnGroup(record.pid)) {
    context.problem(`the record of ${record.daemon} names this manager's own process group`);
    return "pid-reused";
  }
  return "ours";
}

/** Our leaders were spawned detached (setsid): their groups form the session of the same id. */
function leaderlessGroupIsOurs(record: ProcessRecord, processes: ProcStat[]): boolean {
  if (!procAvailable()) return true;
  const recordedStart = Number(record.startTime);
  return processes
    .filter((entry) => entry.pgrp === record.pid && !isZombie(entry))
    .every((entry) => entry.session === record.pid && Number(entry.startTime) >= recordedStart);
}

async function groupEnds(pgid: number, ms: number, context: ReapContext): Promise<boolean> {
  const deadline = context.clock.now() + ms;
  for (;;) {
    if (!groupRunningIn(pgid, context.processes)) return true;
    if (context.clock.now() >= deadline) return false;
    await new Promise((resolve) => context.clock.setTimeout(resolve, POLL_MS));
  }
}

/** One /proc scan shared by every group polled within the same tick. */
function recentScan(clock: WardenClock): () => ProcStat[] {
  let scannedAt = -Infinity;
  let processes: ProcStat[] = [];
  return () => {
    if (clock.now() - scannedAt >= POLL_MS / 2) {
      processes = scanProcesses();
      scannedAt = clock.now();
    }
    return processes;
  };
}
