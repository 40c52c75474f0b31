import { createActor } from "xstate";
import { describe, expect, it } from "vitest";
import { daemonLifecycleMachine } from "../../machines/daemon-lifecycle.ts";
import { resolvePolicy } from "../../machines/daemon-policy.ts";

/**
 * V8 keeps an object built by `Object.assign({}, context, update)` in fast mode only up to 19
 * properties; at 20 every `assign` of the lifecycle machine goes through dictionary mode and
 * 100,000 daemons cost far more (BENCHMARKS.md (a)). New fields belong in `env`, `policy` or
 * `exit`, not at the top level.
 */
describe("lifecycle context", () => {
  it("has at most 19 top-level fields", () => {
    const actor = createActor(daemonLifecycleMachine, {
      input: { name: "d", policy: resolvePolicy({}), now: () => 0, dependenciesReady: true },
    });
    const fields = Object.keys(actor.getSnapshot().context);
    expect(fields.length, `fields: ${fields.join(", ")}`).toBeLessThanOrEqual(19);
  });
});
