/**
 * The lifecycle chart's instance slots (machines/daemon-lifecycle.ts) as XState logic over the
 * daemons' drivers: `startInstance` and `stopInstance` are promise actors, `watchInstance` is a
 * callback actor that subscribes to what the running instance reports and sends it back, and
 * `killInstance` is an action. Each finds its daemon's driver by name through `driverOf`, so one
 * `.provide()` serves every daemon of a manager (runtime/manager/actor-system.ts).
 */
import type { Observable } from "rxjs";
import { fromCallback, fromPromise } from "xstate";
import type { LifecycleContext, LifecycleEvent } from "../machines/daemon-lifecycle.ts";
import type { InstanceInput, InstanceReport } from "../machines/instance-protocol.ts";

/**
 * How one daemon is run: in-process (actors/in-process-daemon.ts) or as an OS process
 * (actors/process-daemon.ts). One instance at a time; a start makes a new one.
 */
export interface DaemonDriver {
  /** Starts a new instance; resolves when it is ready. An aborted signal cancels the start. */
  start(signal: AbortSignal): Promise<void>;
  /**
   * Stops the current instance gracefully; resolves once it is gone. It has no deadline of its
   * own: the chart kills at its stop timeout, and an aborted signal means "give up waiting".
   */
  stop(signal: AbortSignal): Promise<void>;
  /**
   * What the current instance reports, from its start on: a report made before anyone
   * subscribed is replayed, so none is lost between "ready" and the watch. A crash or an exit
   * is its last report.
   */
  reports(): Observable<InstanceReport>;
  /** Ends whatever is left of the current instance at once (SIGKILL for a process). Idempotent. */
  kill(): void;
}

/** Finds a daemon's driver by name; undefined for a daemon it does not know. */
export type DriverLookup = (name: string) => DaemonDriver | undefined;

/**
 * The actors and actions to `.provide()` to the lifecycle chart, for the daemons `driverOf`
 * knows.
 *
 * @example
 * const drivers = new Map<string, DaemonDriver>();
 * const logic = daemonLifecycleMachine.provide(lifecycleImplementations((name) => drivers.get(name)));
 */
export function lifecycleImplementations(driverOf: DriverLookup) {
  const required = ({ name }: InstanceInput): DaemonDriver => {
    const driver = driverOf(name);
    if (!driver) throw new Error(`daemon "${name}" has no driver`);
    return driver;
  };
  return {
    actors: {
      startInstance: fromPromise<void, InstanceInput>(({ input, signal }) =>
        required(input).start(signal),
      ),
      stopInstance: fromPromise<void, InstanceInput>(({ input, signal }) =>
        required(input).stop(signal),
      ),
      watchInstance: fromCallback<LifecycleEvent, InstanceInput>(({ input, sendBack }) => {
        const subscription = required(input).reports().subscribe(sendBack);
        return () => subscription.unsubscribe();
      }),
    },
    actions: {
      killInstance: ({ context }: { context: LifecycleContext }) => {
        driverOf(context.env.name)?.kill();
      },
    },
  };
}
