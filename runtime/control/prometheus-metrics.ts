/**
 * What `GET /metrics` answers (docs/control-api.md): the daemons' states, restarts, uptime,
 * health, own metrics and process usage, the bus's event counts and dead letters, and the
 * manager's own Node.js metrics, in Prometheus text format. Each call of `createMetrics` has a
 * registry of its own, so two managers in one process never share or clash over a metric.
 * Daemons choose metric names and event types, so their series are bounded here whatever the
 * source gives: a scrape's size and time do not grow with what daemons send (SPEC §13).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { processUsage, type ProcessUsage } from "../../actors/process-usage.ts";
import { LIFECYCLE_STATES } from "../../machines/lifecycle-states.ts";
import type { ResourceUsage } from "../../machines/resource-book.ts";
import type { DaemonStatus } from "../manager/daemon-manager.ts";
import type { Logger } from "../logger.ts";
import {
  MAX_METRIC_SERIES_PER_DAEMON,
  boundedEvents,
  numericMetrics,
  reportOnce,
  type Overflow,
} from "./metric-bounds.ts";

/** What the metrics are read from, at each scrape. */
export interface MetricsSource {
  /** `DaemonManager.status()`. */
  status(): DaemonStatus[];
  /** Events published on the bus since the manager started, by type. */
  eventCounts(): ReadonlyMap<string, number>;
  /** Deliveries now in the dead-letter queue. */
  deadLetters(): number;
  /** The machine's resources (SPEC §6a): `DaemonManager.resources.usage()`. */
  resources?(): readonly ResourceUsage[];
}

/**
 * Resources reported, in configuration order. Their names come from the configuration, not from
 * daemons, but a generated one could still hold thousands: a scrape stays bounded.
 */
export const MAX_RESOURCE_SERIES = 64;

export interface MetricsOptions {
  /** Told once per daemon whose metrics, and once if event types, go over the bounds. */
  logger?: Pick<Logger, "warn">;
}

/** A scrape target: its content type and the text of one scrape. */
export interface PrometheusMetrics {
  /** `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
  /** Reads the source now and renders every metric; rejects when the source throws. */
  text(): Promise<string>;
}

/** Everything one scrape reports, read from the source once. */
interface Scrape {
  daemons: readonly DaemonStatus[];
  /** By daemon name: the usage of process daemons whose process is alive. */
  usage: ReadonlyMap<string, ProcessUsage>;
  /** By daemon name: its finite numeric metrics, at most MAX_METRIC_SERIES_PER_DAEMON. */
  metrics: ReadonlyMap<string, readonly (readonly [string, number])[]>;
  /** At most MAX_EVENT_SERIES types by name, and `other`. */
  events: ReadonlyMap<string, number>;
  deadLetters: number;
  /** At most MAX_RESOURCE_SERIES resources. */
  resources: readonly ResourceUsage[];
}

interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** One metric family of the contract: its name, type and labels, and its samples in a scrape. */
interface Family {
  name: string;
  help: string;
  type: "gauge" | "counter";
  labelNames: readonly string[];
  samples(scrape: Scrape): Iterable<Sample>;
}

const FAMILIES: readonly Family[] = [
  {
    name: "warden_daemon_state",
    help: "1 for the daemon's current lifecycle state, 0 for the others.",
    type: "gauge",
    labelNames: ["daemon", "state"],
    *samples({ daemons }) {
      for (const { name, state } of daemons) {
        for (const each of LIFECYCLE_STATES) {
          yield { labels: { daemon: name, state: each }, value: each === state ? 1 : 0 };
        }
      }
    },
  },
  {
    name: "warden_daemon_restarts_total",
    help: "Restarts of the daemon since it was registered.",
    type: "counter",
    labelNames: ["daemon"],
    *samples({ daemons }) {
      for (const { name, restarts } of daemons) yield { labels: { daemon: name }, value: restarts };
    },
  },
  {
    name: "warden_daemon_uptime_seconds",
    help: "Time the daemon has been RUNNING; 0 when it is not RUNNING.",
    type: "gauge",
    labelNames: ["daemon"],
    *samples({ daemons }) {
      for (const { name, state, uptimeMs } of daemons) {
        const seconds = state === "RUNNING" ? (uptimeMs ?? 0) / 1000 : 0;
        yield { labels: { daemon: name }, value: seconds };
      }
    },
  },
  {
    name: "warden_daemon_healthy",
    help: "1 when the daemon's health check passes, 0 when it fails; absent without a health check.",
    type: "gauge",
    labelNames: ["daemon"],
    *samples({ daemons }) {
      for (const { name, healthy } of daemons) {
        if (healthy !== undefined) yield { labels: { daemon: name }, value: healthy ? 1 : 0 };
      }
    },
  },
  {
    name: "warden_daemon_metric",
    help: `Numeric values a daemon reports through getMetrics() or METRICS= (the first ${MAX_METRIC_SERIES_PER_DAEMON}).`,
    type: "gauge",
    labelNames: ["daemon", "metric"],
    *samples({ metrics }) {
      for (const [daemon, values] of metrics) {
        for (const [metric, value] of values) yield { labels: { daemon, metric }, value };
      }
    },
  },
  {
    name: "warden_process_cpu_seconds_total",
    help: "User and system CPU time of a process daemon's running instance.",
    type: "counter",
    labelNames: ["daemon"],
    *samples({ usage }) {
      for (const [name, { cpuSeconds }] of usage)
        yield { labels: { daemon: name }, value: cpuSeconds };
    },
  },
  {
    name: "warden_process_resident_memory_bytes",
    help: "Resident memory of a process daemon's running instance.",
    type: "gauge",
    labelNames: ["daemon"],
    *samples({ usage }) {
      for (const [name, { residentBytes }] of usage) {
        yield { labels: { daemon: name }, value: residentBytes };
      }
    },
  },
  {
    name: "warden_events_total",
    help: 'Events published on the bus since the manager started, by type; types over the caps as "other".',
    type: "counter",
    labelNames: ["type"],
    *samples({ events }) {
      for (const [type, count] of events) yield { labels: { type }, value: count };
    },
  },
  {
    name: "warden_resource_units",
    help: "Units of each resource of the machine, held by daemons or free.",
    type: "gauge",
    labelNames: ["resource", "state"],
    *samples({ resources }) {
      for (const { name, capacity, free } of resources) {
        yield { labels: { resource: name, state: "held" }, value: capacity - free };
        yield { labels: { resource: name, state: "free" }, value: free };
      }
    },
  },
  {
    name: "warden_resource_waiters",
    help: "Daemons waiting in PENDING for units of each resource.",
    type: "gauge",
    labelNames: ["resource"],
    *samples({ resources }) {
      for (const { name, waiting } of resources) {
        yield { labels: { resource: name }, value: waiting.length };
      }
    },
  },
  {
    name: "warden_dead_letters",
    help: "Deliveries in the dead-letter queue.",
    type: "gauge",
    labelNames: [],
    *samples({ deadLetters }) {
      yield { labels: {}, value: deadLetters };
    },
  },
];

/**
 * The Prometheus metrics of one manager, read from `source` at every scrape.
 *
 * @example
 * const metrics = createMetrics({
 *   status: () => manager.status(),
 *   eventCounts: () => counts,
 *   deadLetters: () => manager.bus.deadLetters.size,
 * });
 * reply.type(metrics.contentType).send(await metrics.text());
 */
export function createMetrics(
  source: MetricsSource,
  options: MetricsOptions = {},
): PrometheusMetrics {
  const registry = new Registry();
  const overflow = reportOnce(options.logger);
  let scrape: Scrape = {
    daemons: [],
    usage: new Map(),
    metrics: new Map(),
    events: new Map(),
    deadLetters: 0,
    resources: [],
  };
  for (const family of FAMILIES) registerFamily(registry, family, () => scrape);
  // The event-loop delay histogram samples every `eventLoopMonitoringPrecision` ms: at
  // prom-client's 10 ms that timer alone kept an idle manager at ≈ 0.7 % of a core (benchmark
  // (f)); 100 ms still shows a loop that stalls, for a tenth of the wake-ups.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  return {
    contentType: registry.contentType,
    async text() {
      // One read of the source per scrape: every family then tells of the same moment. prom-client
      // runs the collect callbacks synchronously within metrics(), before a later scrape can
      // replace this one.
      scrape = readScrape(source, overflow);
      return registry.metrics();
    },
  };
}

/**
 * Registers `family` with a collect callback that reports the scrape's values as they are: a
 * counter's value is the source's own total, not something counted here.
 */
function registerFamily(registry: Registry, family: Family, current: () => Scrape): void {
  const config = {
    name: family.name,
    help: family.help,
    labelNames: family.labelNames,
    registers: [registry],
  };
  if (family.type === "gauge") {
    new Gauge({
      ...config,
      collect() {
        this.reset();
        for (const { labels, value } of family.samples(current())) this.set(labels, value);
      },
    });
    return;
  }
  new Counter({
    ...config,
    collect() {
      this.reset();
      for (const { labels, value } of family.samples(current())) {
        // A counter cannot go below zero: a bad source value is left out, not a failed scrape.
        if (Number.isFinite(value) && value >= 0) this.inc(labels, value);
      }
    },
  });
}

function readScrape(source: MetricsSource, overflow: Overflow): Scrape {
  const daemons = source.status();
  const usage = new Map<string, ProcessUsage>();
  const metrics = new Map<string, (readonly [string, number])[]>();
  for (const daemon of daemons) {
    const pid = daemon.kind === "process" ? daemon.process?.pid : undefined;
    const measured = pid === undefined ? undefined : processUsage(pid);
    if (measured) usage.set(daemon.name, measured);
    if (daemon.metrics) metrics.set(daemon.name, numericMetrics(daemon, overflow));
  }
  return {
    daemons,
    usage,
    metrics,
    events: boundedEvents(source.eventCounts(), overflow),
    deadLetters: source.deadLetters(),
    resources: (source.resources?.() ?? []).slice(0, MAX_RESOURCE_SERIES),
  };
}
