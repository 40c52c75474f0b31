/**
 * The lifecycle statechart as a test model: its transitions, its events and the paths through it,
 * all read from `daemonLifecycleMachine` itself, so that a transition added to the chart is picked
 * up (and must be reached, and given a realisation) without editing the tests.
 *
 * A "chart transition" is (top-level source, event type, top-level target): every candidate
 * target of every `on`, `after`, invoke onDone/onError and `always` transition. Eventless ones are
 * labelled `always`.
 */
import {
  getMicrosteps,
  initialTransition,
  type AnyEventObject,
  type AnyStateNode,
  type SnapshotFrom,
} from "xstate";
import { getAdjacencyMap, getShortestPaths, getStateNodes } from "xstate/graph";
import { daemonLifecycleMachine, type LifecycleContext } from "../../machines/daemon-lifecycle.ts";
import {
  resolvePolicy,
  type DaemonPolicy,
  type DaemonPolicyOptions,
  type RestartPolicy,
} from "../../machines/daemon-policy.ts";
import { LIFECYCLE_STATES, stateOf, type LifecycleState } from "../../machines/lifecycle-states.ts";

type Machine = typeof daemonLifecycleMachine;
export type LifecycleSnapshot = SnapshotFrom<Machine>;

export const DAEMON = "svc";
export const DEPENDENCY = "dep";
export const ALWAYS = "always";

export interface Hop {
  from: LifecycleState;
  event: string;
  to: LifecycleState;
}

export const hopKey = (hop: Hop): string => `${hop.from} --${eventLabel(hop.event)}--> ${hop.to}`;

/** What an event type stands for in the chart. */
export type EventKind =
  | { kind: "done" | "error"; src: string; state: LifecycleState }
  | { kind: "after"; delay: string; state: LifecycleState }
  | { kind: "event"; type: string };

/** The top-level lifecycle state a state node belongs to. */
export function topOf(node: AnyStateNode): LifecycleState {
  const state = stateOf(node.path[0]);
  if (!state) throw new Error(`state node "${node.id}" is under no lifecycle state`);
  return state;
}

const nodes = (machine: Machine): AnyStateNode[] => getStateNodes(machine.root);

/** Every event type some state node of the chart handles (eventless transitions excluded). */
export function chartEventTypes(machine: Machine = daemonLifecycleMachine): string[] {
  const types = new Set(machine.root.transitions.keys());
  for (const node of nodes(machine)) for (const type of node.transitions.keys()) types.add(type);
  return [...types];
}

/** Invoke done/error and delayed events, found on the state nodes; everything else is `event`. */
export function eventKind(type: string, machine: Machine = daemonLifecycleMachine): EventKind {
  for (const node of nodes(machine)) {
    for (const invoke of node.invoke) {
      const src = typeof invoke.src === "string" ? invoke.src : invoke.id;
      if (type === `xstate.done.actor.${invoke.id}`)
        return { kind: "done", src, state: topOf(node) };
      if (type === `xstate.error.actor.${invoke.id}`) {
        return { kind: "error", src, state: topOf(node) };
      }
    }
    for (const after of node.after) {
      if (after.eventType === type) {
        return { kind: "after", delay: String(after.delay), state: topOf(node) };
      }
    }
  }
  return { kind: "event", type };
}

const labels = new Map<string, string>();

/** A short name for an event type: `done(startInstance)`, `after(backoff)`, `STOP`. */
export function eventLabel(type: string): string {
  let label = labels.get(type);
  if (label === undefined) labels.set(type, (label = labelOf(eventKind(type))));
  return label;
}

function labelOf(kind: EventKind): string {
  if (kind.kind === "event") return kind.type;
  return kind.kind === "after" ? `after(${kind.delay})` : `${kind.kind}(${kind.src})`;
}

/** The chart's transitions between (or back into) its top-level states, keyed by `hopKey`. */
export function chartTransitions(machine: Machine = daemonLifecycleMachine): Map<string, Hop> {
  const found = new Map<string, Hop>();
  const add = (from: LifecycleState, event: string, target: AnyStateNode, source: AnyStateNode) => {
    const to = topOf(target);
    // A transition inside one top-level state is not a transition of the seven-state chart.
    if (from === to && target.path.length > 1 && source !== target) return;
    const hop = { from, event, to };
    found.set(hopKey(hop), hop);
  };
  for (const node of nodes(machine)) {
    for (const [type, list] of node.transitions) {
      for (const t of list)
        for (const target of t.target ?? []) add(topOf(node), type, target, node);
    }
    for (const t of node.always ?? []) {
      for (const target of t.target ?? []) add(topOf(node), ALWAYS, target, node);
    }
  }
  // A targeted transition on the root applies in every state that does not handle the event.
  for (const [type, list] of machine.root.transitions) {
    for (const state of LIFECYCLE_STATES) {
      if (machine.root.states[state]?.transitions.has(type)) continue;
      for (const t of list) {
        for (const target of t.target ?? []) add(state, type, target, machine.root);
      }
    }
  }
  return found;
}

/** Concrete events for a type: the payload variants the guards distinguish. */
export function eventsOfType(type: string): AnyEventObject[] {
  const kind = eventKind(type);
  if (kind.kind === "done") return [{ type, output: undefined }];
  if (kind.kind === "error") return [{ type, error: new Error(`scripted ${kind.src} failure`) }];
  switch (type) {
    case "HEALTH_RESULT":
      return [
        { type, healthy: false, detail: "scripted" },
        { type, healthy: true },
      ];
    case "EXITED":
      return [{ type, exitCode: 0 }];
    case "CRASHED":
      return [{ type, error: "scripted crash" }];
    case "DEPENDENCY_LOST":
      return [{ type, dependency: DEPENDENCY }];
    case "RESUME_FAILED":
      return [{ type, at: 0, error: "scripted failure before the manager restarted" }];
    default:
      return [{ type }];
  }
}

/**
 * One traversal: a restart policy, whether the dependency runs when the daemon registers, and
 * whether the daemon requires a resource that another daemon holds whenever it does not (SPEC
 * §6a): then each start from PENDING waits for RESOURCES_GRANTED.
 */
export interface Variant {
  label: string;
  options: DaemonPolicyOptions;
  policy: DaemonPolicy;
  dependenciesReady: boolean;
  contended: boolean;
}

/** Small limits so every guard flips within a few steps; each timer far from the others. */
export const BASE_OPTIONS: DaemonPolicyOptions = {
  maxRestarts: 1,
  withinMs: 600_000,
  resetAfterMs: 600_000,
  // A constant jitter cap: backoff is 50 ms for counted restarts (random = 0.5), 0 for others.
  backoff: { initialMs: 100, maxMs: 100, factor: 2 },
  startTimeoutMs: 1_000,
  stopTimeoutMs: 1_000,
  health: { intervalMs: 100, timeoutMs: 50, failureThreshold: 1 },
  heartbeatTimeoutMs: 5_000,
  retryFailedAfterMs: 2_000,
};

function variant(restart: RestartPolicy, dependenciesReady: boolean, contended: boolean): Variant {
  const options = { ...BASE_OPTIONS, restart };
  const label = `restart=${restart}, dependencies ${dependenciesReady ? "ready" : "not ready"}`;
  return {
    label: contended ? `${label}, resource contended` : label,
    options,
    policy: resolvePolicy(options),
    dependenciesReady,
    contended,
  };
}

export const VARIANTS: Variant[] = [
  ...(["always", "on-failure", "never"] as RestartPolicy[]).flatMap((restart) =>
    [false, true].map((dependenciesReady) => variant(restart, dependenciesReady, false)),
  ),
  variant("on-failure", false, true),
  variant("never", true, true),
];

export function modelInput(variant: Variant) {
  return {
    name: DAEMON,
    policy: variant.policy,
    now: () => 0,
    random: () => 0.5,
    dependenciesReady: variant.dependenciesReady,
    needsResources: variant.contended,
  };
}

/** The state value plus every context field a guard reads; the policy is fixed per variant. */
export function traversalKey(snapshot: LifecycleSnapshot): string {
  const c: LifecycleContext = snapshot.context;
  return JSON.stringify([
    snapshot.value,
    c.ready.dependencies,
    c.ready.resources,
    c.startRequested,
    c.restartTimes.length,
    c.healthFailures,
    c.instanceGone,
    c.backoffElapsed,
  ]);
}

/**
 * Real time fires a state's timers in the order of their delays, which the chart alone does not
 * know. Each entry is a delayed event that can only come after a shorter timer of its state, and
 * tells whether that one has fired. In RESTARTING the backoff (at most `backoff.maxMs`) always
 * ends before `stopTimeoutMs` under the variants.
 */
export const LATER_TIMERS: Record<string, (context: LifecycleContext) => boolean> = {
  "xstate.after.stopTimeout.lifecycle.RESTARTING": (context) => context.backoffElapsed,
};

function feasible(snapshot: LifecycleSnapshot, event: AnyEventObject): boolean {
  return LATER_TIMERS[event.type]?.(snapshot.context) ?? true;
}

/**
 * Under contention the other holder takes the unit back as soon as the daemon releases it, which
 * the rig does once a step is over; a start remembered while STOPPING would ask for the unit in
 * the same step (STOPPED --always--> PENDING), before the rig can. The uncontended variants
 * cover that transition.
 */
function feasibleIn(variant: Variant) {
  return (snapshot: LifecycleSnapshot, event: AnyEventObject): boolean =>
    feasible(snapshot, event) &&
    !(
      variant.contended &&
      valueOf(snapshot) === "STOPPING" &&
      (event.type === "START" || event.type === "RESTART")
    );
}

export interface ModelStep {
  event: AnyEventObject;
  /** The model's snapshot before and after the event, with its exact context. */
  before: LifecycleSnapshot;
  after: LifecycleSnapshot;
  /** The chart transitions the event takes, in order: the event's own, then eventless ones. */
  hops: Hop[];
}

export interface ModelPath {
  variant: Variant;
  steps: ModelStep[];
}

export const valueOf = (snapshot: LifecycleSnapshot): LifecycleState =>
  stateOf(snapshot.value) ?? "PENDING";

/** Runs `events` through the pure machine, keeping each step's exact snapshots and transitions. */
export function simulate(variant: Variant, events: readonly AnyEventObject[]): ModelPath {
  let [snapshot] = initialTransition(daemonLifecycleMachine, modelInput(variant));
  const steps: ModelStep[] = [];
  for (const event of events) {
    const { after, hops } = takeEvent(snapshot, event);
    steps.push({ event, before: snapshot, after, hops });
    snapshot = after;
  }
  return { variant, steps };
}

/** A path found by the traversal: its events and the chart transitions they take. */
export interface Candidate {
  variant: Variant;
  events: AnyEventObject[];
  hops: Hop[];
}

/** Takes `event` in the pure machine: the next snapshot, and the chart transitions on the way. */
function takeEvent(snapshot: LifecycleSnapshot, event: AnyEventObject) {
  const hops: Hop[] = [];
  let after = snapshot;
  getMicrosteps(daemonLifecycleMachine, snapshot, event as never).forEach(([next], index) => {
    const [from, to] = [valueOf(after), valueOf(next)];
    // The first microstep is the event's own transition; the rest are eventless.
    if (to !== from) hops.push({ from, event: index === 0 ? event.type : ALWAYS, to });
    after = next;
  });
  return { after, hops };
}

/**
 * Candidate paths of one variant: for every edge of the adjacency map that changes the state,
 * the shortest path to its source followed by the edge. Together they take every edge.
 */
export function candidatePaths(variant: Variant): Candidate[] {
  const events = chartEventTypes().flatMap(eventsOfType);
  const options = {
    events: events as never[],
    input: modelInput(variant),
    serializeState: traversalKey,
    filterEvents: feasibleIn(variant),
  };
  const adjacency = getAdjacencyMap(daemonLifecycleMachine, options);
  const selfHops = new Set([...chartTransitions().values()].filter((h) => h.from === h.to));
  // The guard-relevant key fixes which transitions an event takes, so each edge is run once.
  const edgeHops = (from: LifecycleSnapshot, event: AnyEventObject, to: LifecycleSnapshot) =>
    valueOf(from) !== valueOf(to) ||
    [...selfHops].some((hop) => hop.from === valueOf(from) && hop.event === event.type)
      ? takeEvent(from, event).hops
      : [];
  const prefixes = new Map<string, Pick<Candidate, "events" | "hops">>();
  for (const path of getShortestPaths(daemonLifecycleMachine, options)) {
    const steps = path.steps.slice(1) as { event: AnyEventObject; state: LifecycleSnapshot }[];
    const hops = steps.flatMap((step, i) =>
      edgeHops(i === 0 ? path.steps[0]!.state : steps[i - 1]!.state, step.event, step.state),
    );
    prefixes.set(traversalKey(path.state), { events: steps.map((step) => step.event), hops });
  }
  const candidates = new Map<string, Candidate>();
  for (const [key, { state: from, transitions }] of Object.entries(adjacency)) {
    const prefix = prefixes.get(key);
    if (!prefix) throw new Error(`no shortest path to ${key}`);
    const edges = Object.values(transitions) as {
      event: AnyEventObject;
      state: LifecycleSnapshot;
    }[];
    for (const { event, state: to } of edges) {
      if (traversalKey(to) === key) continue;
      const path = [...prefix.events, event];
      candidates.set(JSON.stringify(path), {
        variant,
        events: path,
        hops: [...prefix.hops, ...edgeHops(from, event, to)],
      });
    }
  }
  return [...candidates.values()];
}

/** Greedily picks paths until they take every transition any candidate takes; shortest first. */
export function coveringPaths(candidates: readonly Candidate[]): Candidate[] {
  const covered = new Set<string>();
  const chosen: Candidate[] = [];
  const keys = new Map(candidates.map((c) => [c, [...new Set(c.hops.map(hopKey))]]));
  for (;;) {
    let best: Candidate | undefined;
    let bestGain = 0;
    for (const candidate of candidates) {
      const gain = keys.get(candidate)!.filter((key) => !covered.has(key)).length;
      const shorter = best !== undefined && candidate.events.length < best.events.length;
      if (gain > bestGain || (gain > 0 && gain === bestGain && shorter)) {
        best = candidate;
        bestGain = gain;
      }
    }
    if (!best) return chosen;
    chosen.push(best);
    for (const key of keys.get(best)!) covered.add(key);
  }
}

/** The delay, in ms, of a named `delays` entry of the machine, for a context. */
export function delayOf(delay: string, context: LifecycleContext): number {
  const delays = daemonLifecycleMachine.implementations.delays as Record<
    string,
    number | ((args: { context: LifecycleContext; event: AnyEventObject }) => number)
  >;
  const entry = delays[delay] ?? Number(delay);
  return typeof entry === "function" ? entry({ context, event: { type: "" } }) : entry;
}
