/**
 * Every scrape reads its source afresh, and every createMetrics() has a registry of its own.
 * Set-up in test/support/prometheus-metrics-setup.ts.
 */
import { describe, expect, it } from "vitest";
import { LIFECYCLE_STATES } from "../../../machines/lifecycle-states.ts";
import type { DaemonManager } from "../../../runtime/manager/daemon-manager.ts";
import { createMetrics, type MetricsSource } from "../../../runtime/control/prometheus-metrics.ts";
import { metricsManagerPerTest, Scrape, statusOf } from "../../support/prometheus-metrics-setup.ts";

let manager: DaemonManager;
let source: MetricsSource;
const { startThree } = metricsManagerPerTest((each) => ({ manager, source } = each));

describe("createMetrics", () => {
  it("reads the manager at each scrape", async () => {
    const metrics = createMetrics(source);
    let scrape = new Scrape(await metrics.text());
    expect(scrape.value("warden_daemon_state", { daemon: "reporter", state: "PENDING" })).toBe(1);
    expect(scrape.family("warden_process_cpu_seconds_total").metrics).toHaveLength(0);

    await startThree();
    scrape = new Scrape(await metrics.text());
    expect(scrape.value("warden_daemon_state", { daemon: "reporter", state: "RUNNING" })).toBe(1);
    expect(scrape.value("warden_daemon_state", { daemon: "reporter", state: "PENDING" })).toBe(0);
    expect(scrape.value("warden_process_cpu_seconds_total", { daemon: "sleeper" })).toBeDefined();

    await manager.stop("sleeper");
    await manager.stop("reporter");
    scrape = new Scrape(await metrics.text());
    expect(scrape.value("warden_daemon_state", { daemon: "sleeper", state: "STOPPED" })).toBe(1);
    expect(scrape.value("warden_daemon_uptime_seconds", { daemon: "reporter" })).toBe(0);
    // A stopped daemon's metrics and a gone process's usage leave with them.
    expect(scrape.byLabel("warden_daemon_metric", "reporter", "metric")).toEqual({});
    expect(scrape.family("warden_process_cpu_seconds_total").metrics).toHaveLength(0);
    expect(scrape.family("warden_process_resident_memory_bytes").metrics).toHaveLength(0);
  });

  it("gives each call a registry of its own", async () => {
    const other: MetricsSource = {
      status: () => [{ ...statusOf("elsewhere", "FAILED"), restarts: 7 }],
      eventCounts: () => new Map([["ELSEWHERE", 5]]),
      deadLetters: () => 9,
    };
    const ours = createMetrics(source);
    const theirs = createMetrics(other);
    const [mine, yours] = [new Scrape(await ours.text()), new Scrape(await theirs.text())];

    expect(yours.value("warden_daemon_restarts_total", { daemon: "elsewhere" })).toBe(7);
    expect(yours.value("warden_daemon_state", { daemon: "elsewhere", state: "FAILED" })).toBe(1);
    expect(yours.value("warden_dead_letters", {})).toBe(9);
    expect(yours.value("warden_events_total", { type: "ELSEWHERE" })).toBe(5);
    expect(mine.value("warden_daemon_restarts_total", { daemon: "elsewhere" })).toBeUndefined();
    expect(mine.value("warden_events_total", { type: "ELSEWHERE" })).toBeUndefined();
    expect(mine.value("warden_dead_letters", {})).toBe(0);
    expect(yours.family("warden_daemon_state").metrics).toHaveLength(LIFECYCLE_STATES.length);
  });
});
