import { setTimeout as delay } from "node:timers/promises";
import { isWardenError, type WardenError } from "../../machines/errors.ts";
import type { CliIO } from "../io.ts";
import { locateManager, type ConnectionOptions } from "../locate-manager.ts";
import { ManagerClient, type ManagerStatus } from "../manager-client.ts";
import { statusSummary, statusTable } from "../status-table.ts";
import { clockTime } from "../style.ts";
import { clusterStatus } from "./cluster-status.ts";

/** How often `--watch` asks again. */
export const WATCH_INTERVAL_MS = 1000;

/** Moves the cursor home and clears the screen, so that each `--watch` frame replaces the last. */
const CLEAR_SCREEN = "\x1b[H\x1b[2J";

export interface StatusOptions extends ConnectionOptions {
  /** Print `/v1/status` as JSON (pretty; with `watch`, one compact document per line). */
  json?: boolean;
  /** Ask again every second until SIGINT/SIGTERM. */
  watch?: boolean;
  /** Every node of the cluster (`GET /v1/cluster`, docs/cluster.md) instead of the daemons. */
  cluster?: boolean;
}

/**
 * `warden status`: the running manager's daemons as a table with a summary line, or with
 * `json` exactly the `GET /v1/status` document (docs/cli-json.md). `watch` redraws every second
 * (in place on a terminal) until SIGINT/SIGTERM, riding out a manager that goes away meanwhile.
 * Exits 0 even when daemons FAILED (the summary says so); 3 when no manager runs.
 *
 * @example
 * await status({ config: "warden.config.ts", json: true }, io);
 */
export async function status(options: StatusOptions, io: CliIO): Promise<void> {
  const client = new ManagerClient(await locateManager(options, io.cwd));
  if (options.cluster === true) return clusterStatus(client, options, io);
  const first = await client.get<ManagerStatus>("/v1/status");
  if (options.watch !== true) {
    if (options.json === true) io.out(JSON.stringify(first, null, 2));
    else printStatus(first, io);
    return;
  }
  await watch(client, first, options, io);
}

async function watch(
  client: ManagerClient,
  first: ManagerStatus,
  options: StatusOptions,
  io: CliIO,
): Promise<void> {
  const stop = new AbortController();
  io.onShutdownSignal(() => stop.abort());
  const inPlace = io.interactive === true && options.json !== true;
  let current: ManagerStatus | WardenError = first;
  let frames = 0;
  while (!stop.signal.aborted) {
    if (current instanceof Error) {
      io.err(`warden: ${current.message} (asking again every second)`);
    } else if (options.json === true) {
      io.out(JSON.stringify(current));
    } else {
      const title = `warden status · every ${WATCH_INTERVAL_MS / 1000}s · ${clockTime(Date.now())}`;
      const separator = inPlace ? CLEAR_SCREEN : frames > 0 ? "\n" : "";
      io.out(`${separator}${title}`);
      printStatus(current, io);
    }
    frames++;
    const next = await delay(WATCH_INTERVAL_MS, true, { signal: stop.signal }).catch(() => false);
    if (!next) break;
    current = await client.get<ManagerStatus>("/v1/status").catch((error: unknown) => {
      // A manager that stops or restarts while watched is shown, not fatal.
      if (isWardenError(error)) return error;
      throw error;
    });
  }
}

function printStatus(current: ManagerStatus, io: CliIO): void {
  const table = statusTable(current.daemons, { color: io.color, columns: io.columns?.() });
  for (const line of table) io.out(line);
  io.out(statusSummary(current, io.color));
}
