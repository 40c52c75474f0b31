import type { InProcessDaemon } from "warden";

/**
 * Does one unit of work every `everyMs` and sends a heartbeat; with probability `crashChance`
 * per unit it throws from its timer instead — an uncaught exception that warden charges to
 * this daemon alone, restarting it with backoff.
 */
export default function flakyWorker(options: {
  crashChance: number;
  everyMs: number;
}): InProcessDaemon {
  let timer: NodeJS.Timeout | undefined;
  let done = 0;
  return {
    start(ctx) {
      timer = setInterval(() => {
        if (Math.random() < options.crashChance) {
          throw new Error(`simulated fault after ${done} units of work`);
        }
        done++;
        ctx.heartbeat();
        ctx.bus.publish("WORK_DONE", { units: done });
      }, options.everyMs);
    },
    stop() {
      clearInterval(timer);
    },
    getMetrics() {
      return { done };
    },
  };
}
