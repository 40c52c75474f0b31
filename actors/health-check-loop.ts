import { Observable } from "rxjs";
import { messageOf } from "../machines/errors.ts";
import type { HealthPolicy } from "../machines/daemon-policy.ts";
import type { InstanceReport } from "../machines/instance-protocol.ts";
import type { WardenClock } from "./clock.ts";

export interface HealthResult {
  healthy: boolean;
  detail?: string;
}

/**
 * Runs `check` every `intervalMs` on `clock`; a check that throws, rejects or takes longer than
 * `timeoutMs` counts as unhealthy. Returns the function that stops the loop.
 *
 * @example
 * const stop = startHealthLoop(clock, policy, () => daemon.healthCheck(), (r) => report(r));
 */
export function startHealthLoop(
  clock: WardenClock,
  policy: HealthPolicy,
  check: () => Promise<HealthResult> | HealthResult,
  report: (result: HealthResult) => void,
): () => void {
  let stopped = false;
  let timer: unknown;

  const schedule = () => {
    timer = clock.setTimeout(() => void runOnce(), policy.intervalMs);
  };

  const runOnce = async () => {
    const result = await withTimeout(clock, policy.timeoutMs, check);
    if (stopped) return;
    report(result);
    // The report may have ended the loop (the daemon left RUNNING): then no next check.
    if (!stopped) schedule();
  };

  schedule();
  return () => {
    stopped = true;
    clock.clearTimeout(timer);
  };
}

/**
 * The results of `check` as HEALTH_RESULT reports: the loop of startHealthLoop runs while the
 * Observable is subscribed to.
 *
 * @example
 * const health$ = healthReports(clock, policy, () => daemon.healthCheck());
 */
export function healthReports(
  clock: WardenClock,
  policy: HealthPolicy,
  check: () => Promise<HealthResult> | HealthResult,
): Observable<InstanceReport> {
  return new Observable<InstanceReport>((subscriber) =>
    startHealthLoop(clock, policy, check, (result) =>
      subscriber.next({ type: "HEALTH_RESULT", ...result }),
    ),
  );
}

async function withTimeout(
  clock: WardenClock,
  timeoutMs: number,
  check: () => Promise<HealthResult> | HealthResult,
): Promise<HealthResult> {
  let timer: unknown;
  const timeout = new Promise<HealthResult>((resolve) => {
    timer = clock.setTimeout(
      () => resolve({ healthy: false, detail: `health check timed out after ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  try {
    const result = Promise.resolve()
      .then(check)
      .then(
        (value) => ({ healthy: value.healthy === true, detail: value.detail }),
        (error: unknown) => ({
          healthy: false,
          detail: `health check threw: ${messageOf(error)}`,
        }),
      );
    return await Promise.race([result, timeout]);
  } finally {
    clock.clearTimeout(timer);
  }
}
