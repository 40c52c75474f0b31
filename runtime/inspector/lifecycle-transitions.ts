/**
 * The transitions of the daemon lifecycle chart (SPEC §2), read from the machine definition
 * itself so that the inspector's chart can never drift from the code: one edge per pair of
 * states, labelled with every event (and guard) that takes it.
 */
import type { AnyStateMachine } from "xstate";
import { daemonLifecycleMachine } from "../../machines/daemon-lifecycle.ts";

export interface ChartEdge {
  from: string;
  to: string;
  /** One line per event that takes the edge, e.g. `CRASHED [restartAllowed]`. */
  labels: string[];
}

/**
 * The states (in definition order) and the edges between them of `machine` (the daemon
 * lifecycle by default). Transitions that stay in their state (`HEARTBEAT`) are left out.
 *
 * @example
 * lifecycleChart().edges.find((edge) => edge.from === "RUNNING" && edge.to === "STOPPING");
 * // { from: "RUNNING", to: "STOPPING", labels: ["STOP", "DEPENDENCY_LOST"] }
 */
export function lifecycleChart(machine: AnyStateMachine = daemonLifecycleMachine): {
  states: string[];
  edges: ChartEdge[];
} {
  const edges = new Map<string, ChartEdge>();
  const add = (from: string, to: string, label: string) => {
    const key = `${from}\u0000${to}`;
    const edge = edges.get(key) ?? { from, to, labels: [] };
    if (!edge.labels.includes(label)) edge.labels.push(label);
    edges.set(key, edge);
  };
  const states = Object.keys(machine.root.states);
  for (const [from, node] of Object.entries(machine.root.states)) {
    const sources = node.invoke
      .map((invoke) => invoke.src)
      .filter((src) => typeof src === "string");
    const transitions = [
      ...[...node.transitions.entries()].flatMap(([event, list]) =>
        list.map((transition) => ({ event, transition })),
      ),
      ...(node.always ?? []).map((transition) => ({ event: "always", transition })),
    ];
    for (const { event, transition } of transitions) {
      const to = transition.target?.[0]?.key;
      if (to === undefined || to === from) continue;
      add(from, to, labelOf(event, transition.guard, sources[0]));
    }
  }
  return { states, edges: [...edges.values()] };
}

/** `CRASHED [restartAllowed]`, `after startTimeout`, `startInstance done`. */
function labelOf(event: string, guard: unknown, source: string | undefined): string {
  const after = /^xstate\.after\.([^.]+)\./.exec(event)?.[1];
  const done = /^xstate\.(done|error)\.actor\./.exec(event)?.[1];
  const name =
    after !== undefined
      ? `after ${after}`
      : done !== undefined
        ? `${source ?? "instance"} ${done === "done" ? "done" : "failed"}`
        : event;
  const guardName = guardNameOf(guard);
  return guardName === undefined ? name : `${name} [${guardName}]`;
}

/** A named guard's name; `and([...])` and inline guards have none worth showing. */
function guardNameOf(guard: unknown): string | undefined {
  if (typeof guard === "string") return guard;
  const type = (guard as { type?: unknown } | undefined)?.type;
  return typeof type === "string" ? type : undefined;
}
