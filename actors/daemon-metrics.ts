/**
 * The metrics a process daemon reports with `METRICS=` (docs/notify-protocol.md): each line is
 * merged into what it reported before, in place and in O(names in the line), and the names a
 * daemon may have are bounded (SPEC §13), so that neither memory nor `/metrics` grow with what
 * it sends.
 */
import { MAX_METRICS_PER_DAEMON } from "./notify-message.ts";

export type DaemonMetricValues = Record<string, number | string>;

/**
 * Merges `update` into `metrics`: known names take their new value, new names are added while
 * fewer than `max` are kept. Returns how many new names did not fit (0 when all did).
 *
 * @example
 * const metrics = {};
 * mergeMetrics(metrics, { loss: 0.3, phase: "train" }); // 0
 * mergeMetrics(metrics, { loss: 0.25 }); // 0; metrics is { loss: 0.25, phase: "train" }
 */
export function mergeMetrics(
  metrics: DaemonMetricValues,
  update: Readonly<DaemonMetricValues>,
  max = MAX_METRICS_PER_DAEMON,
): number {
  // At most `max` names are kept, so counting them is bounded too.
  let kept = Object.keys(metrics).length;
  let dropped = 0;
  for (const name of Object.keys(update)) {
    const value = update[name]!;
    if (Object.hasOwn(metrics, name)) metrics[name] = value;
    else if (kept < max) {
      // A data property even for "__proto__", which plain assignment would not create.
      Object.defineProperty(metrics, name, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      kept++;
    } else dropped++;
  }
  return dropped;
}
