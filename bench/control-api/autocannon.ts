/** One load run of benchmark (e) with autocannon, and what it measured. */
import type { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import { CONNECTIONS, PIPELINING } from "./settings.ts";

/** One autocannon run. */
export interface LoadSample {
  /** autocannon's requests per second (the mean of its per-second samples). */
  rps: number;
  /** From autocannon's per-response times (its `response` event), which are sub-millisecond. */
  p50Ms: number;
  p99Ms: number;
  /** autocannon's own latency histogram, which truncates to whole milliseconds. */
  histogramP50Ms: number;
  histogramP99Ms: number;
  requests: number;
}

// autocannon ships no types; these are the parts of its API (README, v8) used here.
interface AutocannonHistogram {
  average: number;
  total: number;
  p50: number;
  p99: number;
}

interface AutocannonResult {
  requests: AutocannonHistogram;
  latency: AutocannonHistogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}

export interface AutocannonInstance extends EventEmitter {
  stop(): void;
}

type Autocannon = (
  options: {
    url: string;
    connections: number;
    pipelining: number;
    duration: number;
    headers?: Record<string, string>;
  },
  done: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) throw new Error("percentile of no values");
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface LoadRun {
  url: string;
  headers?: Record<string, string>;
  seconds: number;
}

/**
 * One autocannon run. Any error, timeout or non-2xx answer fails it: a fast refusal is no
 * measurement. `onInstance` gets the running instance (to stop it on SIGINT).
 */
export function loadOnce(
  run: LoadRun,
  onInstance: (instance: AutocannonInstance | undefined) => void,
): Promise<LoadSample> {
  return new Promise((resolve, reject) => {
    const times: number[] = [];
    const instance = autocannon(
      {
        url: run.url,
        connections: CONNECTIONS,
        pipelining: PIPELINING,
        duration: run.seconds,
        ...(run.headers ? { headers: run.headers } : {}),
      },
      (error, result) => {
        onInstance(undefined);
        if (error) return reject(error);
        const failures = result.errors + result.timeouts + result.non2xx;
        if (failures > 0 || times.length === 0) {
          return reject(
            new Error(
              `control-api: ${run.url}: ${result.errors} errors, ${result.timeouts} timeouts, ` +
                `${result.non2xx} non-2xx answers (${JSON.stringify(result.statusCodeStats)}) ` +
                `in ${times.length} responses`,
            ),
          );
        }
        const sorted = Float64Array.from(times).sort();
        resolve({
          rps: result.requests.average,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          histogramP50Ms: result.latency.p50,
          histogramP99Ms: result.latency.p99,
          requests: result.requests.total,
        });
      },
    );
    instance.on("response", (_client: unknown, _status: number, _bytes: number, ms: number) => {
      times.push(ms);
    });
    onInstance(instance);
  });
}
