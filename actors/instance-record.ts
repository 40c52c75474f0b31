/**
 * The pid record of one instance of a process daemon (actors/process-records.ts), as its driver
 * keeps it: written when the instance starts, removed once nothing of it runs. Neither ever fails
 * or blocks the driver (a read-only or broken state directory must not hang a stop): a record
 * that cannot be written or removed is logged.
 */
import type { DaemonLogger } from "./daemon-types.ts";
import { messageOf } from "../machines/errors.ts";
import { forgetProcess, recordProcess, type ProcessRecord } from "./process-records.ts";

/**
 * Records a started instance in `pidsDir`; a failure is a warning.
 *
 * @example
 * writeInstanceRecord(pidsDir, { daemon, pid, startTime, command, instanceId }, logger);
 */
export function writeInstanceRecord(
  pidsDir: string,
  record: Omit<ProcessRecord, "recordedAt">,
  logger: DaemonLogger,
): void {
  try {
    recordProcess(pidsDir, { ...record, recordedAt: new Date().toISOString() });
  } catch (error) {
    logger.warn("cannot record the process; a manager killed with SIGKILL would leave it", {
      pid: record.pid,
      err: messageOf(error),
    });
  }
}

/**
 * Removes the record of `daemon` if it still names `pid`; a failure is an error, never thrown.
 *
 * @example
 * removeInstanceRecord(pidsDir, "api", pid, logger);
 */
export function removeInstanceRecord(
  pidsDir: string,
  daemon: string,
  pid: number,
  logger: DaemonLogger,
): void {
  try {
    forgetProcess(pidsDir, daemon, pid);
  } catch (error) {
    logger.error("cannot remove the pid record", { dir: pidsDir, pid, err: messageOf(error) });
  }
}
