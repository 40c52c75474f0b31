import { describe, expect, it } from "vitest";
import { formatEvent } from "../../cli/format-event.ts";
import type { Envelope } from "../../machines/envelope.ts";

const time = new Date(2026, 10, 23, 12, 0, 5, 120).getTime();

describe("formatEvent", () => {
  it("prints time, type, source and the data as compact JSON", () => {
    const event = { id: "a-1", type: "MODEL_SAVED", source: "api", time, data: { epoch: 3 } };
    expect(formatEvent(event as Envelope, false, 8)).toBe(
      '12:00:05.120  MODEL_SAVED  api  {"epoch":3}',
    );
  });

  it("shows control characters that a daemon put in the type or the data", () => {
    const event = {
      id: "a-2",
      type: "EVIL\x1b]0;x\x07",
      source: "api",
      time,
      data: { text: "a\u009b31mb" },
    };
    const line = formatEvent(event as Envelope, true, 8);
    expect(line).toContain("EVIL\\x1b]0;x\\x07");
    expect(line).toContain('{"text":"a\\x9b31mb"}');
    expect(line).not.toContain("\x1b]");
    expect(line).not.toContain("\u009b");
  });
});
