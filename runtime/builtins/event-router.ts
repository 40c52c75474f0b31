/**
 * The EVENT_ROUTER built-in daemon (SPEC §6; docs/builtins.md): "the bus the others depend on".
 * In a manager that has it, the events daemons publish are delivered only while EVENT_ROUTER is
 * RUNNING; what is published before, or while it restarts, waits and is delivered in order once
 * it runs, up to a bound in events and bytes past which a publish fails loudly. The manager's own
 * DAEMON_* lifecycle events always flow. The work is done by its gate on the bus
 * (router-gate.ts); the daemon installs the gate and reports on it.
 */
import type { DaemonContext, HealthReport, InProcessDaemon } from "../../actors/daemon-types.ts";
import { DEFAULTS } from "../../machines/defaults.ts";
import type { EventBus } from "../bus/event-bus.ts";
import { RouterGate, type RouterGateCounts } from "./router-gate.ts";

/** The share of the hold's limits beyond which the router reports itself unhealthy. */
const UNHEALTHY_FULLNESS = 0.9;

export interface EventRouterOptions {
  /** The manager's bus (`manager.bus`): the router gates its publishes from the moment it is made. */
  bus: EventBus;
  /** Events held at most while the router is not RUNNING. Default `DEFAULTS.eventRouter.maxHeldEvents` (10,000). */
  maxHeldEvents?: number;
  /** Bytes (as JSON) held at most. Default `DEFAULTS.eventRouter.maxHeldBytes` (8 MiB). */
  maxHeldBytes?: number;
}

/** `getMetrics()` of EVENT_ROUTER. */
export interface EventRouterMetrics extends RouterGateCounts, Record<string, number> {}

/** EVENT_ROUTER: an in-process daemon with a health check and metrics. */
export interface EventRouterDaemon extends InProcessDaemon {
  start(ctx: DaemonContext): void;
  stop(ctx: DaemonContext): void;
  /** Unhealthy while the hold is over 90 % of either limit. */
  healthCheck(): HealthReport;
  /** `held`, `heldBytes` (now), `delivered`, `refused` (since it was made). */
  getMetrics(): EventRouterMetrics;
}

/**
 * Makes EVENT_ROUTER and puts its gate on `bus` at once: from then on the events daemons publish
 * wait until the router, registered with the manager (under any name), is RUNNING. Make it only
 * for a manager that registers and starts it, and only one per bus.
 *
 * @example
 * const manager = new DaemonManager();
 * manager.register("EVENT_ROUTER", eventRouterDaemon({ bus: manager.bus }));
 * manager.register("AUTO_SYNC", autoSync, { dependsOn: ["EVENT_ROUTER"] });
 * manager.bus.publish("SYNC_REQUESTED", {}, "cli"); // held: the router is not RUNNING yet
 * await manager.startAll(); // EVENT_ROUTER RUNNING: SYNC_REQUESTED is delivered
 */
export function eventRouterDaemon(options: EventRouterOptions): EventRouterDaemon {
  const gate = new RouterGate(options.bus, {
    maxHeldEvents: options.maxHeldEvents ?? DEFAULTS.eventRouter.maxHeldEvents,
    maxHeldBytes: options.maxHeldBytes ?? DEFAULTS.eventRouter.maxHeldBytes,
  });
  options.bus.setGate(gate);
  return {
    start(ctx) {
      // The gate opens on this daemon's own DAEMON_STARTED, i.e. once the chart is RUNNING.
      gate.follow(ctx.name);
    },
    stop() {
      // Its DAEMON_STOPPING closed the gate already; close it here too whatever came first.
      gate.closeGate();
    },
    healthCheck() {
      const fullness = gate.fullness();
      if (fullness <= UNHEALTHY_FULLNESS) return { healthy: true };
      const { held, heldBytes } = gate.counts();
      return {
        healthy: false,
        detail: `holds ${held} events (${heldBytes} bytes), ${Math.round(fullness * 100)} % of its limit`,
      };
    },
    getMetrics: () => ({ ...gate.counts() }),
  };
}
