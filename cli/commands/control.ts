import type { LifecycleState } from "../../machines/lifecycle-states.ts";
import type { DaemonStatus } from "../../runtime/manager/daemon-manager.ts";
import { DEFAULTS } from "../../machines/defaults.ts";
import { WardenError, isWardenError } from "../../machines/errors.ts";
import {
  CONTROL_API_DAEMON,
  checkSelection,
  chosenDaemons,
  type ControlSelection,
} from "../control-selection.ts";
import type { CliIO } from "../io.ts";
import { locateManager, type ConnectionOptions } from "../locate-manager.ts";
import { ManagerClient, type ManagerStatus } from "../manager-client.ts";
import { paintState } from "../style.ts";
import { stopWaves } from "../stop-waves.ts";
import { clusterControl, isClusterControl } from "./cluster-control.ts";

export type ControlAction = "start" | "stop" | "restart";

/** Requests in flight at once: `start --all` on a large catalog must not open a socket each. */
const MAX_IN_FLIGHT = 32;

/** RUNNING and STOPPED, where daemons end up, line up; longer states push their line out. */
const STATE_WIDTH = 7;

/** Time the answer may take beyond the manager's own wait before the client gives up. */
const ANSWER_MARGIN_MS = 5_000;

export interface ControlOptions extends ConnectionOptions, ControlSelection {
  /** Print the resulting DaemonStatus array as JSON. */
  json?: boolean;
  /** How long the manager waits for each daemon, in ms; default DEFAULTS.control.actionTimeoutMs. */
  timeout?: number;
  /** Start only: stop the running daemons it conflicts with first (SPEC §6a). */
  replace?: boolean;
  /** Act on this node of the cluster, through NATS (docs/cluster.md). */
  node?: string;
  /** Act on every node of the cluster that has the daemon. */
  allNodes?: boolean;
}

/** What became of one daemon. */
interface Outcome {
  name: string;
  /** Its state before, when known (a single restart does not ask). */
  before: LifecycleState | undefined;
  status: DaemonStatus | undefined;
  elapsedMs: number;
  error?: WardenError;
}

const GOAL: Record<ControlAction, LifecycleState> = {
  start: "RUNNING",
  stop: "STOPPED",
  restart: "RUNNING",
};
const DONE: Record<ControlAction, string> = {
  start: "started",
  stop: "stopped",
  restart: "restarted",
};

/**
 * `warden start|stop|restart`: acts on the named daemons (or `--all`, or `--profile P`) of the
 * running manager and waits for each, after checking every name against the manager first
 * (an unknown one exits 2 with a suggestion and nothing is done). Starts and restarts go in
 * parallel; stops go dependents first. Prints one line per daemon, or with `json` the array of
 * their DaemonStatus; exits 1 if any did not get there (FAILED, stopped meanwhile, timed out).
 *
 * @example
 * await control("restart", ["api", "worker"], { config: "warden.config.ts" }, io);
 * // api     RUNNING  (restarted in 312 ms)
 */
export async function control(
  action: ControlAction,
  names: readonly string[],
  options: ControlOptions,
  io: CliIO,
): Promise<void> {
  if (isClusterControl(options)) {
    const client = new ManagerClient(await locateManager(options, io.cwd));
    return clusterControl(client, action, names, options, io);
  }
  checkSelection(action, names, options);
  const client = new ManagerClient(await locateManager(options, io.cwd));
  const outcomes =
    (await restartOne(client, action, names, options, io)) ??
    (await actOnChosen(client, action, names, options, io));
  if (options.json === true) {
    io.out(
      JSON.stringify(
        outcomes.map((outcome) => outcome.status ?? null),
        null,
        2,
      ),
    );
  }
  failIfAnyMissed(action, outcomes);
}

/** Every chosen daemon acted on, after checking the names against the manager's statuses. */
async function actOnChosen(
  client: ManagerClient,
  action: ControlAction,
  names: readonly string[],
  options: ControlOptions,
  io: CliIO,
): Promise<Outcome[]> {
  const daemons = await statusesFor(client, action, names);
  const chosen = await chosenDaemons(action, names, options, daemons, io);
  if (chosen.length === 0) io.err(`warden: nothing to ${action}`);
  const width = Math.max(...chosen.map((name) => name.length));
  // Lines come as daemons get there, so that a long start shows its progress.
  const print =
    options.json === true
      ? undefined
      : (outcome: Outcome) => io.out(lineOf(action, outcome, width, io.color));
  return actOnAll(client, action, chosen, daemons, options, print);
}

/**
 * `warden restart NAME` of one daemon in one round trip: the POST itself says whether the
 * manager has it (its state before does not change what is printed for a restart). A name it
 * does not know asks for the list, for the same error with the closest names as any other
 * command, and nothing was done. Undefined when the command is not that (several names,
 * `--all`, `--profile`, another action, or HEALTH_SERVER, which is refused as usual).
 */
async function restartOne(
  client: ManagerClient,
  action: ControlAction,
  names: readonly string[],
  options: ControlOptions,
  io: CliIO,
): Promise<Outcome[] | undefined> {
  const unique = [...new Set(names)];
  const [name] = unique;
  if (action !== "restart" || unique.length !== 1 || name === undefined) return undefined;
  if (options.all === true || options.profile !== undefined || name === CONTROL_API_DAEMON) {
    return undefined;
  }
  const outcome = await actOn(client, action, name, undefined, options);
  if (isWardenError(outcome.error, "WARDEN_ERR_UNKNOWN_DAEMON")) {
    const { daemons } = await client.get<ManagerStatus>("/v1/status");
    await chosenDaemons(action, names, options, daemons, io); // throws, naming the closest
  }
  if (options.json !== true) io.out(lineOf(action, outcome, name.length, io.color));
  return [outcome];
}

/**
 * The statuses the command needs: for a few daemons named on the command line, theirs alone
 * (`GET /v1/daemons/X`, small answers: a manager of many daemons need not build and send them
 * all); for `--all`, `--profile`, several stops (ordered by their dependencies) or a name the
 * manager does not know (the error lists the closest), the whole `GET /v1/status`.
 */
async function statusesFor(
  client: ManagerClient,
  action: ControlAction,
  names: readonly string[],
): Promise<readonly DaemonStatus[]> {
  const unique = [...new Set(names)];
  const few = unique.length > 0 && unique.length <= MAX_IN_FLIGHT;
  if (few && (action !== "stop" || unique.length === 1)) {
    const found = await Promise.all(
      unique.map((name) =>
        client.get<DaemonStatus>(`/v1/daemons/${encodeURIComponent(name)}`).catch((error) => {
          if (isWardenError(error, "WARDEN_ERR_UNKNOWN_DAEMON")) return undefined;
          throw error;
        }),
      ),
    );
    if (found.every((status) => status !== undefined)) return found;
  }
  return (await client.get<ManagerStatus>("/v1/status")).daemons;
}

/**
 * Acts on every chosen daemon, at most {@link MAX_IN_FLIGHT} at a time; stops go in waves,
 * dependents first. Returns the outcomes in the order of `chosen`.
 */
async function actOnAll(
  client: ManagerClient,
  action: ControlAction,
  chosen: readonly string[],
  daemons: readonly DaemonStatus[],
  options: ControlOptions,
  onOutcome: ((outcome: Outcome) => void) | undefined,
): Promise<Outcome[]> {
  const before = new Map(daemons.map((daemon) => [daemon.name, daemon.state]));
  const byName = new Map<string, Outcome>();
  const act = async (name: string) => {
    const outcome = await actOn(client, action, name, before.get(name)!, options);
    byName.set(name, outcome);
    onOutcome?.(outcome);
  };
  const waves = action === "stop" ? stopWaves(chosen, daemons) : [chosen];
  for (const wave of waves) await eachAtMost(MAX_IN_FLIGHT, wave, act);
  return chosen.map((name) => byName.get(name)!);
}

/** Runs `task` on every item, with at most `limit` running at once. */
async function eachAtMost<T>(
  limit: number,
  items: readonly T[],
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** e.g. `api     RUNNING  (restarted in 312 ms)`. */
function lineOf(action: ControlAction, outcome: Outcome, nameWidth: number, color: boolean) {
  const state = outcome.status?.state;
  const shownState = state === undefined ? "?" : paintState(color, state, STATE_WIDTH);
  return `${outcome.name.padEnd(nameWidth)}  ${shownState}  (${explanation(action, outcome)})`;
}

async function actOn(
  client: ManagerClient,
  action: ControlAction,
  name: string,
  before: LifecycleState | undefined,
  options: ControlOptions,
): Promise<Outcome> {
  const timeoutMs = options.timeout ?? DEFAULTS.control.actionTimeoutMs;
  const path = `/v1/daemons/${encodeURIComponent(name)}`;
  const started = performance.now();
  try {
    const status = await client.post<DaemonStatus>(
      `${path}/${action}?timeoutMs=${timeoutMs}${action === "start" && options.replace === true ? "&replace=1" : ""}`,
      undefined,
      timeoutMs + ANSWER_MARGIN_MS,
    );
    return { name, before, status, elapsedMs: performance.now() - started };
  } catch (error) {
    // Without a manager nothing else can be said; any other failure belongs to this daemon.
    if (!isWardenError(error) || error.code === "WARDEN_ERR_NOT_RUNNING") throw error;
    const elapsedMs = performance.now() - started;
    const status = await client.get<DaemonStatus>(path).catch(() => undefined);
    return { name, before, status, elapsedMs, error };
  }
}

function explanation(action: ControlAction, outcome: Outcome): string {
  const took = duration(outcome.elapsedMs);
  const lastError = outcome.status?.lastError;
  if (outcome.error === undefined && outcome.status?.state === "FAILED") {
    const when = outcome.before === "FAILED" ? "was FAILED already" : `FAILED after ${took}`;
    return lastError === undefined ? when : `${when}: ${lastError}`;
  }
  if (outcome.error === undefined) {
    const goal = GOAL[action];
    if (action !== "restart" && outcome.before === goal) return `already ${goal.toLowerCase()}`;
    return `${DONE[action]} in ${took}`;
  }
  if (outcome.error.code === "WARDEN_ERR_WAIT_TIMEOUT") {
    return `not ${GOAL[action]} after ${took}; it keeps going`;
  }
  return `${action} failed after ${took}: ${lastError ?? outcome.error.message}`;
}

function failIfAnyMissed(action: ControlAction, outcomes: readonly Outcome[]): void {
  const missed = outcomes.filter((outcome) => !reachedGoal(action, outcome));
  if (missed.length === 0) return;
  const failed = missed.some(
    (outcome) =>
      outcome.status?.state === "FAILED" || outcome.error?.code === "WARDEN_ERR_DAEMON_FAILED",
  );
  const list = missed
    .map((outcome) => `${outcome.name} (${outcome.status?.state ?? outcome.error?.message})`)
    .join(", ");
  throw new WardenError(
    failed ? "WARDEN_ERR_DAEMON_FAILED" : (missed[0]!.error?.code ?? "WARDEN_ERR_DAEMON_FAILED"),
    `${missed.length} of ${outcomes.length} ${outcomes.length === 1 ? "daemon" : "daemons"} did not ${action}: ${list}`,
  );
}

/**
 * Whether the daemon got where the action meant it to. A stop leaves a daemon that was FAILED
 * already as it is, not running, which is what a stop is for: only a new FAILED counts.
 */
function reachedGoal(action: ControlAction, outcome: Outcome): boolean {
  if (outcome.error !== undefined) return false;
  if (outcome.status?.state !== "FAILED") return true;
  return action === "stop" && outcome.before === "FAILED";
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
