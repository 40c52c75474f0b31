/**
 * The bounds on the series of `/metrics` that daemons control (SPEC §13): the metric names a
 * daemon reports (`warden_daemon_metric`) and the event types it publishes
 * (`warden_events_total`). What is over a bound is left out (a gauge) or added up under
 * `other` (a counter), and reported once.
 */
import type { DaemonStatus } from "../manager/daemon-manager.ts";
import { LIFECYCLE_EVENT_TYPES } from "../../machines/envelope.ts";
import { MAX_EVENT_TYPES } from "../bus/event-history.ts";
import { OTHER_LABEL } from "../bus/label-budget.ts";
import type { Logger } from "../logger.ts";
import { MAX_METRICS_PER_DAEMON } from "../../actors/notify-message.ts";

/**
 * `warden_events_total` series by name at most (the rest add up under `other`): what an
 * EventHistory can count by name, so that its counts always pass unchanged.
 */
export const MAX_EVENT_SERIES = MAX_EVENT_TYPES + LIFECYCLE_EVENT_TYPES.length;
/** `warden_daemon_metric` series per daemon at most: the first ones a daemon reports. */
export const MAX_METRIC_SERIES_PER_DAEMON = MAX_METRICS_PER_DAEMON;

/** Hears of each bound a scrape applied; `createMetrics` reports each once. */
export interface Overflow {
  metrics(daemon: string): void;
  events(): void;
}

/**
 * The first MAX_METRIC_SERIES_PER_DAEMON finite numbers of a daemon's metrics, as
 * `[name, value]`; strings, NaN and infinities are for status, not for a time series.
 *
 * @example
 * numericMetrics({ ...status, metrics: { loss: 0.25, phase: "train" } }, overflow); // [["loss", 0.25]]
 */
export function numericMetrics(daemon: DaemonStatus, overflow: Overflow): [string, number][] {
  const numbers: [string, number][] = [];
  for (const name in daemon.metrics) {
    const value = daemon.metrics[name];
    if (typeof value !== "number" || !Number.isFinite(value)) continue;
    if (numbers.length === MAX_METRIC_SERIES_PER_DAEMON) {
      overflow.metrics(daemon.name);
      break;
    }
    numbers.push([name, value]);
  }
  return numbers;
}

/**
 * `counts` as they are when few enough; otherwise the first MAX_EVENT_SERIES types, the counts
 * of the rest added to `other`.
 *
 * @example
 * boundedEvents(history.counts(), overflow).size; // at most MAX_EVENT_SERIES + 1
 */
export function boundedEvents(
  counts: ReadonlyMap<string, number>,
  overflow: Overflow,
): ReadonlyMap<string, number> {
  if (counts.size <= MAX_EVENT_SERIES + 1) return counts;
  overflow.events();
  const bounded = new Map<string, number>();
  let other = counts.get(OTHER_LABEL) ?? 0;
  for (const [type, count] of counts) {
    if (type === OTHER_LABEL) continue;
    if (bounded.size < MAX_EVENT_SERIES) bounded.set(type, count);
    // A count that no counter could hold is left out, as in any other series.
    else if (Number.isFinite(count) && count >= 0) other += count;
  }
  bounded.set(OTHER_LABEL, other);
  return bounded;
}

/**
 * Reports to `logger` each daemon whose metrics went over the bound, and event types that did,
 * once each for the life of one registry.
 *
 * @example
 * const overflow = reportOnce(logger);
 * numericMetrics(status, overflow);
 */
export function reportOnce(logger: Pick<Logger, "warn"> | undefined): Overflow {
  const told = new Set<string>();
  let toldEvents = false;
  return {
    metrics(daemon) {
      if (told.has(daemon)) return;
      told.add(daemon);
      logger?.warn(
        { daemon, limit: MAX_METRIC_SERIES_PER_DAEMON },
        `daemon "${daemon}" has more than ${MAX_METRIC_SERIES_PER_DAEMON} numeric metrics; /metrics shows the first ${MAX_METRIC_SERIES_PER_DAEMON}`,
      );
    },
    events() {
      if (toldEvents) return;
      toldEvents = true;
      logger?.warn(
        { limit: MAX_EVENT_SERIES },
        `more than ${MAX_EVENT_SERIES} event types to report; /metrics counts the rest as type "${OTHER_LABEL}"`,
      );
    },
  };
}
