// The only file that touches process.argv, process signals, the standard streams and process.exit.
import type { CliIO } from "./io.ts";
import { runCli } from "./program.ts";

let shutdownHandler: ((signal: string) => void) | undefined;
let outputGone = false;

/**
 * A closed stdout or stderr (`warden up | head`, a terminal that went away) is the end of the
 * run, as SIGPIPE is for other programs: further writes are dropped (each one would fail again,
 * and a failure reported by writing it would loop) and the manager stops everything in order.
 */
function onStreamError(error: NodeJS.ErrnoException): void {
  if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  if (outputGone) return;
  outputGone = true;
  if (shutdownHandler) shutdownHandler("SIGPIPE");
  else process.exit(process.exitCode ?? 0);
}
process.stdout.on("error", onStreamError);
process.stderr.on("error", onStreamError);

const write = (stream: NodeJS.WriteStream, text: string) => {
  if (!outputGone) stream.write(text);
};

const io: CliIO = {
  out: (line) => write(process.stdout, `${line}\n`),
  err: (line) => write(process.stderr, `${line}\n`),
  errStream: { write: (chunk: string) => write(process.stderr, chunk) },
  color: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
  interactive: process.stderr.isTTY === true,
  columns: () => process.stderr.columns ?? process.stdout.columns,
  cwd: process.cwd(),
  onShutdownSignal(handler) {
    let received = false;
    const onSignal = (signal: string) => {
      if (received) {
        write(process.stderr, `warden: second ${signal}: exiting now\n`);
        process.exit(1);
      }
      received = true;
      handler(signal);
    };
    shutdownHandler = onSignal;
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  },
  exit: (code) => {
    process.exitCode = code;
    // Let pending output drain before leaving.
    setImmediate(() => process.exit(code));
  },
};

await runCli(process.argv.slice(2), io);
