import type { Subscription } from "rxjs";
import type { InProcessDaemon } from "warden";

/** Counts every event on the bus and logs a summary every `everyMs`. */
export default function reporter(options: { everyMs: number }): InProcessDaemon {
  const counts = new Map<string, number>();
  let subscription: Subscription | undefined;
  let timer: NodeJS.Timeout | undefined;
  let load = "?";
  let disk = "?";
  return {
    start(ctx) {
      subscription = ctx.bus.subscribe("*", (event) => {
        counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
        if (event.type === "SYSTEM_LOAD") load = String((event.data as { load1: number }).load1);
        if (event.type === "DISK_USAGE")
          disk = `${(event.data as { usedPercent: number }).usedPercent}%`;
      });
      timer = setInterval(() => {
        const seen = [...counts].map(([type, count]) => `${type}=${count}`).join(" ");
        ctx.logger.info(`load ${load}, disk ${disk}; events seen: ${seen}`);
      }, options.everyMs);
    },
    stop() {
      subscription?.unsubscribe();
      clearInterval(timer);
    },
    getMetrics() {
      return Object.fromEntries(counts);
    },
  };
}
