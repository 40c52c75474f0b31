/**
 * Test support shared by the DaemonManager tests (test/runtime/manager/daemon-manager.*.test.ts):
 * simulations closed after each test, the error code a call fails with, and a fast backoff.
 */
import { afterEach } from "vitest";
import { isWardenError, type WardenErrorCode } from "../../machines/errors.ts";
import { Simulation } from "./simulated-runtime.ts";

/**
 * Call at the top of a test file; each call of the returned function makes a fresh simulation,
 * closed after the test.
 */
export function simulationPerTest(): (
  ...args: ConstructorParameters<typeof Simulation>
) => Simulation {
  const simulations: Simulation[] = [];
  afterEach(async () => {
    for (const sim of simulations.splice(0)) await sim.close();
  });
  return (...args) => {
    const sim = new Simulation(...args);
    simulations.push(sim);
    return sim;
  };
}

/** The code of the WardenError `fn` throws or rejects with. */
export async function codeOf(fn: () => unknown): Promise<WardenErrorCode | string> {
  try {
    await fn();
  } catch (error) {
    return isWardenError(error) ? error.code : `not a WardenError: ${String(error)}`;
  }
  return "nothing thrown";
}

/** Backoff with random 0.5 (the Simulation's default): the n-th delay is initialMs × 2^(n−2). */
export const FAST = { backoff: { initialMs: 200, maxMs: 10_000, factor: 2 } };
