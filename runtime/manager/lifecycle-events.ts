/**
 * The lifecycle events on the bus (SPEC §5): each transition the supervisor reports becomes a
 * `DAEMON_*` envelope whose data names the daemon, the state it left, the reason and, where they
 * apply, the error, attempt, backoff delay, forced stop and exit.
 */
import { EVENT_OF_STATE, type LifecycleEventData } from "../../machines/envelope.ts";
import { isCountedRestart } from "../../machines/restart-reason.ts";
import type { DaemonHealthChange, DaemonTransition } from "../../machines/supervisor-protocol.ts";
import type { EventBus } from "../bus/event-bus.ts";

/** Publishes the event of `transition`, if its state has one (PENDING has none). */
export function publishTransition(bus: EventBus, transition: DaemonTransition): void {
  const type = EVENT_OF_STATE[transition.state];
  if (type) bus.publish(type, lifecycleData(transition));
}

/** Publishes DAEMON_HEALTH_CHANGED. */
export function publishHealthChange(bus: EventBus, change: DaemonHealthChange): void {
  const data: LifecycleEventData = {
    daemon: change.name,
    from: "RUNNING",
    healthy: change.healthy,
  };
  if (change.detail !== undefined) data.detail = change.detail;
  bus.publish("DAEMON_HEALTH_CHANGED", data);
}

/**
 * The event data of a transition. A restart that does not blame the daemon (manual, dependency)
 * carries no error: the error belongs to an earlier failure.
 */
export function lifecycleData(transition: DaemonTransition): LifecycleEventData {
  const data: LifecycleEventData = {
    daemon: transition.name,
    from: transition.from,
    reason: transition.reason,
  };
  if (transition.state === "RESTARTING") {
    data.attempt = transition.attempt;
    data.delayMs = transition.delayMs;
  }
  if (transition.state === "STOPPED") data.forced = transition.forced;
  const blamesDaemon = isCountedRestart(transition.reason);
  if (
    transition.error !== undefined &&
    (transition.state === "FAILED" || (transition.state === "RESTARTING" && blamesDaemon))
  ) {
    data.error = transition.error;
  }
  if (transition.exitCode !== undefined) data.exitCode = transition.exitCode;
  if (transition.signal !== undefined) data.signal = transition.signal;
  return data;
}
