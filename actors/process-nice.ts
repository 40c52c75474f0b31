/**
 * `limits.nice` of a process daemon (SPEC §6a), applied at spawn with `os.setPriority(pid, n)`
 * on the new process as soon as `spawn()` returns, rather than by running it through
 * `nice -n N command`: the program stays the spawned command itself (its spawn errors, exit codes
 * and /proc/<pid>/comm are its own, not those of a `nice` wrapper), and nothing depends on a
 * `nice` binary being installed. The price is a window of microseconds, before the call, in which
 * the program runs at the manager's niceness: a child it forks in that window keeps that niceness.
 * Lowering niceness below the manager's needs privilege (CAP_SYS_NICE): refused, it is logged and
 * the daemon runs anyway.
 */
import { setPriority } from "node:os";
import { messageOf } from "../machines/errors.ts";

/**
 * Sets process `pid`'s niceness to `nice` (-20..19); a message saying why not, or undefined.
 *
 * @example
 * applyNice(child.pid, 10); // undefined: done
 */
export function applyNice(pid: number, nice: number): string | undefined {
  try {
    setPriority(pid, nice);
    return undefined;
  } catch (error) {
    return `cannot apply limits.nice ${nice} to pid ${pid}: ${messageOf(error)}`;
  }
}
