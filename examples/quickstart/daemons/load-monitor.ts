import { cpus, freemem, loadavg, totalmem } from "node:os";
import type { InProcessDaemon } from "warden";

/** Publishes SYSTEM_LOAD every `everyMs`: the 1-minute load average and free memory. */
export default function loadMonitor(options: { everyMs: number }): InProcessDaemon {
  let timer: NodeJS.Timeout | undefined;
  let samples = 0;
  let last = { load1: 0, freeMemoryPercent: 100 };
  return {
    start(ctx) {
      const sample = () => {
        const [load1 = 0] = loadavg();
        last = {
          load1: Number(load1.toFixed(2)),
          freeMemoryPercent: Math.round((freemem() / totalmem()) * 100),
        };
        samples++;
        ctx.bus.publish("SYSTEM_LOAD", { ...last, cpus: cpus().length });
      };
      sample();
      timer = setInterval(sample, options.everyMs);
    },
    stop() {
      clearInterval(timer);
    },
    healthCheck() {
      return { healthy: samples > 0, detail: `${samples} samples` };
    },
    getMetrics() {
      return { samples, load1: last.load1, freeMemoryPercent: last.freeMemoryPercent };
    },
  };
}
