/**
 * The actor logic bound to the lifecycle machine's slots: each one hands the work to the daemon's
 * driver (in-process or OS process), honours its AbortSignal and sends nothing after it stops.
 */
import { fromCallback, fromPromise } from "xstate";
import type { DaemonDriver } from "../machines/daemon-driver.ts";
import type { LifecycleEvent } from "../machines/daemon-lifecycle.ts";

interface DriverInput {
  driver: DaemonDriver | undefined;
}

function required(driver: DaemonDriver | undefined): DaemonDriver {
  if (!driver) throw new Error("this daemon has no driver");
  return driver;
}

export const startInstance = fromPromise<void, DriverInput>(({ input, signal }) =>
  required(input.driver).start(signal),
);

export const stopInstance = fromPromise<void, DriverInput>(({ input, signal }) =>
  required(input.driver).stop(signal),
);

export const watchInstance = fromCallback<LifecycleEvent, DriverInput>(({ input, sendBack }) => {
  let stopped = false;
  const cleanup = required(input.driver).watch((report) => {
    if (!stopped) sendBack(report);
  });
  return () => {
    stopped = true;
    cleanup();
  };
});
