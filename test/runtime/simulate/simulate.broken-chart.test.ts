/**
 * The simulator catches a broken lifecycle chart (SPEC §12): the real chart with one guard or
 * delay replaced through `.provide()`, run by the real manager, and the invariant it breaks
 * named in the first violation, with when it happened. Likewise a broken root supervisor.
 */
import { describe, expect, it } from "vitest";
import { enqueueActions } from "xstate";
import { daemonLifecycleMachine } from "../../../machines/daemon-lifecycle.ts";
import { supervisorMachine } from "../../../machines/supervisor.ts";
import { simulateRun, violationsOf } from "./simulate-harness.ts";

/** A crash a second on average: every daemon hits its intensity limit within a minute. */
const CRASH_LOOP = "none,crash=3600";

describe("warden simulate: a broken chart is caught", () => {
  it("the real chart passes the same runs (the control)", async () => {
    const loop = await simulateRun({ seed: 11, duration: "5m", faults: CRASH_LOOP });
    expect(violationsOf(loop)).toEqual([]);
    const hangs = await simulateRun({ seed: 11, duration: "1h", faults: "none,crash=4,hang=2" });
    expect(violationsOf(hangs)).toEqual([]);
  });

  it("a chart that always allows a restart breaks restart-intensity", async () => {
    const broken = daemonLifecycleMachine.provide({ guards: { restartAllowed: () => true } });
    const result = await simulateRun({
      seed: 11,
      duration: "5m",
      faults: CRASH_LOOP,
      lifecycleMachine: broken,
    });
    const first = result.invariants.violations[0];
    expect(first?.invariant).toBe("restart-intensity");
    expect(first?.message).toMatch(/restarted 6 times within 60000 ms; maxRestarts is 5/);
    expect(first?.at).toBeGreaterThan(0);
    expect(result.failed).toBe(0); // nothing ever gave up
  });

  it("a chart that never allows a restart breaks failed-by-rules", async () => {
    const broken = daemonLifecycleMachine.provide({ guards: { restartAllowed: () => false } });
    const result = await simulateRun({
      seed: 11,
      duration: "5m",
      faults: CRASH_LOOP,
      lifecycleMachine: broken,
    });
    const first = result.invariants.violations[0];
    expect(first?.invariant).toBe("failed-by-rules");
    expect(first?.message).toMatch(/became FAILED \(reason "intensity"\) after 0 counted restarts/);
  });

  it("a chart that restarts without waiting for its dependencies breaks dependencies-running", async () => {
    const broken = daemonLifecycleMachine.provide({
      guards: {
        restartDue: ({ context }) => context.instanceGone && context.backoffElapsed,
      },
    });
    const result = await simulateRun({
      seed: 11,
      duration: "1h",
      faults: "none,crash=2",
      lifecycleMachine: broken,
    });
    const first = result.invariants.violations[0];
    expect(first?.invariant).toBe("dependencies-running");
    expect(first?.message).toMatch(
      /is (STARTING|RUNNING) while its dependency \S+ is (RESTARTING|STARTING|STOPPING|STOPPED|FAILED|PENDING)/,
    );
  });

  it("a chart that ignores its backoff breaks backoff-bounds", async () => {
    const broken = daemonLifecycleMachine.provide({ delays: { backoff: 0 } });
    const result = await simulateRun({
      seed: 11,
      duration: "1h",
      faults: "none,crash=2",
      lifecycleMachine: broken,
    });
    const first = result.invariants.violations[0];
    expect(first?.invariant).toBe("backoff-bounds");
    expect(first?.message).toMatch(
      /started again \d+ ms after its restart, before its \d+ ms backoff/,
    );
  });

  it("a supervisor that stops everything at once at shutdown breaks stop-order", async () => {
    // The real book's order is bypassed: every daemon is told to STOP in the same step.
    const broken = supervisorMachine.provide({
      actions: {
        beginShutdown: enqueueActions(({ context, system, enqueue }) => {
          context.book.beginShutdown();
          const names = [
            ...(context.book as unknown as { entries: Map<string, unknown> }).entries.keys(),
          ];
          for (const name of names) {
            const daemon = system.get(name);
            if (daemon) enqueue.sendTo(daemon, { type: "STOP" });
          }
        }),
      },
    });
    const control = await simulateRun({ seed: 11, duration: "10m", faults: "none" });
    expect(violationsOf(control)).toEqual([]);
    const result = await simulateRun({
      seed: 11,
      duration: "10m",
      faults: "none",
      supervisorMachine: broken,
    });
    const first = result.invariants.violations[0];
    expect(first?.invariant).toBe("stop-order");
    expect(first?.message).toMatch(
      /^\S+ began to stop while its dependent \S+ was (RUNNING|STOPPING)$/,
    );
  });
});
