/**
 * Property tests of the supervisor (SPEC §2, §3): random acyclic dependency graphs, random
 * policies and random fault schedules, run against a real DaemonManager on a SimulatedClock.
 * After every step the supervision invariants must hold; at the end an ordered shutdown must
 * stop everything, dependents before their dependencies. fast-check prints the seed and path
 * of any failure; pass them to `fc.assert` (`{ seed, path }`) to replay it.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import type { RestartPolicy } from "../../machines/daemon-policy.ts";
import type { LifecycleState } from "../../machines/lifecycle-states.ts";
import type { LifecycleEventData } from "../../machines/envelope.ts";
import { Simulation, type FakeDaemon } from "../support/simulated-runtime.ts";
import { mulberry32 } from "../../machines/seeded-random.ts";

/** Runs of the whole property; the file stays well under 30 s. Raise it to soak the runtime. */
const NUM_RUNS = Number(process.env.WARDEN_PROPERTY_RUNS) || 100;

interface DaemonSpec {
  /** Indexes of the daemons it depends on, all lower than its own: the graph is acyclic. */
  dependsOn: number[];
  restart: Extract<RestartPolicy, "always" | "on-failure">;
  maxRestarts: number;
  withinMs: number;
  resetAfterMs: number;
  backoff: { initialMs: number; maxMs: number; factor: number };
  /** Simulated time its start and stop take. */
  startMs: number;
  stopMs: number;
}

type Step =
  | { kind: "crash"; daemon: number }
  | { kind: "failNextStart"; daemon: number }
  | { kind: "stop"; daemon: number }
  | { kind: "start"; daemon: number }
  | { kind: "restart"; daemon: number }
  | { kind: "advance"; ms: number };

/** Some daemons answer at once, most after a short delay, a few past their timeouts. */
const delayMs = fc.oneof(
  { weight: 4, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 400 }) },
  { weight: 1, arbitrary: fc.constant(2_500) },
);

const START_TIMEOUT_MS = 2_000;
const STOP_TIMEOUT_MS = 1_000;

function daemonSpec(index: number): fc.Arbitrary<DaemonSpec> {
  const dependsOn =
    index === 0
      ? fc.constant<number[]>([])
      : fc.uniqueArray(fc.integer({ min: 0, max: index - 1 }), { maxLength: 3 });
  return fc.record({
    dependsOn,
    restart: fc.constantFrom("always" as const, "on-failure" as const),
    maxRestarts: fc.integer({ min: 1, max: 4 }),
    withinMs: fc.integer({ min: 500, max: 20_000 }),
    resetAfterMs: fc.integer({ min: 200, max: 20_000 }),
    backoff: fc
      .record({
        initialMs: fc.integer({ min: 1, max: 200 }),
        extraMs: fc.integer({ min: 0, max: 1_000 }),
        factor: fc.integer({ min: 1, max: 3 }),
      })
      .map(({ initialMs, extraMs, factor }) => ({ initialMs, maxMs: initialMs + extraMs, factor })),
    startMs: delayMs,
    stopMs: delayMs,
  });
}

const graphs: fc.Arbitrary<DaemonSpec[]> = fc
  .integer({ min: 5, max: 30 })
  .chain((size) => fc.tuple(...Array.from({ length: size }, (_, i) => daemonSpec(i))));

/** Daemon indexes are taken modulo the graph's size, so steps shrink independently of it. */
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("crash" as const), daemon: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("failNextStart" as const), daemon: fc.nat() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("stop" as const), daemon: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("start" as const), daemon: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("restart" as const), daemon: fc.nat() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      ms: fc.integer({ min: 0, max: 5_000 }),
    }),
  },
);

const RESTING: ReadonlySet<string> = new Set<LifecycleState>(["PENDING", "STOPPED", "FAILED"]);
/** Restarts that do not count against the intensity limit (SPEC §3). */
const UNCOUNTED = new Set(["manual", "dependency"]);

const nameOf = (index: number) => `d${index}`;

interface Run {
  sim: Simulation;
  specs: DaemonSpec[];
  daemons: FakeDaemon[];
}

function setUp(specs: DaemonSpec[], seed: number): Run {
  const sim = new Simulation({ random: mulberry32(seed) });
  const daemons = specs.map((spec, index) =>
    sim.daemon(
      nameOf(index),
      { startMs: spec.startMs, stopMs: spec.stopMs },
      {
        dependsOn: spec.dependsOn.map(nameOf),
        restart: spec.restart,
        maxRestarts: spec.maxRestarts,
        withinMs: spec.withinMs,
        resetAfterMs: spec.resetAfterMs,
        backoff: spec.backoff,
        startTimeoutMs: START_TIMEOUT_MS,
        stopTimeoutMs: STOP_TIMEOUT_MS,
      },
    ),
  );
  return { sim, specs, daemons };
}

/** Applies one step; calls whose promises never settle (a FAILED dependency) are left alone. */
async function apply(run: Run, action: Step): Promise<void> {
  const { sim, daemons, specs } = run;
  if (action.kind === "advance") return sim.advance(action.ms);
  const index = action.daemon % specs.length;
  const name = nameOf(index);
  const ignore = () => {};
  switch (action.kind) {
    case "crash":
      if (sim.state(name) === "RUNNING") daemons[index]!.ctx!.fail(new Error("injected crash"));
      break;
    case "failNextStart":
      daemons[index]!.script.failNextStart = true;
      break;
    case "stop":
      sim.manager.stop(name).catch(ignore);
      break;
    case "start":
      sim.manager.start(name).catch(ignore);
      break;
    case "restart":
      sim.manager.restart(name).catch(ignore);
      break;
  }
  await sim.settle();
}

function describeStates(run: Run): string {
  return run.specs
    .map((spec, i) => `${nameOf(i)}=${run.sim.state(nameOf(i))}<-[${spec.dependsOn.map(nameOf)}]`)
    .join(" ");
}

/** (a) SPEC §3: no daemon is STARTING or RUNNING while one of its dependencies is not RUNNING. */
function checkDependencyInvariant(run: Run, when: string): void {
  run.specs.forEach((spec, index) => {
    const state = run.sim.state(nameOf(index));
    if (state !== "STARTING" && state !== "RUNNING") return;
    for (const dep of spec.dependsOn) {
      const depState = run.sim.state(nameOf(dep));
      if (depState !== "RUNNING") {
        throw new Error(
          `${when}: ${nameOf(index)} is ${state} while its dependency ${nameOf(dep)} is ${depState}\n` +
            describeStates(run),
        );
      }
    }
  });
}

/**
 * (b) The intensity limit: between two resets of the counter (a start from PENDING), no daemon
 * has more than maxRestarts counted restarts within any withinMs window, and the intensity
 * limit sends it to FAILED exactly when one more restart would exceed it.
 */
function checkIntensity(run: Run, when: string): void {
  const windows = new Map<string, number[]>();
  for (const event of run.sim.events) {
    const data = event.data as LifecycleEventData;
    if (!event.type.startsWith("DAEMON_")) continue;
    const spec = run.specs[Number(data.daemon.slice(1))]!;
    const inWindow = () =>
      (windows.get(data.daemon) ?? []).filter((time) => event.time - time < spec.withinMs);
    if (event.type === "DAEMON_STARTING" && data.from === "PENDING") windows.set(data.daemon, []);
    if (event.type === "DAEMON_RESTARTING" && !UNCOUNTED.has(data.reason ?? "")) {
      const times = [...inWindow(), event.time];
      windows.set(data.daemon, times);
      if (times.length > spec.maxRestarts) {
        throw new Error(
          `${when}: ${data.daemon} made ${times.length} counted restarts within ${spec.withinMs} ms ` +
            `(maxRestarts ${spec.maxRestarts}) at ${times.join(", ")}`,
        );
      }
    }
    if (event.type === "DAEMON_FAILED" && data.reason === "intensity") {
      const count = inWindow().length;
      if (count !== spec.maxRestarts) {
        throw new Error(
          `${when}: ${data.daemon} FAILED for intensity at ${event.time} with ${count} restarts ` +
            `within ${spec.withinMs} ms (maxRestarts ${spec.maxRestarts})`,
        );
      }
    }
  }
}

/**
 * (c) stopAll() stops every daemon that is not FAILED, starts none, and stops in reverse
 * dependency order: for every edge dependent → dependency where the dependency was RUNNING and
 * the dependent active (STARTING, RUNNING, STOPPING or RESTARTING) when shutdown began, the
 * dependency's DAEMON_STOPPING comes after the dependent's DAEMON_STOPPED. This includes the
 * case of both RUNNING. (A dependency that was not RUNNING serves no one and may go first.)
 */
async function checkShutdown(run: Run): Promise<void> {
  const { sim, specs } = run;
  const before = specs.map((_, i) => sim.state(nameOf(i)));
  const since = sim.events.length;
  await sim.run(sim.manager.stopAll(), 120_000, 500);
  const shutdown = sim.events.slice(since);
  const trail = () => `\n${describeStates(run)}\n${sim.trail(since).join("\n")}`;
  const firstIndex = (daemon: string, type: string) =>
    shutdown.findIndex(
      (event) => event.type === type && (event.data as LifecycleEventData).daemon === daemon,
    );

  const starting = shutdown.filter((event) => event.type === "DAEMON_STARTING");
  if (starting.length > 0) {
    throw new Error(`a daemon was started during shutdown:${trail()}`);
  }
  specs.forEach((spec, index) => {
    const name = nameOf(index);
    const expected = before[index] === "FAILED" ? "FAILED" : "STOPPED";
    if (sim.state(name) !== expected) {
      throw new Error(`${name} is ${sim.state(name)} after stopAll(), not ${expected}:${trail()}`);
    }
    if (RESTING.has(before[index]!)) return;
    const stopped = firstIndex(name, "DAEMON_STOPPED");
    if (stopped < 0)
      throw new Error(`${name} (${before[index]}) never reported STOPPED:${trail()}`);
    for (const dep of spec.dependsOn) {
      if (before[dep] !== "RUNNING") continue;
      const depName = nameOf(dep);
      const depStopping = firstIndex(depName, "DAEMON_STOPPING");
      if (depStopping < stopped) {
        throw new Error(
          `${depName} (RUNNING) ${depStopping < 0 ? "never stopped" : "began stopping"} before ` +
            `its dependent ${name} (${before[index]}) had stopped:${trail()}`,
        );
      }
    }
  });
}

describe("supervisor under random graphs, policies and faults", () => {
  it(
    "keeps the dependency invariant and the intensity limit, and shuts down in order",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          graphs,
          fc.array(step, { minLength: 1, maxLength: 40, size: "max" }),
          fc.integer(),
          async (specs, steps, seed) => {
            const run = setUp(specs, seed);
            try {
              // Daemons whose start outlives its timeout may never run: give the start 10 s.
              let started = false;
              const settled = () => (started = true);
              run.sim.manager.startAll().then(settled, settled);
              for (let ms = 0; !started && ms < 10_000; ms += 500) {
                await run.sim.advance(500);
                checkDependencyInvariant(run, `starting, at ${run.sim.clock.now()} ms`);
                checkIntensity(run, `starting, at ${run.sim.clock.now()} ms`);
              }
              for (const [i, action] of steps.entries()) {
                await apply(run, action);
                const when = `after step ${i} ${JSON.stringify(action)} at ${run.sim.clock.now()} ms`;
                checkDependencyInvariant(run, when);
                checkIntensity(run, when);
              }
              await checkShutdown(run);
              checkIntensity(run, "after shutdown");
            } finally {
              await run.sim.close();
            }
          },
        ),
        { numRuns: NUM_RUNS },
      );
    },
    Math.max(30_000, NUM_RUNS * 50),
  );
});
