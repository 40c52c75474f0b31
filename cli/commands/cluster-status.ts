/**
 * `warden status --cluster [--json]` (SPEC §11, docs/cluster.md): every node of the cluster as
 * the local manager sees it (`GET /v1/cluster`): profile and rule, version, when it was last
 * seen, stale or not, and its daemons by state. Node names and states come from other machines:
 * they are printed terminal-safe.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { ClusterDocument, ClusterNode } from "../../runtime/cluster/cluster.ts";
import { isWardenError } from "../../machines/errors.ts";
import type { CliIO } from "../io.ts";
import type { ManagerClient } from "../manager-client.ts";
import { formatUptime } from "../status-table.ts";
import { clockTime, paint } from "../style.ts";
import { terminalSafe } from "../terminal-safe.ts";

/** How often `--watch` asks again. */
const WATCH_INTERVAL_MS = 1000;
/** Moves the cursor home and clears the screen, so that each frame replaces the last. */
const CLEAR_SCREEN = "\x1b[H\x1b[2J";

const HEADERS = ["NODE", "PROFILE", "RULE", "VERSION", "LAST SEEN", "STATUS", "DAEMONS"] as const;
const GAP = "  ";

/**
 * Prints the cluster document as a table (or, with `json`, as it is) and a summary line.
 *
 * @example
 * await clusterStatus(client, { json: false }, io);
 * // NODE   PROFILE  RULE  VERSION  LAST SEEN  STATUS  DAEMONS
 * // gpu-1  gpu      auto  0.1.0    1s ago     up      4 running
 */
export async function clusterStatus(
  client: ManagerClient,
  options: { json?: boolean; watch?: boolean },
  io: CliIO,
): Promise<void> {
  const document = await client.get<ClusterDocument>("/v1/cluster");
  if (options.watch === true) return watchCluster(client, document, options, io);
  if (options.json === true) {
    io.out(JSON.stringify(document, null, 2));
    return;
  }
  printCluster(document, io);
}

/**
 * `--watch`: the table again every second (in place on a terminal), or one compact JSON
 * document per line, until SIGINT/SIGTERM; a manager that goes away meanwhile is said, not fatal.
 */
async function watchCluster(
  client: ManagerClient,
  first: ClusterDocument,
  options: { json?: boolean },
  io: CliIO,
): Promise<void> {
  const stop = new AbortController();
  io.onShutdownSignal(() => stop.abort());
  const inPlace = io.interactive === true && options.json !== true;
  let current: ClusterDocument | Error = first;
  for (let frame = 0; !stop.signal.aborted; frame++) {
    if (current instanceof Error) {
      io.err(`warden: ${current.message} (asking again every second)`);
    } else if (options.json === true) {
      io.out(JSON.stringify(current));
    } else {
      const separator = inPlace ? CLEAR_SCREEN : frame > 0 ? "\n" : "";
      io.out(`${separator}warden status --cluster · every 1s · ${clockTime(Date.now())}`);
      printCluster(current, io);
    }
    const next = await delay(WATCH_INTERVAL_MS, true, { signal: stop.signal }).catch(() => false);
    if (!next) break;
    current = await client.get<ClusterDocument>("/v1/cluster").catch((error: unknown) => {
      if (isWardenError(error)) return error;
      throw error;
    });
  }
}

function printCluster(document: ClusterDocument, io: CliIO): void {
  for (const line of clusterTable(document, Date.now(), io.color)) io.out(line);
  const singletons = Object.entries(document.singletons ?? {});
  if (singletons.length > 0) {
    const held = singletons.map(
      ([name, holder]) =>
        `${terminalSafe(name)} on ${holder === null ? "no node yet" : terminalSafe(holder)}`,
    );
    io.out(`singletons: ${held.join(", ")}`);
  }
  io.out(clusterSummary(document, io.color));
}

/**
 * The table's lines, header first; `now` for "last seen". This node is marked with `*`.
 *
 * @example
 * clusterTable(document, Date.now(), false)[0]; // "NODE  PROFILE  RULE  VERSION  LAST SEEN  STATUS  DAEMONS"
 */
export function clusterTable(document: ClusterDocument, now: number, color: boolean): string[] {
  const rows = document.nodes.map((node) => [
    terminalSafe(node.node) + (node.self ? " *" : ""),
    terminalSafe(node.profile ?? "-"),
    terminalSafe(node.rule ?? "-"),
    terminalSafe(node.version),
    `${formatUptime(Math.max(0, now - node.lastSeen))} ago`,
    node.stale ? "STALE" : "up",
    daemonCounts(node),
  ]);
  const widths = HEADERS.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[], paintCell?: (cell: string, column: number) => string) =>
    cells
      .map((cell, column) => {
        const padded = column === cells.length - 1 ? cell : cell.padEnd(widths[column]!);
        return paintCell ? paintCell(padded, column) : padded;
      })
      .join(GAP)
      .trimEnd();
  return [
    line(HEADERS),
    ...rows.map((row) =>
      line(row, (cell, column) =>
        column === 5
          ? paint(color, cell.startsWith("STALE") ? ["red", "bold"] : "green", cell)
          : cell,
      ),
    ),
  ];
}

/**
 * One line under the table: how many nodes, how many stale, the NATS link.
 *
 * @example
 * clusterSummary(document, false); // "3 nodes: 2 up, 1 stale · this node gpu-1 · NATS connected (2.9.10)"
 */
export function clusterSummary(document: ClusterDocument, color: boolean): string {
  const stale = document.nodes.filter((node) => node.stale).length;
  const count = document.nodes.length;
  const nodes = `${count} ${count === 1 ? "node" : "nodes"}: ${count - stale} up, ${stale} stale`;
  const { state, serverVersion, problem } = document.nats;
  const nats =
    problem !== undefined
      ? paint(color, "yellow", terminalSafe(problem))
      : `NATS ${state}${serverVersion !== undefined ? ` (${terminalSafe(serverVersion)})` : ""}`;
  const behind = document.current ? "" : " · this node's view is catching up";
  const dropped =
    document.refusedRecords + document.ignoredNodes > 0
      ? ` · ${document.refusedRecords} records refused, ${document.ignoredNodes} nodes over the bound ignored`
      : "";
  return `${nodes} · this node ${terminalSafe(document.node)} · ${nats}${behind}${dropped}`;
}

/** "4 running" or "3 running, 1 FAILED (of 5)": its daemons by state, largest count first. */
function daemonCounts(node: ClusterNode): string {
  const counts = new Map<string, number>();
  for (const daemon of node.daemons) {
    const state = daemon.state === "RUNNING" ? "running" : terminalSafe(daemon.state);
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  const parts = [...counts].sort((a, b) => b[1] - a[1]).map(([state, n]) => `${n} ${state}`);
  const of = node.daemonCount > node.daemons.length ? ` (of ${node.daemonCount})` : "";
  return parts.length === 0 ? "none" : `${parts.join(", ")}${of}`;
}
