import type { InProcessDaemon } from "warden";

interface Progress {
  job: string;
  step: number;
  loss: number;
}

/**
 * Stand-in for METRICS_ANALYSIS ("Analyzes training metrics trends"), in process: collects the
 * loss of every TRAINING_PROGRESS and, when a job ends (TRAINING_COMPLETED), publishes
 * TRAINING_TREND: the least-squares slope of its loss per step, and `plateau` when the loss
 * fell by less than `plateauBelow` over the job (FEEDBACK_LOOP then asks for more data).
 */
export default function metricsAnalysis(options: { plateauBelow: number }): InProcessDaemon {
  const losses = new Map<string, number[]>();
  const subscriptions: { unsubscribe(): void }[] = [];
  let trends = 0;
  let lastSlope = 0;
  return {
    start(ctx) {
      subscriptions.push(
        ctx.bus.subscribe("TRAINING_PROGRESS", (event) => {
          const { job, loss } = event.data as Progress;
          if (!losses.has(job) && losses.size >= 10) losses.clear(); // jobs that never ended
          losses.set(job, [...(losses.get(job) ?? []), loss].slice(-1000));
        }),
        ctx.bus.subscribe("TRAINING_COMPLETED", (event) => {
          const { job } = event.data as Progress;
          const series = losses.get(job) ?? [];
          losses.delete(job);
          if (series.length < 2) return;
          lastSlope = Number(slope(series).toFixed(5));
          const drop = series[0]! - series[series.length - 1]!;
          trends++;
          ctx.bus.publish("TRAINING_TREND", {
            job,
            steps: series.length,
            slope: lastSlope,
            plateau: drop < options.plateauBelow,
          });
        }),
      );
    },
    stop() {
      for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
    },
    getMetrics() {
      return { trends, lastSlope };
    },
  };
}

/** The least-squares slope of `ys` against 0, 1, 2, … */
function slope(ys: number[]): number {
  const n = ys.length;
  const meanX = (n - 1) / 2;
  const meanY = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  return den === 0 ? 0 : num / den;
}
