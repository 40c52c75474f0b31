import type { InProcessDaemon } from "warden";

/**
 * Stand-in for MODEL_PERFORMANCE_WATCHDOG ("Monitors model win rates"), in process: keeps the
 * win rates of the last `window` gauntlet and evaluation results (GAUNTLET_RESULT,
 * EVALUATION_COMPLETED) and publishes MODEL_PERFORMANCE_ALERT when their mean drops under
 * `alertBelow` — new models keep losing to the best one — once until it recovers.
 */
export default function modelPerformanceWatchdog(options: {
  window: number;
  alertBelow: number;
}): InProcessDaemon {
  const rates: number[] = [];
  const subscriptions: { unsubscribe(): void }[] = [];
  let alerting = false;
  const mean = () => (rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : 1);
  return {
    start(ctx) {
      const record = (event: { data: unknown }) => {
        const { model, win_rate } = event.data as { model: string; win_rate: number };
        rates.push(win_rate);
        if (rates.length > options.window) rates.shift();
        const low = rates.length >= options.window && mean() < options.alertBelow;
        if (low && !alerting) {
          ctx.bus.publish("MODEL_PERFORMANCE_ALERT", { meanWinRate: mean(), latest: model });
        }
        alerting = low;
      };
      for (const type of ["GAUNTLET_RESULT", "EVALUATION_COMPLETED"]) {
        subscriptions.push(ctx.bus.subscribe(type, record));
      }
    },
    stop() {
      for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
    },
    getMetrics() {
      return { meanWinRate: Number(mean().toFixed(3)), results: rates.length };
    },
  };
}
