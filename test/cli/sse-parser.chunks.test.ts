import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SseParser, type SseEvent } from "../../cli/sse-parser.ts";

function parse(chunks: readonly string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

/** What the manager sends, with every line ending and field form the standard allows. */
const STREAM =
  ": keep-alive\n\n" +
  'id: 1f3k-1\nevent: DAEMON_STARTED\ndata: {"id":"1f3k-1","data":{"daemon":"api"}}\n\n' +
  "id: 1f3k-2\r\nevent: MODEL_SAVED\r\ndata: first line\r\ndata: second line\r\n\r\n" +
  "id:1f3k-3\revent:ALERT\rdata:no space\r\r" +
  "data\n\n" +
  "event: EMPTY\n\n" +
  "retry: 3000\nunknown: x\ndata:  two spaces, one kept\n\n" +
  "data: ünïcödé ✓\n\n" +
  "data: cut off by the end of the stream";

const EXPECTED: SseEvent[] = [
  { id: "1f3k-1", event: "DAEMON_STARTED", data: '{"id":"1f3k-1","data":{"daemon":"api"}}' },
  { id: "1f3k-2", event: "MODEL_SAVED", data: "first line\nsecond line" },
  { id: "1f3k-3", event: "ALERT", data: "no space" },
  // A bare "data" line is a field with an empty value; the last id carries over.
  { id: "1f3k-3", event: "message", data: "" },
  { id: "1f3k-3", event: "message", data: " two spaces, one kept" },
  { id: "1f3k-3", event: "message", data: "ünïcödé ✓" },
];

describe("SseParser", () => {
  it("parses ids, types, multi-line data, comments and every line ending in one chunk", () => {
    expect(parse([STREAM])).toEqual(EXPECTED);
  });

  it("gives the same events wherever the stream is cut in two", () => {
    for (let at = 0; at <= STREAM.length; at++) {
      expect(parse([STREAM.slice(0, at), STREAM.slice(at)]), `cut at ${at}`).toEqual(EXPECTED);
    }
  });

  it("gives the same events however the stream is cut into many chunks", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(STREAM.length), { maxLength: 40 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), STREAM.length];
        const chunks = points.slice(1).map((end, i) => STREAM.slice(points[i], end));
        expect(parse(chunks)).toEqual(EXPECTED);
      }),
      { numRuns: 300 },
    );
  });

  it("takes a \\r\\n split across chunks as one line ending, not two", () => {
    // Two line endings would be a blank line between the data lines, ending the event early.
    expect(parse(["data: a\r", "\ndata: b\r", "\n\r", "\n"])).toEqual([
      { id: undefined, event: "message", data: "a\nb" },
    ]);
  });

  it("reports each event as soon as its blank line arrives", () => {
    const events: SseEvent[] = [];
    const parser = new SseParser((event) => events.push(event));
    parser.push("event: A\ndata: 1\n");
    expect(events).toEqual([]);
    parser.push("\n");
    expect(events).toEqual([{ id: undefined, event: "A", data: "1" }]);
  });
});
