import { clockTime, paint } from "./style.ts";
import { terminalSafe } from "./terminal-safe.ts";

const LEVELS: Record<number, string> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};

/**
 * A pino destination that turns each JSON log line into one line a person reads:
 * `12:00:01.002  disk-monitor  info   disk usage 71%  path=/`. Unparseable lines pass through.
 *
 * @example
 * const logger = createLogger({ destination: humanLogStream(process.stderr, true) });
 */
export function humanLogStream(
  target: { write(chunk: string): unknown },
  color: boolean,
): { write(line: string): void } {
  return {
    write(line: string) {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        // Not a JSON record: show it rather than lose it, escaped like everything else.
        target.write(`${terminalSafe(line.replace(/\n$/, ""))}\n`);
        return;
      }
      const { time, level, msg, daemon, ...fields } = record;
      const levelName = LEVELS[level as number] ?? String(level);
      const levelText = paint(
        color,
        (level as number) >= 50 ? "red" : level === 40 ? "yellow" : "gray",
        levelName.padEnd(5),
      );
      const extras = Object.entries(fields)
        .map(
          ([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`,
        )
        .join(" ");
      const who = typeof daemon === "string" ? daemon : "warden";
      // Messages and fields carry daemons' text: escape what would steer the terminal.
      const text = terminalSafe(`${String(msg ?? "")}${extras ? `  ${extras}` : ""}`);
      target.write(
        `${paint(color, "gray", clockTime(Number(time)))}  ${terminalSafe(who)}  ${levelText}  ${text}\n`,
      );
    },
  };
}
