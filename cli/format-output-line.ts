import type { ProcessOutputLine } from "../runtime/manager/supervised-driver.ts";
import { clockTime, paint } from "./style.ts";
import { terminalSafe } from "./terminal-safe.ts";

/**
 * One line a process daemon wrote, as `warden up` shows it beside the transitions. Control
 * characters in it are shown as `\xNN`, never sent to the terminal.
 *
 * @example
 * formatOutputLine({ daemon: "census", stream: "stdout", line: "hello", time }, false, 14);
 * // "12:00:05.120  census          │ hello"
 */
export function formatOutputLine(output: ProcessOutputLine, color: boolean, nameWidth: number) {
  const time = paint(color, "gray", clockTime(output.time));
  const bar = paint(color, output.stream === "stderr" ? "yellow" : "gray", "│");
  return `${time}  ${output.daemon.padEnd(nameWidth)}  ${bar} ${terminalSafe(output.line)}`;
}
