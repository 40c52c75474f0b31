/**
 * Nothing outlives the manager (SPEC §4): every process daemon leads its own process group, and
 * its pid and start time are recorded under `<stateDir>/pids` while it runs. A manager killed with
 * SIGKILL cannot stop its groups, so the next one reaps them from the records before it starts
 * anything. The start time tells our process from one that reused the pid; records of an earlier
 * boot name nothing that can still run. Descendants that left the group (setsid, double fork)
 * are found by the instance's WARDEN_INSTANCE marker in the record, and only by it: a process
 * without the marker is never touched unless it is in the recorded group. Where daemons had cgroups
 * (actors/cgroup-tree.ts), what is still in those of this state directory is killed last and the
 * cgroups removed.
 */
import { messageOf } from "../machines/errors.ts";
import { dirname } from "node:path";
import { cgroupTreeFor } from "./cgroup-tree.ts";
import { systemClock, type WardenClock } from "./clock.ts";
import { KILL_SETTLE_MS, ProcessFamily, stopWithin } from "./process-family.ts";
import {
  bootId,
  groupRunningIn,
  isOwnGroup,
  isZombie,
  procAvailable,
  processStartTime,
  scanProcesses,
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
  /** The processes outside the group, found by the record's marker, that were stopped too. */
  escaped?: number[];
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

/**
 * Stops what the records in `dir` name and deletes the records: SIGTERM (and SIGCONT) to each
 * recorded group and to the processes that carry the record's marker outside it, SIGKILL after
 * `graceMs`, all records in parallel. A pid now held by another process, or a group that is not
 * the one the recorded leader founded, is left alone. What cannot be signalled, or still runs
 * after SIGKILL, is reported through `onProblem` and keeps its record for the next attempt.
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
        const { action, escaped } = await reapGroup(record, context);
        forgetFile(file, pid);
        const outcome: ReapOutcome = { daemon, pid, action };
        if (escaped.length > 0) outcome.escaped = escaped;
        callback(() => options.onOutcome?.(outcome));
        return outcome;
      } catch (error) {
        context.problem(`cannot stop process group ${pid} of ${daemon}: ${messageOf(error)}`);
        return undefined;
      }
    }),
  );
  const outcomes = settled.filter((outcome) => outcome !== undefined);
  const swept = await cgroupTreeFor(dirname(dir))?.sweep(clock, KILL_SETTLE_MS);
  for (const { daemon, pid } of swept ?? []) {
    const outcome: ReapOutcome = { daemon, pid, action: "killed" };
    callback(() => options.onOutcome?.(outcome));
    outcomes.push(outcome);
  }
  if (callbackFailure) throw callbackFailure.error;
  return outcomes;
}

interface ReapContext {
  graceMs: number;
  clock: WardenClock;
  processes: () => ProcStat[];
  problem: (message: string) => void;
}

/**
 * Stops the recorded group (if it is still ours) and every process carrying the record's
 * marker; throws, so that the record is kept, when a signal could not be sent or something
 * still runs after SIGKILL.
 */
async function reapGroup(
  record: ProcessRecord,
  context: ReapContext,
): Promise<{ action: ReapOutcome["action"]; escaped: number[] }> {
  const owner = ownerOfGroup(record, context);
  const failures: string[] = [];
  const family = new ProcessFamily({
    pgid: owner === "ours" ? record.pid : undefined,
    instanceId: record.instanceId,
    startedSince: record.startTime,
    onProblem: (message) => failures.push(message),
    groupRunning: (pgid) => groupRunningIn(pgid, context.processes),
    clock: context.clock,
  });
  family.discover();
  if (!family.running()) return { action: owner === "ours" ? "gone" : owner, escaped: [] };
  await stopWithin(family, context.graceMs, context.clock);
  if (failures.length > 0) throw new Error(failures.join("; "));
  return { action: family.killed ? "killed" : "stopped", escaped: family.escapedPids };
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
