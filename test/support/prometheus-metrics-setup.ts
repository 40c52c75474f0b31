/**
 * The set-up shared by the Prometheus metrics tests (test/runtime/control/prometheus-metrics.*
 * .test.ts): a scrape parsed as Prometheus parses it, the contract of docs/control-api.md, and a
 * real DaemonManager with four daemons to scrape, made for each test and closed after it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subscription } from "rxjs";
import { afterEach, beforeEach, expect } from "vitest";
import type { LifecycleState } from "../../machines/lifecycle-states.ts";
import { DaemonManager, type DaemonStatus } from "../../runtime/manager/daemon-manager.ts";
import type { InProcessDaemon } from "../../actors/daemon-types.ts";
import type { MetricsSource } from "../../runtime/control/prometheus-metrics.ts";

/** parse-prometheus-text-format's output: prom2json's shape. */
export interface ParsedFamily {
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
export const CONTRACT = {
  warden_daemon_state: { type: "GAUGE", labels: ["daemon", "state"] },
  warden_daemon_restarts_total: { type: "COUNTER", labels: ["daemon"] },
  warden_daemon_uptime_seconds: { type: "GAUGE", labels: ["daemon"] },
  warden_daemon_healthy: { type: "GAUGE", labels: ["daemon"] },
  warden_daemon_metric: { type: "GAUGE", labels: ["daemon", "metric"] },
  warden_process_cpu_seconds_total: { type: "COUNTER", labels: ["daemon"] },
  warden_process_resident_memory_bytes: { type: "GAUGE", labels: ["daemon"] },
  warden_events_total: { type: "COUNTER", labels: ["type"] },
  warden_dead_letters: { type: "GAUGE", labels: [] },
  warden_resource_units: { type: "GAUGE", labels: ["resource", "state"] },
  warden_resource_waiters: { type: "GAUGE", labels: ["resource"] },
} as const;

export type FamilyName = keyof typeof CONTRACT;

/** A sample value as Prometheus reads it (Go's ParseFloat: NaN and Inf in any case). */
const FLOAT = /^[+-]?((\d+\.?\d*|\.\d+)(e[+-]?\d+)?|inf(inity)?)$|^nan$/i;

/** One scrape, parsed: families by name, and the value of one series. */
export class Scrape {
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
export function statusOf(name: string, state: LifecycleState): DaemonStatus {
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

export async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What each test gets: a new manager, the events it published by type, and a source over both. */
export interface MetricsManager {
  manager: DaemonManager;
  counts: Map<string, number>;
  source: MetricsSource;
}

/**
 * Call once at the top of a test file: before each test, `onEach` gets a new DaemonManager with
 * reporter (getMetrics() of numbers, a string and values no series can hold), checked (a health
 * check every 20 ms, healthy until `setHealthy(false)`), sleeper (a `sleep 30` process) and idle,
 * none started; after the test, the manager is closed.
 *
 * @example
 * let manager: DaemonManager;
 * const { startThree } = metricsManagerPerTest((each) => ({ manager } = each));
 */
export function metricsManagerPerTest(onEach: (each: MetricsManager) => void): {
  /** Starts reporter, checked and sleeper, and waits for checked's first health check. */
  startThree(): Promise<void>;
  /** What checked's health check says from now on, until the test ends. */
  setHealthy(healthy: boolean): void;
} {
  let stateDir: string;
  let manager: DaemonManager;
  let counting: Subscription;
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
    manager = new DaemonManager({ captureEscapedErrors: false, stateDir, resources: { gpu: 1 } });
    const counts = new Map<string, number>();
    counting = manager.events$.subscribe((event) => {
      counts.set(event.type, (counts.get(event.type) ?? 0) + 1);
    });
    const source: MetricsSource = {
      status: () => manager.status(),
      eventCounts: () => counts,
      deadLetters: () => manager.bus.deadLetters.size,
      resources: () => manager.resources.usage(),
    };
    healthyNow = true;
    manager.register("reporter", reporter);
    manager.register("checked", checked, { health: { intervalMs: 20, failureThreshold: 1000 } });
    manager.register("sleeper", { command: "sleep", args: ["30"] });
    manager.register("idle", { async start() {}, async stop() {} });
    onEach({ manager, counts, source });
  });

  afterEach(async () => {
    await manager.close();
    counting.unsubscribe();
    rmSync(stateDir, { recursive: true, force: true });
  });

  return {
    async startThree() {
      await manager.startMany(["reporter", "checked", "sleeper"]);
      await eventually(
        () => manager.statusOf("checked").healthy === true,
        "the first health check",
      );
    },
    setHealthy(healthy) {
      healthyNow = healthy;
    },
  };
}
