import { statfs } from "node:fs/promises";
import { resolve } from "node:path";
import type { InProcessDaemon } from "warden";

/** Publishes DISK_USAGE for the file system holding `path` every `everyMs`. */
export default function diskMonitor(options: { everyMs: number; path: string }): InProcessDaemon {
  const path = resolve(options.path);
  let timer: NodeJS.Timeout | undefined;
  let usedPercent = 0;
  return {
    async start(ctx) {
      const sample = async () => {
        const stats = await statfs(path);
        usedPercent = Math.round((1 - stats.bavail / stats.blocks) * 100);
        ctx.bus.publish("DISK_USAGE", { path, usedPercent, freeBytes: stats.bavail * stats.bsize });
      };
      await sample(); // ready once the first reading is in
      timer = setInterval(() => void sample().catch(ctx.fail), options.everyMs);
    },
    stop() {
      clearInterval(timer);
    },
    getMetrics() {
      return { usedPercent };
    },
  };
}
