/**
 * The model of the lifecycle chart under contention (SPEC §6a; test/support/lifecycle-model.ts):
 * on every path the traversal finds, a daemon that requires resources goes from PENDING to
 * STARTING only after RESOURCES_GRANTED. The replay of these paths on a real DaemonManager is in
 * daemon-lifecycle.model.test.ts.
 */
import { describe, expect, it } from "vitest";
import { VARIANTS, candidatePaths, simulate, type Hop } from "../support/lifecycle-model.ts";

const startsFromPending = (hop: Hop) => hop.from === "PENDING" && hop.to === "STARTING";

describe("the lifecycle model under contention", () => {
  it("waits in PENDING for RESOURCES_GRANTED before every first start", () => {
    const starts = VARIANTS.filter((variant) => variant.contended)
      .flatMap(candidatePaths)
      .filter((candidate) => candidate.hops.some(startsFromPending));
    expect(starts.length).toBeGreaterThan(0);
    for (const { variant, events } of starts) {
      const path = simulate(variant, events);
      const first = path.steps.findIndex((step) => step.hops.some(startsFromPending));
      const before = path.steps.slice(0, first + 1).map((step) => step.event.type);
      expect(before, events.map((event) => event.type).join(" → ")).toContain("RESOURCES_GRANTED");
    }
  });
});
