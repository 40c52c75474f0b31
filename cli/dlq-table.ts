import type { DeadLetter } from "../runtime/bus/dead-letter-queue.ts";
import { DEFAULT_ERROR_WIDTH, formatUptime } from "./status-table.ts";
import { paint } from "./style.ts";
import { terminalSafe } from "./terminal-safe.ts";

const HEADER = ["ID", "TYPE", "SUBSCRIBER", "ATTEMPTS", "NEXT", "LAST FAILED", "ERROR"] as const;
/** An error column is never cut shorter than this, however narrow the terminal. */
const MIN_ERROR_WIDTH = 20;

/**
 * The `warden dlq list` table, one line per dead letter under a header: ID, TYPE, SUBSCRIBER,
 * ATTEMPTS, NEXT (`parked`, `due`, or `in 4s`), LAST FAILED (how long ago), ERROR (on one line,
 * cut to what is left of `columns`, or to 60 characters without a terminal). Text daemons chose
 * (types, names, errors) is shown with control characters as `\xNN`.
 *
 * @example
 * dlqTable(letters, { now: Date.now(), color: false });
 * // ["ID    TYPE  SUBSCRIBER  ATTEMPTS  NEXT    LAST FAILED  ERROR",
 * //  "dl-1  JOB   worker      5         parked  2m03s ago    boom"]
 */
export function dlqTable(
  letters: readonly DeadLetter[],
  options: { now: number; color: boolean; columns?: number | undefined },
): string[] {
  const rows = letters.map((letter) => [
    terminalSafe(letter.id),
    terminalSafe(letter.event.type),
    terminalSafe(letter.subscriber),
    String(letter.attempts),
    nextOf(letter, options.now),
    `${formatUptime(options.now - letter.lastFailedAt)} ago`,
  ]);
  const widths = HEADER.slice(0, -1).map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const used = widths.reduce((sum, width) => sum + width + 2, 0);
  const errorWidth =
    options.columns === undefined
      ? DEFAULT_ERROR_WIDTH
      : Math.max(MIN_ERROR_WIDTH, options.columns - used);
  const line = (cells: readonly string[], next?: string) =>
    cells
      .map((cell, column) => {
        const padded = cell.padEnd(widths[column]!);
        return column === 4 && next === "parked" ? paint(options.color, "red", padded) : padded;
      })
      .join("  ");
  return [
    `${line(HEADER.slice(0, -1))}  ${HEADER.at(-1)}`,
    ...rows.map((row, index) =>
      `${line(row, row[4])}  ${oneLine(letters[index]!.error, errorWidth)}`.trimEnd(),
    ),
  ];
}

/**
 * `3 dead letters, 1 parked`, and how many are not shown when the answer was cut.
 *
 * @example
 * dlqSummary(3, 1, 3); // "3 dead letters, 1 parked"
 */
export function dlqSummary(shown: number, parked: number, total: number): string {
  const noun = total === 1 ? "dead letter" : "dead letters";
  const more = total > shown ? ` (${total - shown} more not shown: use --limit)` : "";
  return `${total} ${noun}, ${parked} parked${more}`;
}

function nextOf(letter: DeadLetter, now: number): string {
  if (letter.parked || letter.nextRetryAt === null) return "parked";
  if (letter.nextRetryAt <= now) return "due";
  return `in ${formatUptime(letter.nextRetryAt - now + 999)}`;
}

function oneLine(text: string, width: number): string {
  const flat = terminalSafe(text.replace(/\s+/g, " ").trim());
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}
