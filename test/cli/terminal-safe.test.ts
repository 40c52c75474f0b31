import { describe, expect, it } from "vitest";
import { terminalSafe } from "../../cli/terminal-safe.ts";

describe("terminalSafe", () => {
  it("leaves printable text, TAB and non-ASCII characters alone", () => {
    const text = "ready\tport 8080 — ünïcode ✓ 日本 \\x1b stays as typed";
    expect(terminalSafe(text)).toBe(text);
    expect(terminalSafe("")).toBe("");
  });

  it("shows ESC and the sequences it starts as visible text", () => {
    expect(terminalSafe("\x1b[31mred\x1b[0m")).toBe("\\x1b[31mred\\x1b[0m");
    // An OSC sequence that would set the window title, ended by BEL or by ST.
    expect(terminalSafe("\x1b]0;pwned\x07after")).toBe("\\x1b]0;pwned\\x07after");
    expect(terminalSafe("\x1b]0;pwned\x1b\\after")).toBe("\\x1b]0;pwned\\x1b\\after");
  });

  it("escapes every other C0 control, DEL and the C1 controls", () => {
    expect(terminalSafe("a\x00b\rc\nd\x08e\x7ff")).toBe("a\\x00b\\x0dc\\x0ad\\x08e\\x7ff");
    // U+009B is a one-character CSI on terminals that honour C1 controls.
    expect(terminalSafe("x\u009b31my\u0085z")).toBe("x\\x9b31my\\x85z");
    const controls = Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code))
      .filter((char) => char !== "\t")
      .join("");
    // eslint-disable-next-line no-control-regex -- the point is that none is left.
    expect(terminalSafe(controls)).not.toMatch(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/);
  });
});
