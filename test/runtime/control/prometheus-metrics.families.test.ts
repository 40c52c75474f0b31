/**
 * Each family of the metrics contract (docs/control-api.md) from a real DaemonManager: types and
 * labels, daemon state, restarts, uptime and health, getMetrics(), process usage, events and dead
 * letters. Set-up in test/support/prometheus-metrics-setup.ts.
 */
import { describe, expect, it } from "vitest";
import { processUsage } from "../../../actors/process-usage.ts";
import { LIFECYCLE_STATES } from "../../../machines/lifecycle-states.ts";
import type { DaemonManager } from "../../../runtime/manager/daemon-manager.ts";
import { createMetrics, type MetricsSource } from "../../../runtime/control/prometheus-metrics.ts";
import {
  CONTRACT,
  eventually,
  metricsManagerPerTest,
  Scrape,
} from "../../support/prometheus-metrics-setup.ts";

let manager: DaemonManager;
let counts: Map<string, number>;
let source: MetricsSource;
const { startThree, setHealthy } = metricsManagerPerTest(
  (each) => ({ manager, counts, source } = each),
);

describe("createMetrics", () => {
  it("serves every family of the contract with its type and labels", async () => {
    await startThree();
    const metrics = createMetrics(source);
    const scrape = new Scrape(await metrics.text());

    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4\b/);
    for (const [name, { type, labels }] of Object.entries(CONTRACT)) {
      const family = scrape.family(name);
      expect(family.type, name).toBe(type);
      expect(family.help, name).not.toBe("");
      expect(family.metrics.length, name).toBeGreaterThan(0);
      for (const sample of family.metrics) {
        expect(Object.keys(sample.labels ?? {}).sort(), name).toEqual([...labels].sort());
      }
    }
    // The manager's own Node.js metrics come along.
    expect(scrape.family("process_cpu_seconds_total").type).toBe("COUNTER");
    expect(scrape.family("process_resident_memory_bytes").type).toBe("GAUGE");
    expect(scrape.family("nodejs_heap_size_used_bytes").type).toBe("GAUGE");
  });

  it("has one state series per daemon and state, 1 for the current one", async () => {
    await startThree();
    const scrape = new Scrape(await createMetrics(source).text());

    const expected = {
      reporter: "RUNNING",
      checked: "RUNNING",
      sleeper: "RUNNING",
      idle: "PENDING",
    };
    for (const [daemon, current] of Object.entries(expected)) {
      const states = scrape.byLabel("warden_daemon_state", daemon, "state");
      expect(Object.keys(states).sort(), daemon).toEqual([...LIFECYCLE_STATES].sort());
      for (const state of LIFECYCLE_STATES) {
        expect(states[state], `${daemon} ${state}`).toBe(state === current ? 1 : 0);
      }
    }
    expect(scrape.family("warden_daemon_state").metrics).toHaveLength(4 * LIFECYCLE_STATES.length);
  });

  it("reports restarts, uptime and health as status tells them", async () => {
    await startThree();
    await manager.restart("reporter");
    await eventually(() => (manager.statusOf("checked").uptimeMs ?? 0) >= 50, "50 ms of uptime");
    const metrics = createMetrics(source);
    let scrape = new Scrape(await metrics.text());

    expect(scrape.value("warden_daemon_restarts_total", { daemon: "reporter" })).toBe(1);
    expect(scrape.value("warden_daemon_restarts_total", { daemon: "checked" })).toBe(0);
    expect(scrape.value("warden_daemon_restarts_total", { daemon: "idle" })).toBe(0);
    const uptime = scrape.value("warden_daemon_uptime_seconds", { daemon: "checked" })!;
    expect(uptime).toBeGreaterThanOrEqual(0.05);
    expect(uptime).toBeLessThan(60);
    expect(scrape.value("warden_daemon_uptime_seconds", { daemon: "idle" })).toBe(0);
    expect(scrape.value("warden_daemon_healthy", { daemon: "checked" })).toBe(1);
    // No health check, no series: absent is not the same as unhealthy.
    expect(scrape.value("warden_daemon_healthy", { daemon: "reporter" })).toBeUndefined();
    expect(scrape.value("warden_daemon_healthy", { daemon: "idle" })).toBeUndefined();

    setHealthy(false);
    await eventually(() => manager.statusOf("checked").healthy === false, "a failed health check");
    scrape = new Scrape(await metrics.text());
    expect(scrape.value("warden_daemon_healthy", { daemon: "checked" })).toBe(0);
  });

  it("keeps only the finite numbers of getMetrics()", async () => {
    await startThree();
    const scrape = new Scrape(await createMetrics(source).text());

    expect(scrape.byLabel("warden_daemon_metric", "reporter", "metric")).toEqual({
      ticks: 42,
      ratio: 0.5,
    });
    expect(scrape.byLabel("warden_daemon_metric", "idle", "metric")).toEqual({});
  });

  it("measures the CPU and memory of a process daemon's live instance", async () => {
    await startThree();
    const pid = manager.statusOf("sleeper").process?.pid;
    expect(pid).toBeGreaterThan(1);
    const scrape = new Scrape(await createMetrics(source).text());

    const cpu = scrape.value("warden_process_cpu_seconds_total", { daemon: "sleeper" })!;
    const memory = scrape.value("warden_process_resident_memory_bytes", { daemon: "sleeper" })!;
    expect(cpu).toBeGreaterThanOrEqual(0);
    expect(cpu).toBeLessThan(5);
    expect(memory).toBeGreaterThan(0);
    // The same reading processUsage gives (sleep's memory does not move while it sleeps).
    expect(memory).toBe(processUsage(pid!)?.residentBytes);
    // Module daemons and a process daemon that is not running have no such series.
    expect(scrape.family("warden_process_cpu_seconds_total").metrics).toHaveLength(1);
    expect(scrape.family("warden_process_resident_memory_bytes").metrics).toHaveLength(1);
  });

  it("counts events by type and the dead letters", async () => {
    manager.bus.subscribe(
      "MODEL_SAVED",
      () => {
        throw new Error("consumer broke");
      },
      { subscriber: "consumer" },
    );
    await startThree();
    manager.bus.publish("MODEL_SAVED", { step: 1 });
    manager.bus.publish("MODEL_SAVED", { step: 2 });
    const scrape = new Scrape(await createMetrics(source).text());

    expect(scrape.value("warden_events_total", { type: "MODEL_SAVED" })).toBe(2);
    expect(scrape.value("warden_events_total", { type: "DAEMON_STARTED" })).toBe(3);
    const reported = Object.fromEntries(
      scrape
        .family("warden_events_total")
        .metrics.map((sample) => [sample.labels?.type, Number(sample.value)]),
    );
    expect(reported).toEqual(Object.fromEntries(counts));
    expect(scrape.value("warden_dead_letters", {})).toBe(2);
  });
});
