/**
 * Text that comes from daemons reaches `warden up`'s terminal through lifecycle lines (crash
 * errors, health details) and through the log stream (ctx.logger messages and fields): neither
 * may carry escape sequences to the terminal.
 */
import { describe, expect, it } from "vitest";
import { formatTransition } from "../../cli/format-transition.ts";
import { humanLogStream } from "../../cli/human-log-stream.ts";
import type { Envelope } from "../../machines/envelope.ts";

/** Any C0 control character but TAB (and, where a line ends, its newline), or DEL. */
// eslint-disable-next-line no-control-regex -- control characters are what this test looks for
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- likewise
const CONTROL_OR_NEWLINE = /[\u0000-\u0008\u000a-\u001f\u007f]/;

const HOSTILE = "boom\x1b]0;owned\x07\x1b[2J\0";

describe("escaping daemons' text for the terminal", () => {
  it("escapes a crash error in a lifecycle line", () => {
    const event: Envelope = {
      id: "1",
      type: "DAEMON_RESTARTING",
      source: "warden",
      time: 0,
      data: {
        daemon: "w",
        from: "RUNNING",
        reason: "crash",
        error: HOSTILE,
        attempt: 1,
        delayMs: 5,
      },
    };
    const line = formatTransition(event, false, 4)!;
    expect(line).not.toMatch(CONTROL);
    expect(line).toContain("boom\\x1b]0;owned\\x07\\x1b[2J\\x00");
  });

  it("escapes a health detail", () => {
    const event: Envelope = {
      id: "2",
      type: "DAEMON_HEALTH_CHANGED",
      source: "warden",
      time: 0,
      data: { daemon: "w", from: "RUNNING", healthy: false, detail: HOSTILE },
    };
    expect(formatTransition(event, false, 4)).not.toMatch(CONTROL);
  });

  it("shows what a daemon waits for (DAEMON_WAITING), escaped", () => {
    const event: Envelope = {
      id: "3",
      type: "DAEMON_WAITING",
      source: "warden",
      time: 0,
      data: { daemon: "trainer", from: "PENDING", waitingFor: "gpu: 1 of 1 held by selfplay" },
    };
    expect(formatTransition(event, false, 8)).toMatch(
      /^\S+ {2}trainer +PENDING waiting for gpu: 1 of 1 held by selfplay$/,
    );
    const data = { daemon: "trainer", from: "PENDING", waitingFor: HOSTILE };
    const hostile: Envelope = { ...event, data };
    expect(formatTransition(hostile, false, 8)).not.toMatch(CONTROL);
  });

  it("escapes log messages and fields, and lines that are not JSON", () => {
    const written: string[] = [];
    const stream = humanLogStream({ write: (chunk: string) => written.push(chunk) }, false);
    stream.write(JSON.stringify({ time: 0, level: 30, daemon: "w", msg: HOSTILE, path: HOSTILE }));
    stream.write(`${HOSTILE}\n`);
    for (const chunk of written) {
      expect(chunk.endsWith("\n")).toBe(true);
      expect(chunk.slice(0, -1)).not.toMatch(CONTROL_OR_NEWLINE);
    }
  });
});
