import type { InProcessDaemon, LifecycleEventData } from "warden";

/**
 * Stand-in for HEALTH_MONITOR (ADR-002's "Health monitors"), in process: follows warden's
 * DAEMON_HEALTH_CHANGED events and every `everyMs` publishes HEALTH_SUMMARY: how many daemons
 * answer their health checks and which do not. Its own health never depends on theirs
 * (liveness must not follow other daemons, or one failure restarts everything).
 */
export default function healthMonitor(options: { everyMs: number }): InProcessDaemon {
  const healthy = new Map<string, boolean>();
  let subscription: { unsubscribe(): void } | undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    start(ctx) {
      subscription = ctx.bus.subscribe("DAEMON_HEALTH_CHANGED", (event) => {
        const data = event.data as LifecycleEventData;
        healthy.set(data.daemon, data.healthy === true);
      });
      timer = setInterval(() => {
        const unhealthy = [...healthy].filter(([, ok]) => !ok).map(([name]) => name);
        ctx.bus.publish("HEALTH_SUMMARY", {
          checked: healthy.size,
          healthy: healthy.size - unhealthy.length,
          unhealthy,
        });
      }, options.everyMs);
    },
    stop() {
      subscription?.unsubscribe();
      clearInterval(timer);
    },
    getMetrics() {
      return { unhealthy: [...healthy.values()].filter((ok) => !ok).length };
    },
  };
}
