/**
 * When a process daemon's instance is ready (SPEC §4): at spawn, on a stdout line matching a
 * pattern, when a TCP port accepts, when an HTTP probe answers 2xx, or on `READY=1` on the
 * notify socket. A start waits for that, for the instance to exit first (then it fails, saying
 * how the process ended), or for its signal to be aborted (a stop or the start timeout).
 */
import type { ReadyCheck } from "./process-spec.ts";
import { describeExit } from "./describe-exit.ts";
import type { ProcessInstance } from "./process-instance.ts";
import { waitForHttp, waitForTcp } from "./readiness-probes.ts";
import { whenAborted } from "./when-aborted.ts";

/** A start that ended because the process exited first; carries its exit for the events. */
export class ExitedBeforeReady extends Error {
  constructor(
    readonly exitCode: number | null,
    readonly signal: string | null,
  ) {
    super(`the process ${describeExit({ exitCode, signal })} before it was ready`);
  }
}

/** The stdout pattern of `ready`, compiled; undefined when readiness is not a stdout line. */
export function readyPatternOf(ready: ReadyCheck | undefined): RegExp | undefined {
  return ready && "stdout" in ready ? new RegExp(ready.stdout) : undefined;
}

/** Whether `READY=1` on the notify socket is what makes the daemon ready. */
export function readyOnNotify(ready: ReadyCheck | undefined): boolean {
  return ready !== undefined && "notify" in ready;
}

/**
 * Resolves once `instance` is ready; rejects with ExitedBeforeReady (or the spawn error) when it
 * exits first, and with the signal's reason when `signal` is aborted.
 *
 * @example
 * await untilReady(instance, spec.ready, signal);
 */
export async function untilReady(
  instance: ProcessInstance,
  ready: ReadyCheck | undefined,
  signal: AbortSignal,
): Promise<void> {
  const readiness = readyWhen(instance, ready, signal);
  const exitedFirst = instance.exited.then((exit) => {
    if (instance.spawnError) throw instance.spawnError;
    throw new ExitedBeforeReady(exit.exitCode, exit.signal);
  });
  const aborted = whenAborted(signal).then((): never => {
    throw signal.reason;
  });
  try {
    await Promise.race([readiness, exitedFirst, aborted]);
  } finally {
    instance.onReady = undefined;
  }
  // Handled: the exit of a ready instance is one of its reports.
  exitedFirst.catch(() => {});
}

function readyWhen(
  instance: ProcessInstance,
  ready: ReadyCheck | undefined,
  signal: AbortSignal,
): Promise<void> {
  if (!ready || "spawn" in ready) {
    return new Promise<void>((resolve) => instance.child.once("spawn", () => resolve()));
  }
  if ("tcp" in ready) return waitForTcp(ready.tcp, signal);
  if ("http" in ready) return waitForHttp(ready.http, signal);
  // A stdout line (actors/process-instance.ts) or READY=1 (actors/process-notify.ts).
  return new Promise<void>((resolve) => {
    instance.onReady = resolve;
  });
}
