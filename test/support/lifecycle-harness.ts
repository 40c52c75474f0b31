/**
 * The lifecycle chart on its own, without a DaemonManager: `daemonLifecycleMachine.provide()`d
 * with instance actors the test drives by hand (each start and stop waits until the test settles
 * it; the watch hands the test its `sendBack`; `killInstance` is counted), on xstate's
 * SimulatedClock, under a tiny parent registered as the supervisor (SUPERVISOR_ID) that collects
 * what the chart announces.
 */
import {
  createActor,
  fromCallback,
  fromPromise,
  setup,
  SimulatedClock,
  type AnyActorRef,
} from "xstate";
import {
  daemonLifecycleMachine,
  type LifecycleContext,
  type LifecycleEvent,
  type LifecycleInput,
} from "../../machines/daemon-lifecycle.ts";
import { resolvePolicy, type DaemonPolicyOptions } from "../../machines/daemon-policy.ts";
import type { InstanceInput, InstanceReport } from "../../machines/instance-protocol.ts";
import type { LifecycleState } from "../../machines/lifecycle-states.ts";
import {
  SUPERVISOR_ID,
  type DaemonHealthChange,
  type DaemonResourcesWanted,
  type DaemonTransition,
} from "../../machines/supervisor-protocol.ts";
import { advance, flush } from "./simulated-runtime.ts";

export const NAME = "svc";

/** One invocation of `startInstance` or `stopInstance`, settled by the test. */
export interface InstanceCall {
  input: InstanceInput;
  signal: AbortSignal;
  resolve(): void;
  reject(error: unknown): void;
}

export interface ChartOptions {
  dependenciesReady?: boolean;
  /** Backoff jitter; 0.5 by default, so a counted restart waits half the backoff cap. */
  random?: () => number;
  /** Restart counters a previous manager left (machines/restart-record.ts). */
  restored?: LifecycleInput["restored"];
  /** The daemon requires resources: each start from PENDING waits for RESOURCES_GRANTED. */
  needsResources?: boolean;
}

type SupervisorEvent = DaemonTransition | DaemonHealthChange | DaemonResourcesWanted;

export class ChartRig {
  readonly clock = new SimulatedClock();
  /** Every transition the chart announced, in order. */
  readonly transitions: DaemonTransition[] = [];
  readonly healthChanges: DaemonHealthChange[] = [];
  readonly starts: InstanceCall[] = [];
  readonly stops: InstanceCall[] = [];
  /** Times `killInstance` ran. */
  kills = 0;
  /** Times `watchInstance` was started. */
  watches = 0;
  /** Times the chart asked the supervisor for its resources. */
  resourceRequests = 0;
  private sendBack: ((event: LifecycleEvent) => void) | undefined;
  private readonly root: AnyActorRef;

  constructor(policy: DaemonPolicyOptions = {}, options: ChartOptions = {}) {
    const call = (list: InstanceCall[]) =>
      fromPromise<void, InstanceInput>(
        ({ input, signal }) =>
          new Promise<void>((resolve, reject) => list.push({ input, signal, resolve, reject })),
      );
    const lifecycle = daemonLifecycleMachine.provide({
      actors: {
        startInstance: call(this.starts),
        stopInstance: call(this.stops),
        watchInstance: fromCallback<LifecycleEvent, InstanceInput>(({ sendBack }) => {
          this.watches++;
          this.sendBack = sendBack;
          return () => {
            this.sendBack = undefined;
          };
        }),
      },
      actions: {
        killInstance: () => {
          this.kills++;
        },
      },
    });
    const supervisor = setup({
      types: { events: {} as SupervisorEvent },
      actors: { lifecycle },
    }).createMachine({
      invoke: {
        src: "lifecycle",
        id: NAME,
        systemId: NAME,
        input: {
          name: NAME,
          policy: resolvePolicy(policy),
          now: () => this.clock.now(),
          random: options.random ?? (() => 0.5),
          dependenciesReady: options.dependenciesReady ?? true,
          needsResources: options.needsResources ?? false,
          ...(options.restored ? { restored: options.restored } : {}),
        },
      },
      on: {
        "DAEMON.TRANSITION": {
          actions: ({ event }) => void this.transitions.push(event as DaemonTransition),
        },
        "DAEMON.HEALTH": {
          actions: ({ event }) => void this.healthChanges.push(event as DaemonHealthChange),
        },
        "DAEMON.RESOURCES_WANTED": {
          actions: () => void this.resourceRequests++,
        },
      },
    });
    this.root = createActor(supervisor, { clock: this.clock, systemId: SUPERVISOR_ID });
    this.root.start();
  }

  private get daemon(): AnyActorRef {
    const actor = this.root.system.get(NAME) as AnyActorRef | undefined;
    if (!actor) throw new Error("the lifecycle actor is gone");
    return actor;
  }

  get state(): LifecycleState {
    return this.daemon.getSnapshot().value as LifecycleState;
  }

  get context(): LifecycleContext {
    return this.daemon.getSnapshot().context as LifecycleContext;
  }

  /** The announced states, in order ("PENDING" first). */
  get trail(): LifecycleState[] {
    return this.transitions.map((transition) => transition.state);
  }

  /** The latest announced transition. */
  get last(): DaemonTransition {
    const last = this.transitions.at(-1);
    if (!last) throw new Error("nothing was announced");
    return last;
  }

  get watching(): boolean {
    return this.sendBack !== undefined;
  }

  /** Sends the lifecycle actor an event, then lets promises settle. */
  async send(event: LifecycleEvent): Promise<void> {
    this.daemon.send(event);
    await flush();
  }

  /** What the running instance reports, through the watch actor's `sendBack`. */
  async report(report: InstanceReport): Promise<void> {
    if (!this.sendBack) throw new Error("no watchInstance actor is running");
    this.sendBack(report);
    await flush();
  }

  /** Settles the latest start (or stop) the chart invoked. */
  async finishStart(): Promise<void> {
    latest(this.starts, "start").resolve();
    await flush();
  }

  async failStart(error: unknown = new Error("start failed")): Promise<void> {
    latest(this.starts, "start").reject(error);
    await flush();
  }

  async finishStop(): Promise<void> {
    latest(this.stops, "stop").resolve();
    await flush();
  }

  async failStop(error: unknown = new Error("stop failed")): Promise<void> {
    latest(this.stops, "stop").reject(error);
    await flush();
  }

  /** START, and a start that succeeds at once: the daemon is RUNNING. */
  async running(): Promise<void> {
    await this.send({ type: "START" });
    await this.finishStart();
    if (this.state !== "RUNNING") throw new Error(`the daemon is ${this.state}, not RUNNING`);
  }

  /** Moves the simulated clock `ms` forward, firing every timer due on the way. */
  advance(ms: number): Promise<void> {
    return advance(this.clock, ms);
  }

  stop(): void {
    this.root.stop();
  }
}

function latest(calls: InstanceCall[], what: string): InstanceCall {
  const call = calls.at(-1);
  if (!call) throw new Error(`no ${what} was invoked`);
  return call;
}
