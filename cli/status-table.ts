import { LIFECYCLE_STATES, type LifecycleState } from "../machines/lifecycle-states.ts";
import { FAILED_BEFORE_RESTART } from "../machines/restart-record.ts";
import type { DaemonStatus } from "../runtime/manager/daemon-manager.ts";
import type { ManagerStatus } from "./manager-client.ts";
import { paint, paintState } from "./style.ts";
import { terminalSafe } from "./terminal-safe.ts";

/** The width LAST ERROR is cut to when the terminal's width is unknown. */
export const DEFAULT_ERROR_WIDTH = 60;

/** LAST ERROR keeps at least this much room, however narrow the terminal. */
const MIN_ERROR_WIDTH = 20;

const HEADERS = ["NAME", "STATE", "PID", "UPTIME", "RESTARTS", "HEALTH", "LAST ERROR"] as const;
const GAP = "  ";
/** Starts the line under a row that holds what does not fit in a column. */
const DETAIL_PREFIX = "  ↳ ";

/**
 * A process daemon's status as the table reads it: the counters that newer managers add are
 * optional, so that an older manager's answer still shows.
 */
type ProcessDetails = NonNullable<DaemonStatus["process"]> & {
  /** Events not delivered to its `SUBSCRIBE=` connection because it read too slowly. */
  droppedEvents?: number;
  /** Notify socket connections refused (too many at once). */
  refusedConnections?: number;
};

/** The order in which the summary counts states: the live ones first, FAILED last. */
const SUMMARY_ORDER: readonly LifecycleState[] = [
  "RUNNING",
  "STARTING",
  "RESTARTING",
  "STOPPING",
  "PENDING",
  "STOPPED",
  "FAILED",
];

/**
 * A duration as people read it: `3s`, `4m12s`, `2h05m`, `3d4h` (two units at most, rounded
 * down).
 *
 * @example
 * formatUptime(252_000); // "4m12s"
 * formatUptime(7_500_000); // "2h05m"
 */
export function formatUptime(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const pad = (value: number) => String(value).padStart(2, "0");
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${pad(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d${hours % 24}h`;
}

/**
 * The `warden status` table, one line per daemon under a header: NAME, STATE (coloured when
 * `color`), PID (process daemons), UPTIME, RESTARTS, HEALTH, LAST ERROR. LAST ERROR is put on
 * one line and cut to what is left of `columns` (the terminal's width), or to
 * {@link DEFAULT_ERROR_WIDTH} characters without one. A process daemon's `STATUS=` text and its
 * non-zero counters (invalid notify messages, dropped subscribed events, refused notify
 * connections) go on a line under its row, cut to the same width. Control characters that
 * daemons put in any of these are shown as `\xNN`.
 *
 * @example
 * statusTable(daemons, { color: false, columns: 100 });
 * // ["NAME     STATE    PID   UPTIME  RESTARTS  HEALTH   LAST ERROR",
 * //  "trainer  RUNNING  4242  4m12s   0         healthy  -",
 * //  "  ↳ status: epoch 3/10 · 2 invalid notify messages"]
 */
export function statusTable(
  daemons: readonly DaemonStatus[],
  options: { color: boolean; columns?: number },
): string[] {
  const rows = daemons.map(cellsOf);
  const widths = HEADERS.slice(0, -1).map((header, i) =>
    Math.max(header.length, ...rows.map((row) => row[i]!.length)),
  );
  const prefixWidth = widths.reduce((sum, width) => sum + width + GAP.length, 0);
  const errorWidth =
    options.columns === undefined
      ? DEFAULT_ERROR_WIDTH
      : Math.max(MIN_ERROR_WIDTH, options.columns - prefixWidth - 1);
  const line = (cells: readonly string[], paintCell: (text: string, i: number) => string) =>
    cells
      .map((cell, i) => {
        const last = i === cells.length - 1;
        return paintCell(last ? truncate(cell, errorWidth) : cell.padEnd(widths[i]!), i);
      })
      .join(GAP)
      .trimEnd();
  const header = line(HEADERS, (text) => paint(options.color, "bold", text));
  const detailWidth = options.columns === undefined ? undefined : options.columns - 1;
  const body = rows.flatMap((row, r) => {
    const daemon = daemons[r]!;
    const main = line(row, (text, i) => paintCell(options.color, daemon, i, text));
    const detail = detailOf(daemon);
    if (detail === undefined) return [main];
    const width = detailWidth ?? prefixWidth + errorWidth;
    return [main, paint(options.color, "gray", truncate(`${DETAIL_PREFIX}${detail}`, width))];
  });
  return [header, ...body];
}

/**
 * What a daemon's row has no column for: that it is FAILED from before the manager restarted
 * (and how to retry it), what it waits for and the resource units it holds (SPEC §6a), a process
 * daemon's `STATUS=` text and its non-zero counters, joined
 * with ` · `; undefined when there is nothing to say.
 *
 * @example
 * detailOf(trainer); // "status: epoch 3/10 · 2 invalid notify messages"
 */
function detailOf(daemon: DaemonStatus): string | undefined {
  const parts: string[] = [];
  if (daemon.state === "FAILED" && daemon.reason === FAILED_BEFORE_RESTART) {
    const name = oneLine(daemon.name);
    parts.push(`FAILED before the manager restarted; \`warden start ${name}\` retries`);
  }
  // SPEC §6a: what it waits for, and the units it holds (limits go beside them).
  if (daemon.waitingFor !== undefined) parts.push(`waiting for ${oneLine(daemon.waitingFor)}`);
  const held = Object.entries(daemon.resources ?? {});
  if (held.length > 0) {
    parts.push(
      `holds ${held.map(([name, units]) => `${oneLine(name)} ${units.join(",")}`).join(", ")}`,
    );
  }
  const process = daemon.process as ProcessDetails | undefined;
  if (process !== undefined) parts.push(...processDetails(process));
  return parts.length === 0 ? undefined : parts.join(" · ");
}

/** A process daemon's `STATUS=` text and its non-zero counters. */
function processDetails(process: ProcessDetails): string[] {
  const parts: string[] = [];
  const text = process.statusText === undefined ? "" : oneLine(process.statusText);
  if (text !== "") parts.push(`status: ${text}`);
  const count = (n: number | undefined, one: string, many: string) => {
    if (n !== undefined && n > 0) parts.push(`${n} ${n === 1 ? one : many}`);
  };
  count(process.invalidNotifyMessages, "invalid notify message", "invalid notify messages");
  count(process.droppedEvents, "subscribed event dropped", "subscribed events dropped");
  count(process.refusedConnections, "notify connection refused", "notify connections refused");
  const limits = limitsText(process);
  if (limits !== undefined) parts.push(limits);
  return parts;
}

/**
 * "limits: memory 171/256 MiB, cpu 50% (unenforced), nice 10": a process daemon's limits with
 * its latest memory measurement.
 */
function limitsText(process: ProcessDetails): string | undefined {
  const { limits, memory } = process;
  if (limits === undefined) return undefined;
  const used = memory === undefined ? "?" : String(Math.round(memory.residentBytes / 2 ** 20));
  const unenforced = (key: string) => (limits.unenforced.includes(key) ? " (unenforced)" : "");
  const shown = [
    limits.memoryMb !== undefined ? `memory ${used}/${limits.memoryMb} MiB` : undefined,
    limits.cpuPercent !== undefined
      ? `cpu ${limits.cpuPercent}%${unenforced("cpuPercent")}`
      : undefined,
    limits.nice !== undefined ? `nice ${limits.nice}` : undefined,
  ].filter((part) => part !== undefined);
  return `limits: ${shown.join(", ")}`;
}

/** Text a daemon chose, on one line and safe for a terminal. */
function oneLine(text: string): string {
  return terminalSafe(text.replace(/\s+/g, " ").trim());
}

/**
 * The line under the table: how many daemons are in each state, the manager's pid and uptime,
 * and, when some daemons FAILED, which ones and the command that retries them.
 *
 * @example
 * statusSummary(status, false);
 * // "3 daemons: 2 running, 1 failed · manager pid 4242, up 4m12s · FAILED: worker (`warden restart worker` retries)"
 */
export function statusSummary(status: ManagerStatus, color: boolean): string {
  const counts = new Map<LifecycleState, number>();
  for (const daemon of status.daemons)
    counts.set(daemon.state, (counts.get(daemon.state) ?? 0) + 1);
  const total = status.daemons.length;
  const parts = SUMMARY_ORDER.filter((state) => counts.has(state)).map((state) => {
    const text = `${counts.get(state)} ${state.toLowerCase()}`;
    return state === "FAILED" ? paint(color, ["red", "bold"], text) : text;
  });
  const manager = status.manager;
  let summary = `${total} ${total === 1 ? "daemon" : "daemons"}${parts.length > 0 ? `: ${parts.join(", ")}` : ""}`;
  summary += ` · manager pid ${manager.pid}, up ${formatUptime(manager.uptimeSeconds * 1000)}`;
  const failed = status.daemons.filter((daemon) => daemon.state === "FAILED").map((d) => d.name);
  if (failed.length > 0) {
    const names = failed.join(" ");
    summary += ` · ${paint(color, ["red", "bold"], `FAILED: ${failed.join(", ")}`)} (\`warden restart ${names}\` retries)`;
  }
  for (const problem of manager.problems ?? []) {
    summary += ` · ${paint(color, ["yellow", "bold"], oneLine(problem))}`;
  }
  return summary;
}

function cellsOf(daemon: DaemonStatus): string[] {
  const pid = daemon.process?.pid;
  return [
    daemon.name,
    daemon.state,
    pid === undefined ? "-" : String(pid),
    daemon.state === "RUNNING" && daemon.uptimeMs !== undefined
      ? formatUptime(daemon.uptimeMs)
      : "-",
    String(daemon.restarts),
    daemon.healthy === undefined ? "-" : daemon.healthy ? "healthy" : "unhealthy",
    daemon.lastError === undefined ? "-" : oneLine(daemon.lastError),
  ];
}

function paintCell(color: boolean, daemon: DaemonStatus, column: number, text: string): string {
  if (HEADERS[column] === "STATE" && isState(daemon.state)) {
    return paintState(color, daemon.state, text.length);
  }
  if (HEADERS[column] === "HEALTH" && daemon.healthy !== undefined) {
    return paint(color, daemon.healthy ? "green" : "red", text);
  }
  return text;
}

function isState(value: string): value is LifecycleState {
  return (LIFECYCLE_STATES as readonly string[]).includes(value);
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
