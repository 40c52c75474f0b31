import { join } from "node:path";
import type { InProcessDaemon } from "warden";
import { folder, readJson, writeJson } from "./work.ts";

interface Result {
  model: string;
  boards: Record<string, number>;
}

/**
 * Stand-in for CURRICULUM_INTEGRATION ("Bridges feedback loops for curriculum"), in process:
 * each gauntlet or evaluation result (GAUNTLET_RESULT, EVALUATION_COMPLETED) gives per-board
 * win rates; boards where the newest model did worst get more selfplay. It writes the weights
 * to work/state/curriculum.json, which the selfplay stand-ins read, and publishes
 * CURRICULUM_UPDATED.
 */
export default function curriculum(): InProcessDaemon {
  const file = () => join(folder("state"), "curriculum.json");
  const subscriptions: { unsubscribe(): void }[] = [];
  let updates = 0;
  return {
    start(ctx) {
      const update = (result: Result) => {
        const weights = readJson<Record<string, number>>(file(), {});
        for (const [board, winRate] of Object.entries(result.boards)) {
          // Weak boards (a low win rate) weigh up to 2, strong ones down to 0.5, smoothed.
          const target = Math.min(2, Math.max(0.5, 1.5 - winRate));
          weights[board] = Number((0.5 * (weights[board] ?? 1) + 0.5 * target).toFixed(3));
        }
        writeJson(file(), weights);
        updates++;
        ctx.bus.publish("CURRICULUM_UPDATED", { weights, after: result.model });
      };
      for (const type of ["GAUNTLET_RESULT", "EVALUATION_COMPLETED"]) {
        subscriptions.push(ctx.bus.subscribe(type, (event) => update(event.data as Result)));
      }
    },
    stop() {
      for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
    },
    getMetrics() {
      return { updates };
    },
  };
}
