import { describe, expect, it } from "vitest";
import { formatOutputLine } from "../../cli/format-output-line.ts";

const time = new Date(2026, 10, 23, 12, 0, 5, 120).getTime();

describe("formatOutputLine", () => {
  it("prints the time, the daemon padded to the width, a bar and the line", () => {
    const line = formatOutputLine(
      { daemon: "census", stream: "stdout", line: "hello", time },
      false,
      8,
    );
    expect(line).toBe("12:00:05.120  census    │ hello");
  });

  it("shows control characters a daemon writes instead of sending them to the terminal", () => {
    const written = "\x1b]0;title\x07\x1b[2Jcleared\x00";
    const line = formatOutputLine(
      { daemon: "evil", stream: "stderr", line: written, time },
      false,
      4,
    );
    expect(line).toBe("12:00:05.120  evil  │ \\x1b]0;title\\x07\\x1b[2Jcleared\\x00");
    // With colour on, warden's own escapes remain the only ones.
    const coloured = formatOutputLine(
      { daemon: "evil", stream: "stderr", line: written, time },
      true,
      4,
    );
    expect(coloured).toContain("\\x1b]0;title");
    expect(coloured).not.toContain("\x1b]");
  });
});
