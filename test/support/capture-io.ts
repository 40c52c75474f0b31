/**
 * A CliIO for running a command in the test's own process: what it prints is kept in `out` and
 * `err`, signals and exits do nothing.
 *
 * @example
 * const { io, out } = captureIo();
 * await events({ url, token }, io);
 * expect(out).toContain("…");
 */
import type { CliIO } from "../../cli/io.ts";

export function captureIo(cwd: string = process.cwd()): {
  io: CliIO;
  out: string[];
  err: string[];
} {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    errStream: { write: () => true },
    color: false,
    cwd,
    onShutdownSignal: () => {},
    exit: () => {},
  };
  return { io, out, err };
}
