import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subscription } from "rxjs";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { processUsage } from "../../../actors/process-usage.ts";
import { LIFECYCLE_STATES, type LifecycleState } from "../../../machines/lifecycle-states.ts";
import { DaemonManager, type DaemonStatus } from "../../../runtime/manager/daemon-manager.ts";
import type { InProcessDaemon } from "../../../actors/daemon-types.ts";
import { MAX_EVENT_TYPES } from "../../../runtime/bus/event-history.ts";
import { OTHER_LABEL } from "../../../runtime/bus/label-budget.ts";
import type { Logger } from "../../../runtime/logger.ts";
import { MAX_METRICS_PER_DAEMON } from "../../../actors/notify-message.ts";
import { createMetrics, type MetricsSource } from "../../../runtime/control/prometheus-metrics.ts";

/** parse-prometheus-text-format's output: prom2json's shape. */
interface ParsedFamily {
  name: string;
  help: string;
  type: "GAUGE" | "COUNTER" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
  metrics: { value?: string; labels?: Record<string, string> }[];
}

// The parser ships no type declarations: load it through require and give it its shape here.
const parsePrometheusText = createRequire(import.meta.url)("parse-prometheus-text-format") as (
  text: string,
) => ParsedFamily[];

/** The contract of docs/control-api.md: every family, its type and its label names. */
const CONTRACT = {
  warden_daemon_state: { type: "GAUGE", labels: ["daemon", "state"] },
  warden_daemon_restarts_total: { type: "COUNTER", labels: ["daemon"] },
  warden_daemon_uptime_seconds: { type: "GAUGE", labels: ["daemon"] },
  warden_daemon_healthy: { type: "GAUGE", labels: ["daemon"] },
  warden_daemon_metric: { type: "GAUGE", labels: ["daemon", "metric"] },
  warden_process_cpu_seconds_total: { type: "COUNTER", labels: ["daemon"] },
  warden_process_resident_memory_bytes: { type: "GAUGE", labels: ["daemon"] },
  warden_events_total: { type: "COUNTER", labels: ["type"] },
  warden_dead_letters: { type: "GAUGE", labels: [] },
} as const;

type FamilyName = keyof typeof CONTRACT;

/** A sample value as Prometheus reads it (Go's ParseFloat: NaN and Inf in any case). */
const FLOAT = /^[+-]?((\d+\.?\d*|\.\d+)(e[+-]?\d+)?|inf(inity)?)$|^nan$/i;

/** One scrape, parsed: families by name, and the value of one series. */
class Scrape {
  readonly families: ReadonlyMap<string, ParsedFamily>;

  constructor(readonly text: string) {
    const families = parsePrometheusText(text);
    // The parser is lenient: a malformed line becomes a sample with an empty value. Refuse that.
    for (const family of families) {
      if (family.type === "HISTOGRAM" || family.type === "SUMMARY") continue;
      for (const sample of family.metrics) {
        expect(sample.value, `a sample of ${family.name}`).toMatch(FLOAT);
      }
    }
    this.families = new Map(families.map((family) => [family.name, family]));
  }

  family(name: string): ParsedFamily {
    const family = this.families.get(name);
    if (!family) throw new Error(`no family ${name} in the scrape:\n${this.text}`);
    return family;
  }

  /** The series of `name` whose labels are exactly `labels`; undefined when there is none. */
  value(name: FamilyName, labels: Record<string, string>): number | undefined {
    const match = this.family(name).metrics.filter(
      (sample) =>
        JSON.stringify(sortedLabels(sample.labels)) === JSON.stringify(sortedLabels(labels)),
    );
    expect(match.length, `series of ${name} ${JSON.stringify(labels)}`).toBeLessThanOrEqual(1);
    return match[0] === undefined ? undefined : Number(match[0].value);
  }

  /** Every series of `name` for one daemon, as `{ [label]: value }` by its other label. */
  byLabel(name: FamilyName, daemon: string, label: string): Record<string, number> {
    const result: Record<string, number> = {};
    for (const sample of this.family(name).metrics) {
      if (sample.labels?.daemon !== daemon) continue;
      result[sample.labels[label] ?? ""] = Number(sample.value);
    }
    return result;
  }
}

function sortedLabels(labels: Record<string, string> = {}): [string, string][] {
  return Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
}

/** A bare status as a source other than a DaemonManager might give. */
function statusOf(name: string, state: LifecycleState): DaemonStatus {
  return {
    name,
    state,
    kind: "module",
    dependsOn: [],
    critical: false,
    restarts: 0,
    reason: "test",
  };
}

async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let stateDir: string;
let manager: DaemonManager;
let counts: Map<string, number>;
let counting: Subscription;
let source: MetricsSource;
let healthyNow: boolean;

/** getMetrics mixes numbers, a string and values no time series can hold. */
const reporter: InProcessDaemon = {
  async start() {},
  async stop() {},
  getMetrics: () => ({
    ticks: 42,
    ratio: 0.5,
    mode: "fast",
    broken: Number.NaN,
    huge: Number.POSITIVE_INFINITY,
  }),
};

const checked: InProcessDaemon = {
  async start() {},
  async stop() {},
  healthCheck: async () => ({ healthy: healthyNow }),
};

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), "warden-metrics-"));
  manager = new DaemonManager({ captureEscapedErrors: false, stateDir });
  counts = new Map();
  counting = manager.events$.subscribe((event) => {
    counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
  });
  source = {
    status: () => manager.status(),
    eventCounts: () => counts,
    deadLetters: () => manager.bus.deadLetters.size,
  };
  healthyNow = true;
  manager.register("reporter", reporter);
  manager.register("checked", checked, { health: { intervalMs: 20, failureThreshold: 1000 } });
  manager.register("sleeper", { command: "sleep", args: ["30"] });
  manager.register("idle", { async start() {}, async stop() {} });
});

afterEach(async () => {
  await manager.close();
  counting.unsubscribe();
  rmSync(stateDir, { recursive: true, force: true });
});

async function startThree(): Promise<void> {
  await manager.startMany(["reporter", "checked", "sleeper"]);
  await eventually(() => manager.statusOf("checked").healthy === true, "the first health check");
}

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

    healthyNow = false;
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
