/**
 * What a source gives cannot break the exposition: odd names and values render safely, and the
 * series that daemons control (event types, metric names) are bounded. Set-up in
 * test/support/prometheus-metrics-setup.ts.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it, vi } from "vitest";
import { MAX_METRICS_PER_DAEMON } from "../../../actors/notify-message.ts";
import { MAX_EVENT_TYPES } from "../../../runtime/bus/event-history.ts";
import { OTHER_LABEL } from "../../../runtime/bus/label-budget.ts";
import type { Logger } from "../../../runtime/logger.ts";
import { createMetrics, type MetricsSource } from "../../../runtime/control/prometheus-metrics.ts";
import { Scrape, statusOf } from "../../support/prometheus-metrics-setup.ts";

describe("createMetrics", () => {
  it("renders any source safely: odd names, stale uptime, gone pids, bad counter values", async () => {
    const odd = 'we"ird\\name\nline';
    const gone = spawnSync("true").pid;
    const stranger: MetricsSource = {
      status: () => [
        { ...statusOf(odd, "STOPPING"), uptimeMs: 5000, metrics: { 'a "quoted"\nkey': 3 } },
        {
          ...statusOf("gone", "RUNNING"),
          kind: "process",
          process: {
            command: "true",
            pid: gone,
            invalidNotifyMessages: 0,
            droppedEvents: 0,
            refusedConnections: 0,
          },
        },
        { ...statusOf("negative", "RUNNING"), restarts: -1, uptimeMs: 1500 },
      ],
      eventCounts: () => new Map([["SOME_EVENT", Number.NaN]]),
      deadLetters: () => 0,
    };
    const scrape = new Scrape(await createMetrics(stranger).text());

    expect(scrape.value("warden_daemon_state", { daemon: odd, state: "STOPPING" })).toBe(1);
    expect(scrape.value("warden_daemon_metric", { daemon: odd, metric: 'a "quoted"\nkey' })).toBe(
      3,
    );
    // Uptime is time in RUNNING: whatever the source says, 0 in any other state.
    expect(scrape.value("warden_daemon_uptime_seconds", { daemon: odd })).toBe(0);
    expect(scrape.value("warden_daemon_uptime_seconds", { daemon: "negative" })).toBe(1.5);
    expect(scrape.family("warden_process_cpu_seconds_total").metrics).toHaveLength(0);
    // A counter never goes below zero nor turns NaN: such a value is left out.
    expect(scrape.value("warden_daemon_restarts_total", { daemon: "negative" })).toBeUndefined();
    expect(scrape.family("warden_events_total").metrics).toHaveLength(0);
  });

  it("bounds the series daemons control: event types and metric names", async () => {
    const many = 100_000;
    const metrics = Object.fromEntries(Array.from({ length: many }, (_, i) => [`m${i}`, i]));
    const events = new Map(Array.from({ length: many }, (_, i) => [`T${i}`, 2]));
    events.set(OTHER_LABEL, 5);
    const warn = vi.fn();
    const flooding: MetricsSource = {
      status: () => [{ ...statusOf("flood", "RUNNING"), metrics }, statusOf("calm", "RUNNING")],
      eventCounts: () => events,
      deadLetters: () => 0,
    };
    const prometheus = createMetrics(flooding, { logger: { warn } as unknown as Logger });
    const text = await prometheus.text();
    const scrape = new Scrape(text);

    const series = scrape.family("warden_events_total").metrics;
    expect(series.length).toBeLessThanOrEqual(MAX_EVENT_TYPES + 8 + 1);
    const total = series.reduce((sum, sample) => sum + Number(sample.value), 0);
    expect(total).toBe(2 * many + 5);
    const named = series.length - 1;
    expect(scrape.value("warden_events_total", { type: OTHER_LABEL })).toBe(5 + 2 * (many - named));
    expect(Object.keys(scrape.byLabel("warden_daemon_metric", "flood", "metric"))).toHaveLength(
      MAX_METRICS_PER_DAEMON,
    );
    expect(text.length).toBeLessThan(1024 * 1024);
    // Reported once per daemon, not at every scrape.
    await prometheus.text();
    expect(warn.mock.calls.filter(([fields]) => fields?.daemon === "flood")).toHaveLength(1);
  });
});
