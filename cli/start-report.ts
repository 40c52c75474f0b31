/**
 * `warden up`'s report of its start: one line once every selected daemon is RUNNING, or waits in
 * PENDING for resource units another daemon holds (SPEC §6a: it starts when they are released,
 * which may be never for a long-running holder, so the start must not wait for it), e.g.
 * `warden: 58 daemons running, 2 waiting for resources: GOSSIP_SYNC (sync-slots: 2 of 2 held by
 * AUTO_SYNC, ELO_SYNC), …`. A daemon that fails to start is reported; the others stay supervised.
 */
import { isWardenError, messageOf } from "../machines/errors.ts";
import type { DaemonManager } from "../runtime/manager/daemon-manager.ts";
import type { CliIO } from "./io.ts";

/**
 * Starts `names` and reports, once each is RUNNING or waiting for resources.
 *
 * @example
 * await startReporting(manager, ["AUTO_SYNC", "ELO_SYNC"], io); // "warden: 2 daemons running"
 */
export async function startReporting(
  manager: DaemonManager,
  names: readonly string[],
  io: CliIO,
): Promise<void> {
  const started = manager.startMany(names).then(() => true);
  const settled = untilRunningOrWaiting(manager, names);
  try {
    const allStarted = await Promise.race([started, settled.promise.then(() => false)]);
    io.err(summary(manager));
    // Still starting: those that wait start later (their transitions are printed), and a failure
    // is reported when it comes; a waiter stopped before it ran (the shutdown) is no failure.
    if (!allStarted) {
      started.catch((error: unknown) => {
        if (!isWardenError(error, "WARDEN_ERR_DAEMON_STOPPED")) {
          io.err(`warden: ${messageOf(error)}`);
        }
      });
    }
  } catch (error) {
    io.err(`warden: ${messageOf(error)}`);
  } finally {
    settled.cancel();
  }
}

/** "warden: 3 daemons running", with those that wait for resources. */
function summary(manager: DaemonManager): string {
  const statuses = manager.status();
  const running = statuses.filter((status) => status.state === "RUNNING").length;
  const waiting = statuses.filter(
    (status) => status.state === "PENDING" && status.waitingFor !== undefined,
  );
  const line = `warden: ${running} ${running === 1 ? "daemon" : "daemons"} running`;
  if (waiting.length === 0) return line;
  const each = waiting.map((status) => `${status.name} (${status.waitingFor})`).join(", ");
  return `${line}, ${waiting.length} waiting for resources: ${each}`;
}

/**
 * Resolves once each of `names` is RUNNING or PENDING with a `waitingFor`, and one at least
 * waits (all RUNNING is the start's own resolution).
 */
function untilRunningOrWaiting(
  manager: DaemonManager,
  names: readonly string[],
): { promise: Promise<void>; cancel(): void } {
  let cancel = () => {};
  const promise = new Promise<void>((resolve) => {
    const check = () => {
      let waiting = 0;
      for (const name of names) {
        const status = manager.statusOf(name);
        if (status.state === "PENDING" && status.waitingFor !== undefined) waiting++;
        else if (status.state !== "RUNNING") return;
      }
      if (waiting > 0) resolve();
    };
    const subscription = manager.events$.subscribe(check);
    cancel = () => subscription.unsubscribe();
    check();
  });
  return { promise, cancel: () => cancel() };
}
