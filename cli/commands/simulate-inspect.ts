/**
 * `warden simulate --inspect [--speed N] [--port P]`: the run paced against the wall clock and
 * served to the inspector (runtime/simulate/inspect-server.ts). The login URL goes to stdout,
 * as `warden inspect` prints it (to stderr with `--json`); once the run is over the inspector
 * stays up, showing where it ended, until Ctrl-C.
 */
import { WardenError } from "../../machines/errors.ts";
import type { DaemonManager } from "../../runtime/manager/daemon-manager.ts";
import {
  pacer,
  serveInspector,
  type InspectServer,
} from "../../runtime/simulate/inspect-server.ts";
import type { CliIO } from "../io.ts";

/** Simulated seconds per wall second by default: a simulated hour in a minute. */
const DEFAULT_SPEED = 60;

export interface LiveInspect {
  onManager(manager: DaemonManager): Promise<void>;
  pace(due: number): Promise<void>;
  /** After the run: keeps serving until the first shutdown signal, then closes. */
  finish(): Promise<void>;
}

/**
 * The hooks of a run watched in the inspector.
 *
 * @example
 * const live = liveInspect({ speed: "600" }, "--catalog ringrift", io);
 * await runSimulation({ ...options, onManager: live.onManager, pace: live.pace });
 * await live.finish();
 */
export function liveInspect(
  options: { speed?: string; port?: string; json?: boolean },
  label: string,
  io: CliIO,
): LiveInspect {
  const speed = positive(options.speed, DEFAULT_SPEED, "--speed");
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new WardenError("WARDEN_ERR_USAGE", `--port: "${options.port}" is not a port number`);
  }
  let served: InspectServer | undefined;
  let stopped: (() => void) | undefined;
  const ended = new Promise<void>((resolve) => (stopped = resolve));
  io.onShutdownSignal(() => {
    if (stopped === undefined) return;
    const close = served?.close() ?? Promise.resolve();
    // Interrupted while the run is paced: nothing to wait for.
    void close.then(() => (running ? io.exit(130) : stopped?.()));
  });
  let running = true;
  const pace = pacer(speed);
  return {
    async onManager(manager) {
      served = await serveInspector(manager, { host: "127.0.0.1", port, label });
      // With --json, stdout holds the summary alone.
      if (options.json === true) io.err(served.loginUrl);
      else io.out(served.loginUrl);
      io.err(
        `warden: the inspector is at ${served.url}/inspector (the URL above logs in once, within 60 s); ` +
          `simulating at ${speed}× the wall clock; Ctrl-C ends it`,
      );
    },
    pace,
    async finish() {
      running = false;
      io.err("warden: the run is over; the inspector shows where it ended until Ctrl-C");
      await ended;
    },
  };
}

function positive(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new WardenError("WARDEN_ERR_USAGE", `${flag}: "${text}" is not a positive number`);
  }
  return value;
}
