/**
 * Benchmark (e) under load: autocannon against `GET /v1/status` with the token, `GET /healthz`,
 * and the bare `node:http` yardstick; one warm-up per target, then rounds in a rotating order.
 */
import { inRotation } from "../rotation.ts";
import { median } from "../stats.ts";
import { delay } from "../wait.ts";
import { loadOnce, type LoadRun, type LoadSample } from "./autocannon.ts";
import type { Session } from "./server.ts";
import { SETTLE_MS } from "./settings.ts";

export interface LoadOptions {
  /** Seconds of each measured load run. */
  seconds: number;
  /** Seconds of the warm-up load run of each target, thrown away. */
  warmupSeconds: number;
  /** Measured load runs per target. */
  runs: number;
}

export interface LoadResult {
  /** Medians over the runs. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  samples: LoadSample[];
}

type LoadTarget = "status" | "healthz" | "bare";
const LOAD_TARGETS: readonly LoadTarget[] = ["status", "healthz", "bare"];

/** The three targets under load: a warm-up of each, then `runs` rounds in rotating order. */
export async function measureLoad(
  session: Session,
  options: LoadOptions,
  progress: (message: string) => void,
): Promise<Record<LoadTarget, LoadResult>> {
  const { manager, bare } = session;
  const runs: Record<LoadTarget, Omit<LoadRun, "seconds">> = {
    status: {
      url: `${manager.url}/v1/status`,
      headers: { authorization: `Bearer ${manager.token}` },
    },
    healthz: { url: `${manager.url}/healthz` },
    bare: { url: bare.url },
  };
  const measure = async (target: LoadTarget, seconds: number) => {
    session.manager.child.checkAlive();
    session.bare.child.checkAlive();
    await delay(SETTLE_MS);
    return loadOnce({ ...runs[target], seconds }, (instance) => (session.cannon = instance));
  };
  for (const target of LOAD_TARGETS) {
    const sample = await measure(target, options.warmupSeconds);
    progress(`(e) load warm-up ${target}: ${describe(sample)}`);
  }
  const samples: Record<LoadTarget, LoadSample[]> = { status: [], healthz: [], bare: [] };
  await inRotation(
    LOAD_TARGETS,
    { warmups: 0, runs: options.runs },
    async (target) => {
      const sample = await measure(target, options.seconds);
      samples[target].push(sample);
      return `${target} ${describe(sample)}`;
    },
    (label, measured) => progress(`(e) load ${label}: ${measured.join("; ")}`),
  );
  return {
    status: summarizeLoad(samples.status),
    healthz: summarizeLoad(samples.healthz),
    bare: summarizeLoad(samples.bare),
  };
}

function summarizeLoad(samples: LoadSample[]): LoadResult {
  return {
    rps: median(samples.map((s) => s.rps)),
    p50Ms: median(samples.map((s) => s.p50Ms)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    samples,
  };
}

function describe(sample: LoadSample): string {
  return `${Math.round(sample.rps)} req/s, p50 ${sample.p50Ms.toFixed(2)} ms, p99 ${sample.p99Ms.toFixed(2)} ms`;
}
