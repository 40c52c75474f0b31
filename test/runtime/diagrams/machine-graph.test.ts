/**
 * The statecharts as the diagrams read them (runtime/diagrams/machine-graph.ts): every transition
 * of the machine, and nothing else. The lifecycle chart is checked against the model-based
 * tests' own reading of the machine (test/support/lifecycle-model.ts), which walks it another
 * way, and against the table of SPEC §2; a made-up machine shows each kind of transition and
 * guard, and that a changed machine changes the diagram.
 */
import { describe, expect, it } from "vitest";
import { and, fromPromise, not, setup } from "xstate";
import { daemonLifecycleMachine } from "../../../machines/daemon-lifecycle.ts";
import { LIFECYCLE_STATES } from "../../../machines/lifecycle-states.ts";
import { supervisorMachine } from "../../../machines/supervisor.ts";
import { chartMermaid } from "../../../runtime/diagrams/chart-formats.ts";
import { machineGraph, type ChartGraph } from "../../../runtime/diagrams/machine-graph.ts";
import { ALWAYS, chartTransitions } from "../../support/lifecycle-model.ts";

const shown = (graph: ChartGraph) => graph.edges.map((e) => `${e.from} --> ${e.to} : ${e.label}`);

describe("the lifecycle chart's graph", () => {
  const graph = machineGraph(daemonLifecycleMachine);

  it("has exactly the seven states of SPEC §2, starting in PENDING", () => {
    expect(graph.states).toEqual([...LIFECYCLE_STATES]);
    expect(graph.initial).toBe("PENDING");
    expect(graph.finals).toEqual([]);
  });

  it("has every transition the model-based tests find in the machine, and no other", () => {
    const fromModel = [...chartTransitions().values()].map((h) => `${h.from} ${h.event} ${h.to}`);
    const drawn = graph.edges.map((e) => `${e.from} ${e.eventType ?? ALWAYS} ${e.to}`);
    expect(new Set(drawn)).toEqual(new Set(fromModel));
    // One edge per candidate: a (state, event, target) is never drawn twice.
    expect(drawn).toHaveLength(new Set(drawn).size);
  });

  it("labels each transition with its event and guard, as SPEC §2's table has them", () => {
    expect(shown(graph)).toEqual(
      expect.arrayContaining([
        "PENDING --> STARTING : [start requested and dependencies ready and resources granted]",
        "PENDING --> STOPPED : STOP",
        "PENDING --> FAILED : RESUME_FAILED",
        "STARTING --> RUNNING : startInstance done",
        "STARTING --> RESTARTING : startInstance error [restart allowed]",
        "STARTING --> FAILED : after startTimeout [else]",
        "STARTING --> STOPPING : STOP",
        "RUNNING --> STOPPING : STOP",
        "RUNNING --> RESTARTING : CRASHED [restart allowed]",
        "RUNNING --> FAILED : CRASHED [else]",
        "RUNNING --> RESTARTING : HEALTH_RESULT [health threshold reached and restart allowed]",
        "RUNNING --> RESTARTING : HEARTBEAT_MISSED [restart allowed]",
        "RUNNING --> RESTARTING : DEPENDENCY_LOST [restarts with dependency]",
        "RUNNING --> STOPPED : EXITED [clean exit stops]",
        "RUNNING --> RESTARTING : RESTART",
        "STOPPING --> STOPPED : stopInstance done",
        "STOPPING --> STOPPED : after stopTimeout",
        "RESTARTING --> STARTING : [restart due]",
        "RESTARTING --> STOPPED : STOP",
        "FAILED --> PENDING : START",
        "STOPPED --> PENDING : RESTART",
        "FAILED --> PENDING : after retryFailedAfter [cool down enabled]",
      ]),
    );
  });

  it("draws no transition that only runs actions", () => {
    expect(graph.edges.some((e) => e.eventType === "HEARTBEAT")).toBe(false);
    expect(graph.edges.some((e) => e.from === "FAILED" && e.eventType === "STOP")).toBe(false);
  });
});

describe("the supervisor chart's graph", () => {
  it("is the root supervisor's states and transitions, `escalated` final", () => {
    const graph = machineGraph(supervisorMachine);
    expect(graph.states).toEqual(["idle", "supervising", "shuttingDown", "escalated"]);
    expect(graph.initial).toBe("idle");
    expect(graph.finals).toEqual(["escalated"]);
    expect(shown(graph)).toEqual([
      "idle --> supervising : START",
      "idle --> supervising : RESTART",
      "idle --> shuttingDown : SHUTDOWN",
      "supervising --> shuttingDown : SHUTDOWN",
      "supervising --> shuttingDown : DAEMON.TRANSITION [critical failure]",
      "shuttingDown --> escalated : [quiescent and escalating]",
      "shuttingDown --> idle : [quiescent]",
    ]);
  });
});

/** A made-up machine with one transition of each kind; `extra` adds one more. */
function toyMachine(extra = false) {
  return setup({
    actors: { work: fromPromise(async () => 1) },
    guards: { isReady: () => true, isLate: () => false },
  }).createMachine({
    id: "toy",
    initial: "a",
    on: { RESET: { target: ".a" } },
    states: {
      a: {
        on: {
          GO: [{ guard: not("isLate"), target: "b" }, { target: "c" }],
          ...(extra ? { JUMP: { target: "c" } } : {}),
        },
      },
      b: {
        initial: "inner",
        invoke: { src: "work", onDone: "c", onError: { guard: "isLate", target: "a" } },
        states: { inner: { on: { NEXT: "other" } }, other: { after: { 500: "#toy.c" } } },
      },
      c: {
        always: { guard: and(["isReady", { type: "isLate" }]), target: "done" },
        on: { RESET: { target: "c", reenter: true } },
      },
      done: { type: "final" },
    },
  });
}

describe("machineGraph on any machine", () => {
  it("reads on, invoke done/error, after, always, nested states and root transitions", () => {
    const graph = machineGraph(toyMachine());
    expect(graph).toMatchObject({ id: "toy", initial: "a", finals: ["done"] });
    expect(graph.states).toEqual(["a", "b", "c", "done"]);
    expect(shown(graph)).toEqual([
      "a --> b : GO [not is late]",
      "a --> c : GO [else]",
      "b --> c : work done",
      "b --> a : work error [is late]",
      "b --> c : after 500 ms",
      "c --> c : RESET",
      "c --> done : [is ready and is late]",
      // The root's RESET applies where no state handles it (c does, itself).
      "a --> a : RESET",
      "b --> a : RESET",
      "done --> a : RESET",
    ]);
  });

  it("changes when the machine does", () => {
    const before = chartMermaid(machineGraph(toyMachine()));
    const after = chartMermaid(machineGraph(toyMachine(true)));
    expect(after).not.toBe(before);
    expect(after).toContain("    a --> c : JUMP\n");
  });
});
