/**
 * `warden start|stop|restart <NAME...> --node N | --all-nodes` (SPEC §8, §11, docs/cluster.md):
 * the local manager asks the other nodes over NATS, signed with the cluster secret, and
 * answers with each node's outcome. Prints one line per node and daemon (or, with `json`, the
 * answers); exits 1 when any did not get there, naming why (a refusal says what the node said).
 */
import type { RemoteAnswer } from "../../runtime/cluster/control-wire.ts";
import { DEFAULTS } from "../../machines/defaults.ts";
import { WardenError } from "../../machines/errors.ts";
import type { CliIO } from "../io.ts";
import type { ManagerClient } from "../manager-client.ts";
import { terminalSafe } from "../terminal-safe.ts";
import type { ControlAction } from "./control.ts";

/** Time the answer may take beyond the remote wait (NATS, then HTTP) before the client gives up. */
const ANSWER_MARGIN_MS = 10_000;

export interface ClusterControlOptions {
  node?: string;
  allNodes?: boolean;
  all?: boolean;
  profile?: string;
  json?: boolean;
  timeout?: number;
  replace?: boolean;
}

/** Whether the command is about other nodes (`--node` or `--all-nodes`). */
export function isClusterControl(options: ClusterControlOptions): boolean {
  return options.node !== undefined || options.allNodes === true;
}

/**
 * Acts on `names` on one node or every node that has them, one daemon after the other.
 *
 * @example
 * await clusterControl(client, "restart", ["trainer"], { node: "gpu-3" }, io);
 * // gpu-3  trainer  RUNNING  (restarted on gpu-3 in 412 ms)
 */
export async function clusterControl(
  client: ManagerClient,
  action: ControlAction,
  names: readonly string[],
  options: ClusterControlOptions,
  io: CliIO,
): Promise<void> {
  checkClusterSelection(names, options);
  const timeoutMs = options.timeout ?? DEFAULTS.control.actionTimeoutMs;
  const answers: RemoteAnswer[] = [];
  for (const name of new Set(names)) {
    const daemon = encodeURIComponent(name);
    const path =
      options.node !== undefined
        ? `/v1/cluster/nodes/${encodeURIComponent(options.node)}/daemons/${daemon}/${action}`
        : `/v1/cluster/daemons/${daemon}/${action}`;
    const started = performance.now();
    const { results } = await client.post<{ results: RemoteAnswer[] }>(
      `${path}?timeoutMs=${timeoutMs}`,
      undefined,
      timeoutMs + ANSWER_MARGIN_MS,
    );
    const took = duration(performance.now() - started);
    if (results.length === 0) io.err(`warden: no node has a daemon named "${terminalSafe(name)}"`);
    for (const answer of results) {
      answers.push(answer);
      if (options.json !== true) io.out(lineOf(action, name, answer, took));
    }
    if (results.length === 0) answers.push(noNode(name));
  }
  if (options.json === true) io.out(JSON.stringify(answers, null, 2));
  const missed = answers.filter((answer) => !answer.ok);
  if (missed.length === 0) return;
  const first = missed[0]!;
  throw new WardenError(
    "WARDEN_ERR_CONTROL_API",
    `${missed.length} of ${answers.length} did not ${action}: ${first.ok ? "" : terminalSafe(first.error.message)}`,
  );
}

/** Usage errors (exit 2): names only, and one of `--node` or `--all-nodes`. */
function checkClusterSelection(names: readonly string[], options: ClusterControlOptions): void {
  const problem =
    options.node !== undefined && options.allNodes === true
      ? "choose one of --node <name> and --all-nodes"
      : options.all === true || options.profile !== undefined
        ? "--node and --all-nodes take daemon names, not --all or --profile"
        : options.replace === true
          ? "--replace is for the local manager only"
          : names.length === 0
            ? "name the daemons to act on with --node or --all-nodes"
            : undefined;
  if (problem !== undefined) throw new WardenError("WARDEN_ERR_USAGE", problem);
}

function lineOf(action: ControlAction, name: string, answer: RemoteAnswer, took: string): string {
  const node = terminalSafe(answer.node);
  if (!answer.ok) {
    return `${node}  ${terminalSafe(name)}  ${answer.error.code}  (${terminalSafe(answer.error.message)})`;
  }
  const done = action === "stop" ? "stopped" : action === "start" ? "started" : "restarted";
  return `${node}  ${terminalSafe(name)}  ${terminalSafe(answer.daemon.state)}  (${done} on ${node}; answered in ${took})`;
}

function noNode(name: string): RemoteAnswer {
  return {
    node: "-",
    ok: false,
    error: { code: "unknown_daemon", message: `no node has a daemon named "${name}"` },
  };
}

function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
