// The only file that touches process.argv, process signals and process.exit.
import type { CliIO } from "./io.ts";
import { runCli } from "./program.ts";

const io: CliIO = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
  errStream: process.stderr,
  color: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
  interactive: process.stderr.isTTY === true,
  columns: () => process.stderr.columns ?? process.stdout.columns,
  cwd: process.cwd(),
  onShutdownSignal(handler) {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) {
        process.stderr.write(`warden: second ${signal}: exiting now\n`);
        process.exit(1);
      }
      received = true;
      handler(signal);
    };
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
