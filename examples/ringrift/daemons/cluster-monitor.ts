import type { InProcessDaemon, LifecycleEventData } from "warden";

/** Lifecycle event → the state it puts a daemon in. */
const STATE_OF: Record<string, string> = {
  DAEMON_STARTING: "STARTING",
  DAEMON_STARTED: "RUNNING",
  DAEMON_STOPPING: "STOPPING",
  DAEMON_STOPPED: "STOPPED",
  DAEMON_FAILED: "FAILED",
  DAEMON_RESTARTING: "RESTARTING",
};

/**
 * Stand-in for CLUSTER_MONITOR ("Real-time cluster status monitoring"), in process: follows
 * every event on the bus — warden's lifecycle events give each daemon's state — and every
 * `everyMs` publishes CLUSTER_STATUS: how many daemons are in each state, who is not RUNNING,
 * and the events per minute. (One node here; the real one merges the status of all nodes.)
 */
export default function clusterMonitor(options: { everyMs: number }): InProcessDaemon {
  const states = new Map<string, string>();
  const times: number[] = [];
  let subscription: { unsubscribe(): void } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let summary: Record<string, number> = {};
  return {
    start(ctx) {
      subscription = ctx.bus.subscribe("*", (event) => {
        if (times.length < 100_000) times.push(event.time);
        const state = STATE_OF[event.type];
        if (state) states.set((event.data as LifecycleEventData).daemon, state);
      });
      timer = setInterval(() => {
        while (times.length > 0 && times[0]! < Date.now() - 60_000) times.shift();
        summary = { eventsPerMinute: times.length };
        for (const state of states.values()) summary[state] = (summary[state] ?? 0) + 1;
        const troubled = [...states].filter(([, state]) => state !== "RUNNING").map(([n]) => n);
        ctx.bus.publish("CLUSTER_STATUS", { ...summary, notRunning: troubled.slice(0, 20) });
      }, options.everyMs);
    },
    stop() {
      subscription?.unsubscribe();
      clearInterval(timer);
    },
    getMetrics() {
      return summary;
    },
  };
}
