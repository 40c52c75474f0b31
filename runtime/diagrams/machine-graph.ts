/**
 * A statechart as a graph of its top-level states, read from the XState machine itself (SPEC §10:
 * diagrams are generated from the machine definitions, never drawn by hand). Every targeted
 * transition of every state node becomes an edge: `on` events, invoke `onDone`/`onError`, `after`
 * delays and eventless `always` transitions, one edge per candidate, labelled with its event and
 * its guard (`CRASHED [restart allowed]`). Transitions without a target only run actions: they
 * change no state and are not drawn. A candidate without a guard after guarded ones is `[else]`.
 *
 * The order is the definition's (states, then each state's transitions as XState lists them), so
 * the same machine always gives the same graph and the diagrams in docs/diagrams/ can be compared.
 */
import type { AnyStateMachine, AnyStateNode } from "xstate";

/** One drawn transition between top-level states. */
export interface ChartEdge {
  from: string;
  to: string;
  /** The event type as the machine has it (`xstate.after.…` for delays), or undefined for `always`. */
  eventType: string | undefined;
  /** What the diagram shows: `STOP`, `startInstance done`, `after backoff`, `[restart due]`. */
  label: string;
}

/** A machine as the diagrams draw it. */
export interface ChartGraph {
  /** The machine's id: "lifecycle", "supervisor". */
  id: string;
  /** The top-level states, in definition order. */
  states: string[];
  initial: string | undefined;
  /** The top-level states of type `final`. */
  finals: string[];
  edges: ChartEdge[];
}

/**
 * The graph of `machine`'s top-level states and the transitions between them. A descendant's
 * transition counts for its top-level state; one that stays inside it is not drawn. A targeted
 * transition on the root applies in every state that does not handle the event itself.
 *
 * @example
 * const graph = machineGraph(daemonLifecycleMachine);
 * graph.states; // ["PENDING", "STARTING", "RUNNING", "STOPPING", "STOPPED", "FAILED", "RESTARTING"]
 * graph.edges.find((edge) => edge.from === "RUNNING" && edge.eventType === "CRASHED")?.label;
 * // "CRASHED [restart allowed]"
 */
export function machineGraph(machine: AnyStateMachine): ChartGraph {
  const root = machine.root;
  const tops = Object.values(root.states) as AnyStateNode[];
  const edges: ChartEdge[] = [];
  for (const top of tops) {
    for (const node of [top, ...descendants(top)]) edges.push(...edgesOf(node, top.key));
  }
  for (const [type, candidates] of root.transitions) {
    for (const top of tops) {
      if (handles(top, type)) continue;
      edges.push(...candidateEdges(root, top.key, type, candidates));
    }
  }
  return {
    id: machine.id,
    states: tops.map((top) => top.key),
    initial: root.initial?.target[0]?.path[0],
    finals: tops.filter((top) => top.type === "final").map((top) => top.key),
    edges,
  };
}

/** Every state node below `node`, depth first, in definition order. */
function descendants(node: AnyStateNode): AnyStateNode[] {
  return (Object.values(node.states) as AnyStateNode[]).flatMap((child) => [
    child,
    ...descendants(child),
  ]);
}

/** Whether `top` or one of its descendants has transitions for `type`. */
function handles(top: AnyStateNode, type: string): boolean {
  return [top, ...descendants(top)].some((node) => node.transitions.has(type));
}

function edgesOf(node: AnyStateNode, from: string): ChartEdge[] {
  const edges: ChartEdge[] = [];
  for (const [type, candidates] of node.transitions) {
    edges.push(...candidateEdges(node, from, type, candidates));
  }
  edges.push(...candidateEdges(node, from, undefined, node.always ?? []));
  return edges;
}

type Candidate = AnyStateNode["transitions"] extends Map<string, (infer T)[]> ? T : never;

/** The edges of one event's candidates, each labelled with the event and its guard. */
function candidateEdges(
  node: AnyStateNode,
  from: string,
  type: string | undefined,
  candidates: readonly Candidate[],
): ChartEdge[] {
  const edges: ChartEdge[] = [];
  const event = type === undefined ? undefined : eventLabel(node, type);
  candidates.forEach((candidate, index) => {
    const guard =
      candidate.guard !== undefined
        ? guardLabel(candidate.guard)
        : candidates.slice(0, index).some((before) => before.guard !== undefined)
          ? "else"
          : undefined;
    const label =
      [event, guard === undefined ? undefined : `[${guard}]`].filter(Boolean).join(" ") || "always";
    for (const target of candidate.target ?? []) {
      const to = target.path[0];
      // Within one top-level state (a child to a sibling): not a transition of this chart.
      if (to === undefined || (to === from && target.path.length > 1)) continue;
      edges.push({ from, to, eventType: type, label });
    }
  });
  return edges;
}

/**
 * An event type as a reader knows it: the invoked actor's name for its done and error events,
 * the delay's name for a delayed event, the type itself otherwise.
 */
function eventLabel(node: AnyStateNode, type: string): string {
  for (const invoke of node.invoke) {
    const src = typeof invoke.src === "string" ? invoke.src : invoke.id;
    if (type === `xstate.done.actor.${invoke.id}`) return `${src} done`;
    if (type === `xstate.error.actor.${invoke.id}`) return `${src} error`;
  }
  const after = node.after.find((entry) => entry.eventType === type);
  if (after !== undefined) {
    return typeof after.delay === "number" ? `after ${after.delay} ms` : `after ${after.delay}`;
  }
  return type;
}

/**
 * A guard in words: a named guard's name split at its capitals (`restartAllowed` → "restart
 * allowed"), `and`/`or`/`not` of guards spelled out; an inline function is just "guard".
 *
 * @example
 * guardLabel(and(["startRequested", "dependenciesReady"])); // "start requested and dependencies ready"
 */
export function guardLabel(guard: unknown): string {
  if (typeof guard === "string") return words(guard);
  if (typeof guard === "function") {
    const parts = (guard as { guards?: unknown[] }).guards;
    if (Array.isArray(parts)) {
      const inner = parts.map(guardLabel);
      if (guard.name === "not") return `not ${inner.join(" and ")}`;
      if (guard.name === "and" || guard.name === "or") return inner.join(` ${guard.name} `);
    }
    return guard.name && guard.name !== "anonymous" ? words(guard.name) : "guard";
  }
  if (typeof guard === "object" && guard !== null && "type" in guard) {
    return words(String((guard as { type: unknown }).type));
  }
  return "guard";
}

/** `restartAllowed` → "restart allowed". */
function words(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}
