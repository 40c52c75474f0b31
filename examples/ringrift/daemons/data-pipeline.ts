import { rmSync } from "node:fs";
import { join } from "node:path";
import type { InProcessDaemon } from "warden";
import { folder, names } from "./work.ts";

/** The pipeline's stages, in order: the folders of work/ that data passes through. */
const STAGES = ["selfplay", "games", "npz", "models/candidates"] as const;

/**
 * Stand-in for DATA_PIPELINE ("Orchestrates pipeline stages"), in process: every `everyMs` it
 * counts what waits in each stage folder of work/ (selfplay → games → npz → models), publishes
 * PIPELINE_STATUS when that changed, and keeps the last two stages to their newest `keep` files.
 * Unhealthy while games pile up past `maxBacklog` (the export is not keeping up), so a stalled
 * pipeline shows in `warden status` and, after three checks, gets this daemon restarted.
 */
export default function dataPipeline(options: {
  everyMs: number;
  keep: number;
  maxBacklog: number;
}): InProcessDaemon {
  let timer: NodeJS.Timeout | undefined;
  let counts: Record<string, number> = {};
  let pruned = 0;
  return {
    start(ctx) {
      const round = () => {
        const now = Object.fromEntries(STAGES.map((stage) => [stage, names(stage).length]));
        for (const stage of ["npz", "models/candidates"]) {
          for (const name of names(stage).slice(0, -options.keep)) {
            rmSync(join(folder(stage), name), { force: true });
            pruned++;
          }
        }
        if (JSON.stringify(now) !== JSON.stringify(counts)) {
          ctx.bus.publish("PIPELINE_STATUS", { stages: now, pruned });
        }
        counts = now;
      };
      round();
      timer = setInterval(round, options.everyMs);
    },
    stop() {
      clearInterval(timer);
    },
    healthCheck() {
      const backlog = (counts.selfplay ?? 0) + (counts.games ?? 0);
      return backlog > options.maxBacklog
        ? {
            healthy: false,
            detail: `${backlog} games waiting for export (over ${options.maxBacklog})`,
          }
        : { healthy: true, detail: `${backlog} games waiting` };
    },
    getMetrics() {
      return { ...counts, pruned };
    },
  };
}
