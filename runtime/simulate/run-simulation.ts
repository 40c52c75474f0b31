/**
 * One simulation run (SPEC §12): the real DaemonManager — supervisor, group supervisors,
 * lifecycle charts, drivers, bus — on a SimulationClock, with a simulated daemon for each daemon
 * of the plan, faults from the seed, and the invariants checked as it goes. The clock jumps from
 * one timer to the next; after each, the promises that follow from it settle before the next
 * timer fires, as they would on a real clock (step-driver.ts).
 */
import { WardenError } from "../../machines/errors.ts";
import type { Envelope } from "../../machines/envelope.ts";
import { DaemonManager, type DaemonManagerOptions } from "../manager/daemon-manager.ts";
import type { Selection } from "../config/select-daemons.ts";
import type { WardenConfig } from "../config/types.ts";
import { StatsBook, type DaemonStats } from "./daemon-stats.ts";
import { scheduleDependencyLoss } from "./dependency-loss.ts";
import { EventLog, type LogDifference, type SimulationInputs } from "./event-log.ts";
import { FAULT_KINDS, formatFaults, type FaultKind, type FaultRates } from "./fault-spec.ts";
import { InvariantMonitor } from "./invariant-monitor.ts";
import type { Violation } from "./invariants.ts";
import { seededStream } from "../../machines/seeded-random.ts";
import { SimulationClock } from "./sim-clock.ts";
import { drive, turn } from "./step-driver.ts";
import { simulatedDaemon } from "./simulated-daemon.ts";
import { planSimulation } from "./simulation-plan.ts";
import { FAULT_EVENT, Timeline } from "./timeline.ts";

/** Where simulated time begins: 2026-01-01T00:00:00Z, so that the log's times read as dates. */
export const SIMULATION_EPOCH = Date.UTC(2026, 0, 1);

/** How long the ordered shutdown may take, in simulated time, before the run calls it stuck. */
const SHUTDOWN_LIMIT_MS = 3_600_000;

export interface SimulationOptions {
  config: WardenConfig;
  selection: Selection;
  seed: number;
  durationMs: number;
  faults: FaultRates;
  /** What the log's header records (the seed, duration and faults are taken from above). */
  inputs: Omit<SimulationInputs, "seed" | "duration" | "faults"> & { duration: string };
  /** Keep the log's lines (`--events`). */
  keepLog?: boolean;
  /** The lines of a log to compare the run with (`--replay`). */
  expected?: readonly string[];
  /** Build the timeline for people. */
  timeline?: boolean;
  /** Different charts: the simulator's tests pass broken ones (DaemonManagerOptions.machines). */
  machines?: DaemonManagerOptions["machines"];
  /** Told of the manager once its daemons are registered, before anything starts (`--inspect`). */
  onManager?: (manager: DaemonManager) => void | Promise<void>;
  /** Waits before the timer due at simulated `due` fires: `--inspect` paces the run (inspect-server.ts). */
  pace?: (due: number) => Promise<void>;
}

export interface SimulationResult {
  seed: number;
  durationMs: number;
  daemons: string[];
  events: number;
  faults: Record<FaultKind, number>;
  restarts: number;
  failed: number;
  /** The critical daemon whose failure shut the manager down (SPEC §2), if one did. */
  escalatedBy: string | undefined;
  invariants: { checked: number; violations: Violation[] };
  digest: string;
  /** Per daemon: time in each state, restarts, failures, downtime. */
  stats: Map<string, DaemonStats>;
  /** Steps: instants at which timers fired. */
  steps: number;
  /** The log's lines, when kept. */
  log: string[] | undefined;
  /** The first difference from the replayed log, if any. */
  difference: LogDifference | undefined;
  timeline: Timeline | undefined;
}

/**
 * Runs one simulation to its end and its ordered shutdown.
 *
 * @example
 * const result = await runSimulation({ config: { catalog: "ringrift", daemons: {} }, selection: {},
 *   seed: 7, durationMs: 3_600_000, faults: DEFAULT_FAULTS, inputs: { catalog: "ringrift", duration: "1h" } });
 * result.invariants.violations; // []
 */
export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const plan = planSimulation(options.config, options.selection);
  const names = plan.daemons.map((daemon) => daemon.name);
  const clock = new SimulationClock(SIMULATION_EPOCH);
  const faultRandom = seededStream(options.seed, "faults");
  const { faults: rates } = options;
  const inputs: SimulationInputs = {
    ...options.inputs,
    seed: options.seed,
    faults: formatFaults(rates),
  };
  const log = new EventLog(inputs, { keep: options.keepLog === true, expected: options.expected });
  const stats = new StatsBook(names, SIMULATION_EPOCH);
  const timeline = options.timeline ? new Timeline(SIMULATION_EPOCH, names.length) : undefined;
  const faultCounts = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<
    FaultKind,
    number
  >;
  /** The critical daemon whose failure shut the manager down, and whether that shutdown is over. */
  let escalatedBy: string | undefined;
  let escalationDone = false;
  const critical = new Set(plan.daemons.filter((d) => d.policy.critical).map((d) => d.name));
  let restarts = 0;
  let failed = 0;

  const manager = new DaemonManager({
    clock,
    random: seededStream(options.seed, "jitter"),
    eventIdPrefix: "sim",
    captureEscapedErrors: false,
    resources: plan.resources,
    ...(options.machines ? { machines: options.machines } : {}),
  });
  const stateOf = (name: string) => manager.stateOf(name);
  const monitor = new InvariantMonitor(plan, manager, SIMULATION_EPOCH);
  const hasDependents = new Set(plan.daemons.flatMap((d) => d.dependsOn));
  const subscription = manager.events$.subscribe((event: Envelope) => {
    log.append(event);
    monitor.observe(event);
    stats.observe(event);
    timeline?.observe(event);
    if (event.type === "DAEMON_RESTARTING") restarts++;
    if (event.type === "DAEMON_FAILED") {
      failed++;
      const name = (event.data as { daemon: string }).daemon;
      // A critical daemon's failure shuts everything down in order (SPEC §2): the shutdown rules apply.
      if (critical.has(name) && escalatedBy === undefined) {
        escalatedBy = name;
        monitor.shuttingDown = true;
        stats.shutdown(event.time);
        timeline?.escalation(name, event.time);
      }
    }
  });
  manager.escalated$.subscribe(() => (escalationDone = true));
  const onFault = (daemon: string, kind: FaultKind, detail: string) => {
    faultCounts[kind]++;
    manager.bus.publish(FAULT_EVENT, { daemon, kind, detail }, "simulator");
  };

  for (const daemon of plan.daemons) {
    const implementation = simulatedDaemon({
      name: daemon.name,
      clock,
      random: faultRandom,
      rates,
      policy: daemon.policy,
      heartbeatMs: daemon.heartbeatMs,
      onFault,
    });
    manager.register(daemon.name, implementation, daemon.options);
  }
  scheduleDependencyLoss({
    names: names.filter((name) => hasDependents.has(name)),
    perHour: rates["dep-loss"],
    clock,
    random: faultRandom,
    stateOf,
    stop: (name) => manager.stop(name),
    start: (name) => manager.start(name),
    onFault: (daemon, detail) => onFault(daemon, "dep-loss", detail),
    active: () => !monitor.shuttingDown,
  });

  await options.onManager?.(manager);
  const afterStep = () => monitor.afterStep(clock.now());
  const end = SIMULATION_EPOCH + options.durationMs;
  // A start that meets a FAILED daemon rejects; the run goes on, as `warden up` does.
  manager.startMany(names).catch(() => {});
  let steps = await drive({
    clock,
    limit: end,
    afterStep,
    done: () => escalationDone,
    pace: options.pace,
  });
  if (escalatedBy === undefined) {
    clock.fireDue(end);
    monitor.shuttingDown = true;
    stats.shutdown(clock.now());
    timeline?.shutdown(clock.now());
  }
  let stopped = false;
  manager.stopAll().then(() => (stopped = true));
  steps += await drive({
    clock,
    limit: end + SHUTDOWN_LIMIT_MS,
    afterStep,
    done: () => stopped,
    pace: options.pace,
  });
  monitor.afterShutdown(clock.now());
  timeline?.stopped(clock.now());
  // A run cut short by an escalation still spans its duration: its daemons rest until the end.
  const finishedAt = Math.max(clock.now(), end);
  let closed = false;
  manager.close().then(() => (closed = true));
  for (let guard = 0; !closed && guard < 1000; guard++) {
    await turn();
    const due = clock.nextDue();
    if (due !== undefined) clock.fireDue(due);
  }
  subscription.unsubscribe();
  if (!closed)
    throw new WardenError("WARDEN_ERR_MANAGER_CLOSED", "the simulated manager did not close");

  return {
    seed: options.seed,
    durationMs: options.durationMs,
    daemons: names,
    events: log.events,
    faults: faultCounts,
    restarts,
    failed,
    escalatedBy,
    invariants: { checked: monitor.log.checked, violations: monitor.log.violations },
    digest: log.finish(),
    stats: stats.finish(finishedAt),
    steps,
    log: log.lines,
    difference: log.difference,
    timeline,
  };
}
