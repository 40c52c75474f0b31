/**
 * Model-based tests of the lifecycle statechart against the REAL DaemonManager. The paths come
 * from `xstate/graph` traversals of `daemonLifecycleMachine` (test/support/lifecycle-model.ts);
 * each chosen path is replayed on a manager with one scripted daemon ("svc", depending on "dep"),
 * every abstract event realised as what a user or the world does, on a simulated clock. After each
 * step the real daemon must be where the chart says, having taken the same transitions, with the
 * same lifecycle events on the bus. Coverage of states and transitions must reach 100%.
 */
import { describe, expect, it } from "vitest";
import {
  SimulatedClock,
  type AnyActorRef,
  type AnyEventObject,
  type InspectionEvent,
} from "xstate";
import { daemonLifecycleMachine } from "../../machines/daemon-lifecycle.ts";
import { LIFECYCLE_STATES, type LifecycleState } from "../../machines/lifecycle-states.ts";
import { DaemonManager } from "../../runtime/manager/daemon-manager.ts";
import type { Envelope, LifecycleEventData } from "../../machines/envelope.ts";
import {
  ALWAYS,
  DAEMON,
  DEPENDENCY,
  LATER_TIMERS,
  VARIANTS,
  candidatePaths,
  chartTransitions,
  coveringPaths,
  delayOf,
  eventKind,
  eventLabel,
  hopKey,
  simulate,
  topOf,
  type Hop,
  type ModelPath,
  type ModelStep,
  type Variant,
} from "../support/lifecycle-model.ts";
import { ResourceHog } from "../support/resource-hog.ts";
import { ScriptedDaemon } from "../support/scripted-daemon.ts";

const STATE_OF_EVENT: Record<string, LifecycleState> = {
  DAEMON_STARTING: "STARTING",
  DAEMON_STARTED: "RUNNING",
  DAEMON_STOPPING: "STOPPING",
  DAEMON_STOPPED: "STOPPED",
  DAEMON_FAILED: "FAILED",
  DAEMON_RESTARTING: "RESTARTING",
};

/**
 * Where a user's action reaches the lifecycle actor as another event with the same effect:
 * DaemonManager.restart starts a daemon that is not running (dependencies included), so the
 * chart's STOPPED/FAILED --RESTART--> PENDING is taken by the actor as --START--> PENDING.
 */
const REALISED_AS: Record<string, string> = { RESTART: "START" };

/**
 * The same for one chart transition. A start asked for while STOPPING is remembered by the chart,
 * which then goes STOPPED --always--> PENDING; a manager that still defers such a start itself
 * (runtime/manager/deferred-starts.ts: START once the daemon is STOPPED) reaches the same state
 * as STOPPED --START--> PENDING. Either is accepted; test/machines/daemon-lifecycle.stop-start
 * covers the chart's own transition.
 */
const HOP_REALISED_AS: Record<string, string> = { "STOPPED --always--> PENDING": "START" };

/** Lets every promise chain settle; no real time passes and the simulated clock stands still. */
async function flush(): Promise<void> {
  for (let i = 0; i < 8; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function ignore(): void {
  // Each step asserts on the daemon's state; a start or stop that ends elsewhere just rejects.
}

const fromTo = ({ from, to }: { from: string; to: string }) => `${from}->${to}`;

/** A DaemonManager on a simulated clock with the scripted daemon and its dependency. */
class Rig {
  readonly clock = new SimulatedClock();
  readonly daemon = new ScriptedDaemon({ name: DAEMON, now: () => this.clock.now() });
  readonly dep = new ScriptedDaemon({ name: DEPENDENCY, now: () => 0, stopsAtOnce: true });
  /** Under contention: holds the one gpu whenever the daemon does not (SPEC §6a). */
  hog: ResourceHog | undefined;
  readonly manager: DaemonManager;
  /** What the real daemon did since the last `take()`: actor transitions and bus events. */
  private hops: Hop[] = [];
  private bus: string[] = [];
  /** Every lifecycle event of either daemon, for the quiet-after-close check. */
  busEvents = 0;
  private system: AnyActorRef["system"] | undefined;
  private readonly enteredAt = new Map<LifecycleState, number>();
  private lastHeartbeatAt = 0;

  constructor(private readonly variant: Variant) {
    this.manager = new DaemonManager({
      clock: this.clock,
      captureEscapedErrors: false,
      random: () => 0.5,
      resources: { gpu: 1 },
      inspect: (event) => this.inspect(event),
    });
    this.manager.events$.subscribe((envelope) => this.onBus(envelope));
  }

  /** Registers both daemons; the dependency runs first when the variant says it is ready. */
  async setUp(): Promise<void> {
    this.manager.register(DEPENDENCY, this.dep, { startTimeoutMs: 1e9 });
    if (this.variant.dependenciesReady) await this.dependencyUp();
    const requires: Record<string, number> = this.variant.contended ? { gpu: 1 } : {};
    if (this.variant.contended) {
      this.hog = new ResourceHog(this.manager, DAEMON, flush);
      await this.hog.up();
    }
    this.manager.register(DAEMON, this.daemon, {
      ...this.variant.options,
      dependsOn: [DEPENDENCY],
      requires,
    });
    // Starting nothing hands the new registration to the supervisor.
    await this.manager.startMany([]);
    this.take();
  }

  take(): { hops: Hop[]; bus: string[] } {
    const taken = { hops: this.hops, bus: this.bus };
    this.hops = [];
    this.bus = [];
    return taken;
  }

  /** Does what makes the real daemon receive `step.event`. */
  async act({ event, before }: ModelStep): Promise<void> {
    const kind = eventKind(event.type);
    if (kind.kind === "after") {
      return this.advanceTo(this.entered(kind.state) + delayOf(kind.delay, before.context));
    }
    if (kind.kind === "done" || kind.kind === "error") {
      const error = new Error(`scripted ${kind.src} failure`);
      if (kind.src === "startInstance") {
        return kind.kind === "done" ? this.daemon.finishStart() : this.daemon.failStart(error);
      }
      if (kind.src === "stopInstance") {
        return kind.kind === "done" ? this.daemon.finishStop() : this.daemon.failStop(error);
      }
    }
    return this.userOrWorld(event);
  }

  private async userOrWorld(event: AnyEventObject): Promise<void> {
    const { manager, daemon, variant } = this;
    switch (event.type) {
      case "START":
        return void manager.start(DAEMON).catch(ignore);
      case "STOP":
        return void manager.stop(DAEMON).catch(ignore);
      case "RESTART":
        return void manager.restart(DAEMON).catch(ignore);
      case "DEPENDENCIES_READY":
        return this.dependencyUp();
      case "DEPENDENCY_LOST":
        return void manager.stop(DEPENDENCY).catch(ignore);
      case "RESOURCES_GRANTED":
        // The other holder stops and releases the unit: the supervisor grants it to the daemon.
        return this.hog?.release();
      case "CRASHED":
        return daemon.crash(new Error(String(event.error)));
      case "EXITED":
        // An in-process daemon cannot exit by itself: only a process driver reports EXITED, so
        // the report goes to the lifecycle actor, reached through the manager's inspect hook.
        return this.lifecycleActor().send({ type: "EXITED", exitCode: event.exitCode });
      case "MEMORY_EXCEEDED":
        // Only a process driver measures memory (actors/process-memory.ts): as for EXITED, the
        // report goes to the lifecycle actor directly.
        return this.lifecycleActor().send({ type: "MEMORY_EXCEEDED", error: "memory over" });
      case "RESUME_FAILED":
        // The manager sends it when it hands over a daemon that restart-state.json says was
        // FAILED (test/runtime/manager/daemon-manager.restart-state.test.ts); here it goes to
        // the lifecycle actor directly, failed now, so its cool-down runs as the model's does.
        return this.lifecycleActor().send({
          type: "RESUME_FAILED",
          at: this.clock.now(),
          error: event.error,
        });
      case "HEALTH_RESULT": {
        daemon.scriptHealth({ healthy: Boolean(event.healthy), detail: event.detail });
        const last = Math.max(this.entered("RUNNING"), daemon.lastHealthCheckAt ?? -Infinity);
        return this.advanceTo(last + variant.policy.health.intervalMs);
      }
      case "HEARTBEAT":
        this.lastHeartbeatAt = this.clock.now();
        return daemon.heartbeat();
      case "HEARTBEAT_MISSED": {
        const last = Math.max(this.entered("RUNNING"), this.lastHeartbeatAt);
        return this.advanceTo(last + (variant.policy.heartbeatTimeoutMs ?? NaN));
      }
      default:
        throw new Error(`no realisation for ${event.type}: say how a user or the world causes it`);
    }
  }

  /** Makes the dependency RUNNING: start it if it is not on its way, then let its start finish. */
  private async dependencyUp(): Promise<void> {
    if (this.manager.stateOf(DEPENDENCY) !== "STARTING") {
      void this.manager.start(DEPENDENCY).catch(ignore);
      await flush();
    }
    this.dep.finishStart();
    await flush();
    expect(this.manager.stateOf(DEPENDENCY)).toBe("RUNNING");
  }

  /** Closes the manager with every start and stop settling at once; true once it is closed. */
  async close(): Promise<boolean> {
    this.daemon.settle();
    this.dep.settle();
    this.hog?.settle();
    let closed = false;
    void this.manager.close().then(() => (closed = true), ignore);
    for (let i = 0; i < 10 && !closed; i++) await flush();
    return closed;
  }

  /** Everything daemon code and the bus did so far: it must not change after close(). */
  activity() {
    const { daemon, dep } = this;
    return [daemon, dep].map((d) => ({ starts: d.starts, stops: d.stops, checks: d.healthChecks }));
  }

  private advanceTo(due: number): void {
    const ms = due - this.clock.now();
    if (!(ms >= 0)) throw new Error(`the timer was due ${-ms} ms ago`);
    this.clock.increment(ms);
  }

  private entered(state: LifecycleState): number {
    const at = this.enteredAt.get(state);
    if (at === undefined) throw new Error(`the daemon was never ${state}`);
    return at;
  }

  private lifecycleActor() {
    const actor = this.system?.get(DAEMON);
    if (!actor) throw new Error(`no lifecycle actor named ${DAEMON}`);
    return actor;
  }

  private inspect(event: InspectionEvent): void {
    const actor = event.actorRef as AnyActorRef;
    this.system ??= actor.system;
    if (event.type !== "@xstate.microstep" || actor.id !== DAEMON) return;
    for (const transition of event._transitions) {
      const target = transition.target?.[0];
      if (!target) continue;
      const to = topOf(target);
      const type = transition.eventType === "" ? ALWAYS : transition.eventType;
      this.hops.push({ from: topOf(transition.source), event: type, to });
      this.enteredAt.set(to, this.clock.now());
    }
  }

  private onBus(envelope: Envelope): void {
    const data = envelope.data as LifecycleEventData;
    this.busEvents++;
    const to = STATE_OF_EVENT[envelope.type];
    if (to && data.daemon === DAEMON) this.bus.push(fromTo({ from: data.from, to }));
  }
}

const describeStep = (step: ModelStep) =>
  eventLabel(step.event.type) +
  (step.event.type === "HEALTH_RESULT" ? `(${step.event.healthy})` : "");

const chart = chartTransitions();
const candidates = VARIANTS.flatMap(candidatePaths);
// The contended variants get their own covering paths: every transition again, each start
// from PENDING waiting for RESOURCES_GRANTED.
const paths: ModelPath[] = [false, true]
  .flatMap((contended) =>
    coveringPaths(candidates.filter((c) => c.variant.contended === contended)),
  )
  .map((c) => simulate(c.variant, c.events));
const observedStates = new Set<LifecycleState>();
const observedTransitions = new Set<string>();
const realisedAs = new Map<string, string>();

/** Replays one path, asserting after every step, then that nothing runs after close(). */
async function replay(path: ModelPath): Promise<void> {
  const rig = new Rig(path.variant);
  let closed = false;
  try {
    await rig.setUp();
    expect(rig.manager.stateOf(DAEMON)).toBe("PENDING");
    observedStates.add("PENDING");
    for (const [index, step] of path.steps.entries()) {
      await rig.act(step);
      await flush();
      await rig.hog?.keep(step.after.context.ready.resources);
      verify(step, `step ${index + 1} (${describeStep(step)})`, rig);
    }
    closed = await rig.close();
    expect(closed, "close() finishes once every stop has settled").toBe(true);
    // No timer, health check or event may outlive the manager.
    const before = { activity: rig.activity(), events: rig.busEvents };
    rig.clock.increment(3_600_000);
    await flush();
    expect({ activity: rig.activity(), events: rig.busEvents }).toEqual(before);
  } finally {
    if (!closed) await rig.close();
  }
}

/** The real daemon took the step's transitions, told the bus, and ended where the model did. */
function verify(step: ModelStep, where: string, rig: Rig): void {
  const { hops, bus } = rig.take();
  const state = rig.manager.stateOf(DAEMON);
  expect({ where, state, hops: hops.map(fromTo), bus }).toEqual({
    where,
    state: step.after.value,
    hops: step.hops.map(fromTo),
    bus: step.hops.filter((hop) => hop.to !== "PENDING").map(fromTo),
  });
  step.hops.forEach((expected, i) => {
    const real = hops[i]!.event;
    if (real !== expected.event) {
      const allowed =
        HOP_REALISED_AS[hopKey(expected)] ?? REALISED_AS[expected.event] ?? expected.event;
      expect({ where, event: real }).toEqual({ where, event: allowed });
      realisedAs.set(hopKey(expected), real);
    }
    observedTransitions.add(hopKey(expected));
    observedStates.add(expected.to);
  });
  observedStates.add(state);
  // SPEC §3: never STARTING or RUNNING while a dependency is not RUNNING.
  if (state === "STARTING" || state === "RUNNING") {
    expect(rig.manager.stateOf(DEPENDENCY), `${where}: the dependency`).toBe("RUNNING");
  }
}

describe("the lifecycle statechart, replayed on a real DaemonManager", () => {
  it("traverses to every transition of the chart", () => {
    const reached = new Set(candidates.flatMap((c) => c.hops.map(hopKey)));
    expect([...chart.keys()].filter((key) => !reached.has(key))).toEqual([]);
    expect([...reached].filter((key) => !chart.has(key))).toEqual([]);
  });

  it("knows the order of every state's timers", () => {
    for (const state of Object.values(daemonLifecycleMachine.root.states)) {
      const delays = new Set(state.after.map((after) => after.eventType));
      const ordered = [...delays].filter((type) => type in LATER_TIMERS);
      expect(ordered.length, `timers of ${state.key}`).toBeGreaterThanOrEqual(delays.size - 1);
    }
    for (const { policy } of VARIANTS)
      expect(policy.backoff.maxMs).toBeLessThan(policy.stopTimeoutMs);
  });

  for (const path of paths) {
    const name = `${path.variant.label}: ${path.steps.map(describeStep).join(" → ")}`;
    it(name, () => replay(path));
  }

  it("observed every state and every transition on the real manager", () => {
    // Declared last, so it runs after every replay: vitest runs a file's tests in order.
    const missing = [
      ...LIFECYCLE_STATES.filter((state) => !observedStates.has(state)),
      ...[...chart.keys()].filter((key) => !observedTransitions.has(key)),
    ];
    const steps = paths.reduce((sum, path) => sum + path.steps.length, 0);
    const ratio = (n: number, of: number) => `${n}/${of} (${Math.floor((100 * n) / of)}%)`;
    console.log(
      [
        `lifecycle model coverage (${paths.length} paths, ${steps} steps, ${VARIANTS.length} traversals)`,
        `  states       ${ratio(observedStates.size, LIFECYCLE_STATES.length)}`,
        `  transitions  ${ratio(observedTransitions.size, chart.size)}`,
        `  missing      ${missing.join(", ") || "none"}`,
        ...[...realisedAs].map(
          ([key, real]) => `  note         ${key} reached the actor as ${real}`,
        ),
      ].join("\n"),
    );
    expect(missing).toEqual([]);
  });
});
