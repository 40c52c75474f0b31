import type { Subscription } from "rxjs";
import type { InProcessDaemon } from "warden";

interface Thresholds {
  loadPerCpu: number;
  diskPercent: number;
  freeMemoryPercent: number;
}

/**
 * Turns SYSTEM_LOAD and DISK_USAGE readings that cross a threshold into ALERT events, once
 * when a condition starts and once (as RECOVERED) when it ends.
 */
export default function alerter(thresholds: Thresholds): InProcessDaemon {
  const subscriptions: Subscription[] = [];
  const active = new Set<string>();
  let alerts = 0;
  return {
    start(ctx) {
      const observe = (kind: string, bad: boolean, message: string) => {
        if (bad && !active.has(kind)) {
          active.add(kind);
          alerts++;
          ctx.logger.warn(message, { kind });
          ctx.bus.publish("ALERT", { kind, message });
        } else if (!bad && active.delete(kind)) {
          ctx.logger.info(`${kind} back to normal`, { kind });
          ctx.bus.publish("RECOVERED", { kind });
        }
      };
      subscriptions.push(
        ctx.bus.subscribe("SYSTEM_LOAD", (event) => {
          const data = event.data as { load1: number; cpus: number; freeMemoryPercent: number };
          observe(
            "load",
            data.load1 / data.cpus > thresholds.loadPerCpu,
            `load ${data.load1} on ${data.cpus} CPUs`,
          );
          observe(
            "memory",
            data.freeMemoryPercent < thresholds.freeMemoryPercent,
            `only ${data.freeMemoryPercent}% memory free`,
          );
        }),
        ctx.bus.subscribe("DISK_USAGE", (event) => {
          const data = event.data as { path: string; usedPercent: number };
          observe(
            "disk",
            data.usedPercent > thresholds.diskPercent,
            `${data.path} is ${data.usedPercent}% full`,
          );
        }),
      );
    },
    stop() {
      subscriptions.splice(0).forEach((subscription) => subscription.unsubscribe());
    },
    getMetrics() {
      return { alerts, activeAlerts: active.size };
    },
  };
}
