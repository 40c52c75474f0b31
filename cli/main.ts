// The only file that touches process.argv, process signals, the standard streams and process.exit.
import { BoundedOutput } from "./bounded-output.ts";
import type { CliIO } from "./io.ts";
import { runCli } from "./program.ts";

let shutdownHandler: ((signal: string) => void) | undefined;
let outputGone = false;
let hungUp = false;

/** Signals that end the run in order: the first stops everything, a second exits at once. */
const SHUTDOWN_SIGNALS = ["SIGINT", "SIGTERM", "SIGQUIT", "SIGABRT"] as const;

/**
 * A closed stdout or stderr (`warden up | head`) is the end of the run, as SIGPIPE is for other
 * programs: further writes are dropped (each one would fail again, and a failure reported by
 * writing it would loop) and the manager stops everything in order. After a hangup (the terminal
 * or SSH session closed: SIGHUP, then EIO or EPIPE on every write) the output is gone too, but the
 * manager keeps running, as under nohup.
 */
function onStreamError(error: NodeJS.ErrnoException): void {
  const gone = error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED";
  if (!gone && error.code !== "EIO") throw error;
  if (outputGone) return;
  outputGone = true;
  if (hungUp || error.code === "EIO") return;
  if (shutdownHandler) shutdownHandler("SIGPIPE");
  else process.exit(process.exitCode ?? 0);
}
process.stdout.on("error", onStreamError);
process.stderr.on("error", onStreamError);

// Nothing queues without bound toward a reader that does not read (`warden up | less`, paused).
const stdout = new BoundedOutput(process.stdout);
const stderr = new BoundedOutput(process.stderr);
const write = (output: BoundedOutput, text: string) => {
  if (!outputGone) output.write(text);
};

const io: CliIO = {
  out: (line) => write(stdout, `${line}\n`),
  err: (line) => write(stderr, `${line}\n`),
  errStream: { write: (chunk: string) => write(stderr, chunk) },
  color: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
  interactive: process.stderr.isTTY === true,
  columns: () => process.stderr.columns ?? process.stdout.columns,
  cwd: process.cwd(),
  onShutdownSignal(handler) {
    let received = false;
    const onSignal = (signal: string) => {
      if (received) {
        write(stderr, `warden: second ${signal}: exiting now\n`);
        process.exit(1);
      }
      received = true;
      handler(signal);
    };
    shutdownHandler = onSignal;
    for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);
  },
  onHangup(handler) {
    process.on("SIGHUP", () => {
      hungUp = true;
      handler();
    });
  },
  exit: (code) => {
    process.exitCode = code;
    // Let pending output drain before leaving.
    setImmediate(() => process.exit(code));
  },
};

await runCli(process.argv.slice(2), io);
