/**
 * Start, stop or restart one daemon for a client that waits for the outcome, bounded by a
 * timeout. Several clients may act on the same daemon at once: each waits for the outcome.
 */
import type { DaemonManager, StartOptions } from "../manager/daemon-manager.ts";
import { WardenError } from "../../machines/errors.ts";
import type { Envelope, LifecycleEventData } from "../../machines/envelope.ts";

export type DaemonAction = "start" | "stop" | "restart";

export const DAEMON_ACTIONS: readonly DaemonAction[] = ["start", "stop", "restart"];

/** What a timed-out wait reports; the action itself keeps going. */
export class ActionTimeout extends Error {
  constructor(readonly timeoutMs: number) {
    super(`not done within ${timeoutMs} ms`);
    this.name = "ActionTimeout";
  }
}

/**
 * Runs `action` on `name` and resolves once it is done: RUNNING for start and restart, STOPPED
 * or FAILED for stop. Rejects with the manager's WardenError (DAEMON_FAILED, DAEMON_STOPPED,
 * UNKNOWN_DAEMON) or, after `timeoutMs`, with an ActionTimeout.
 *
 * @example
 * await performAction(manager, "restart", "api", 60_000);
 */
export async function performAction(
  manager: DaemonManager,
  action: DaemonAction,
  name: string,
  timeoutMs: number,
  options: StartOptions = {},
): Promise<void> {
  const done = requestAction(manager, action, name, options);
  let timer: NodeJS.Timeout | undefined;
  // Wall-clock time, whatever clock the manager runs on: it is the HTTP client who waits.
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ActionTimeout(timeoutMs)), timeoutMs);
  });
  try {
    await Promise.race([done, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends the request to the manager now; the promise settles with its outcome (and is always
 * handled, so a client that stops waiting leaves no unhandled rejection behind).
 *
 * @example
 * requestAction(manager, "stop", "api"); // wait=false: fire and answer 202
 */
export function requestAction(
  manager: DaemonManager,
  action: DaemonAction,
  name: string,
  options: StartOptions = {},
): Promise<void> {
  const outcome =
    action === "start"
      ? manager.start(name, options)
      : action === "stop"
        ? manager.stop(name)
        : restart(manager, name);
  outcome.catch(() => {});
  return outcome;
}

/**
 * DaemonManager.restart waits for the daemon to leave RUNNING and come back. Two cases never end
 * that way, so they are handled here: a daemon already on its way up (STARTING) ignores RESTART,
 * and one stopped meanwhile never comes back. A restart of a daemon that is not RUNNING is a
 * start, as in the manager, which joins any start in progress.
 */
function restart(manager: DaemonManager, name: string): Promise<void> {
  if (manager.stateOf(name) !== "RUNNING") return manager.start(name);
  let release = () => {};
  const stopped = new Promise<never>((_, reject) => {
    const subscription = manager.bus.on("DAEMON_STOPPED").subscribe((event: Envelope) => {
      if ((event.data as LifecycleEventData).daemon !== name) return;
      reject(
        new WardenError(
          "WARDEN_ERR_DAEMON_STOPPED",
          `daemon "${name}" was stopped before it was running again`,
        ),
      );
    });
    release = () => subscription.unsubscribe();
  });
  return Promise.race([manager.restart(name), stopped]).finally(release);
}
