import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  isBlankNotifyLine,
  MAX_EVENT_TYPE_LENGTH,
  MAX_METRIC_STRING_LENGTH,
  MAX_METRICS_KEYS,
  MAX_NOTIFY_LINE_BYTES,
  NOTIFY_KEYS,
  parseNotifyMessage,
  type NotifyMessage,
} from "../../actors/notify-message.ts";

function message(line: string): NotifyMessage {
  const result = parseNotifyMessage(line);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(line)} to parse: ${result.error}`);
  return result.message;
}

function error(line: string): string {
  const result = parseNotifyMessage(line);
  if (result.ok)
    throw new Error(`expected ${JSON.stringify(line)} to fail, got ${result.message.kind}`);
  return result.error;
}

const eventLine = (event: unknown) => `EVENT=${JSON.stringify(event)}`;

describe("parseNotifyMessage: READY and WATCHDOG", () => {
  it("accepts exactly the value 1", () => {
    expect(message("READY=1")).toEqual({ kind: "READY" });
    expect(message("WATCHDOG=1")).toEqual({ kind: "WATCHDOG" });
  });

  it("rejects any other value, quoting it", () => {
    expect(error("READY=0")).toBe('READY: expected "1", got "0"');
    expect(error("WATCHDOG=yes")).toBe('WATCHDOG: expected "1", got "yes"');
    expect(error("READY=1 ")).toBe('READY: expected "1", got "1 "');
    expect(error("READY=")).toBe('READY: expected "1", got ""');
  });

  it("rejects a known key without '=', showing the expected form", () => {
    expect(error("READY")).toBe('READY: expected READY=1, got "READY"');
    expect(error("SUBSCRIBE")).toBe(
      'SUBSCRIBE: expected SUBSCRIBE=<event type or *>, got "SUBSCRIBE"',
    );
  });
});

describe("parseNotifyMessage: keys", () => {
  it("names the known keys for an unknown one", () => {
    expect(error("FOO=1")).toBe(
      'unknown message "FOO=1" (expected READY, WATCHDOG, STATUS, EVENT, METRICS, SUBSCRIBE or HEALTH)',
    );
    expect(error("hello")).toMatch(/^unknown message "hello" \(expected READY, /);
  });

  it("is case-sensitive, and says so when only the case is wrong", () => {
    expect(error("ready=1")).toBe(
      'unknown message "ready=1" (did you mean "READY"? keys are case-sensitive)',
    );
    expect(error("STATS=ok")).toBe('unknown message "STATS=ok" (did you mean "STATUS"?)');
  });

  it("does not take prototype names for keys", () => {
    expect(error("constructor=1")).toMatch(/^unknown message "constructor=1"/);
    expect(error("__proto__=1")).toMatch(/^unknown message "__proto__=1"/);
  });

  it("quotes a long unknown line shortened", () => {
    const text = error(`${"X".repeat(5000)}=1`);
    expect(text.length).toBeLessThan(200);
    expect(text).toContain(`"${"X".repeat(60)}"…`);
  });
});

describe("parseNotifyMessage: STATUS", () => {
  it("takes the text as written, '=' and all", () => {
    expect(message("STATUS=epoch 3/10, loss=0.25")).toEqual({
      kind: "STATUS",
      text: "epoch 3/10, loss=0.25",
    });
    expect(message("STATUS=  padded  ")).toEqual({ kind: "STATUS", text: "  padded  " });
    expect(message("STATUS=préchauffage ✓")).toEqual({ kind: "STATUS", text: "préchauffage ✓" });
  });

  it("accepts an empty text, which clears the status", () => {
    expect(message("STATUS=")).toEqual({ kind: "STATUS", text: "" });
  });
});

describe("parseNotifyMessage: EVENT", () => {
  it("takes a type and any JSON data", () => {
    expect(message(eventLine({ type: "MODEL_SAVED", data: { step: 100 } }))).toEqual({
      kind: "EVENT",
      type: "MODEL_SAVED",
      data: { step: 100 },
    });
    expect(message(eventLine({ type: "a.b-c:d", data: [1, "x"] }))).toMatchObject({
      data: [1, "x"],
    });
    expect(message(eventLine({ type: "T", data: "text" }))).toMatchObject({ data: "text" });
    expect(message(eventLine({ data: false, type: "T" }))).toMatchObject({ data: false });
  });

  it("makes missing data null", () => {
    expect(message('EVENT={"type":"TICK"}')).toEqual({ kind: "EVENT", type: "TICK", data: null });
    expect(message('EVENT={"type":"TICK","data":null}')).toMatchObject({ data: null });
  });

  it("rejects what is not a JSON object with a type string", () => {
    expect(error("EVENT=42")).toBe('EVENT: expected a JSON object with a "type" string, got 42');
    expect(error("EVENT=[1]")).toBe('EVENT: expected a JSON object with a "type" string, got [1]');
    expect(error("EVENT=null")).toBe(
      'EVENT: expected a JSON object with a "type" string, got null',
    );
    expect(error('EVENT="TICK"')).toBe(
      'EVENT: expected a JSON object with a "type" string, got "TICK"',
    );
    expect(error('EVENT={"data":1}')).toBe(
      'EVENT: expected a JSON object with a "type" string, got {"data":1}',
    );
    expect(error('EVENT={"type":42}')).toBe(
      'EVENT: expected a JSON object with a "type" string, got "type": 42',
    );
  });

  it("rejects invalid or missing JSON", () => {
    expect(error("EVENT={type:1}")).toMatch(/^EVENT: invalid JSON \(.+\): \{type:1\}$/);
    expect(error('EVENT={"type":"A"} trailing')).toMatch(/^EVENT: invalid JSON /);
    expect(error("EVENT=")).toBe(
      'EVENT: expected EVENT={"type": "<type>", "data": <json>}, got an empty value',
    );
  });

  it("rejects keys other than type and data, suggesting the closest", () => {
    expect(error('EVENT={"type":"A","payload":1}')).toBe(
      'EVENT: unknown key "payload" (expected only "type" and "data")',
    );
    expect(error('EVENT={"Type":"A"}')).toBe('EVENT: unknown key "Type" (did you mean "type"?)');
    expect(error('EVENT={"type":"A","dat":1}')).toBe(
      'EVENT: unknown key "dat" (did you mean "data"?)',
    );
  });

  it("checks the type's syntax", () => {
    expect(error(eventLine({ type: "" }))).toBe('EVENT: "type" must not be empty');
    expect(error(eventLine({ type: "MODEL SAVED" }))).toBe(
      'EVENT: "type" must not contain whitespace or control characters, got "MODEL SAVED"',
    );
    expect(error(eventLine({ type: "A\tB" }))).toMatch(/must not contain whitespace/);
    expect(error(eventLine({ type: "A\u0000" }))).toMatch(/must not contain whitespace/);
    expect(error(eventLine({ type: "A\u00a0B" }))).toMatch(/must not contain whitespace/);
  });

  it("allows types of up to 200 characters, counting code points", () => {
    const longest = "T".repeat(MAX_EVENT_TYPE_LENGTH);
    expect(message(eventLine({ type: longest }))).toMatchObject({ type: longest });
    expect(message(eventLine({ type: "🚀".repeat(MAX_EVENT_TYPE_LENGTH) }))).toMatchObject({
      kind: "EVENT",
    });
    expect(error(eventLine({ type: `${longest}T` }))).toMatch(
      /^EVENT: "type" must be at most 200 characters, got 201: "T{60}"…$/,
    );
  });

  it("reserves DAEMON_ types for the manager", () => {
    expect(error(eventLine({ type: "DAEMON_STARTED" }))).toBe(
      `EVENT: type "DAEMON_STARTED" is reserved (DAEMON_* are the manager's lifecycle events)`,
    );
    expect(error(eventLine({ type: "DAEMON_ANYTHING" }))).toMatch(/is reserved/);
    expect(message(eventLine({ type: "MY_DAEMON_STARTED" }))).toMatchObject({ kind: "EVENT" });
  });
});

describe("parseNotifyMessage: METRICS", () => {
  it("takes numbers and strings", () => {
    expect(message('METRICS={"loss":0.25,"step":100,"phase":"train","delta":-1e-9}')).toEqual({
      kind: "METRICS",
      metrics: { loss: 0.25, step: 100, phase: "train", delta: -1e-9 },
    });
    expect(message("METRICS={}")).toEqual({ kind: "METRICS", metrics: {} });
  });

  it("rejects other values, naming the metric", () => {
    expect(error('METRICS={"loss":1e999}')).toBe(
      'METRICS: "loss" must be a finite number or a string, got Infinity',
    );
    expect(error('METRICS={"ok":true}')).toBe(
      'METRICS: "ok" must be a finite number or a string, got true',
    );
    expect(error('METRICS={"a":null}')).toMatch(
      /"a" must be a finite number or a string, got null/,
    );
    expect(error('METRICS={"gpu":{"util":1}}')).toBe(
      'METRICS: "gpu" must be a finite number or a string, got {"util":1}',
    );
  });

  it("rejects what is not a JSON object", () => {
    expect(error("METRICS=[1,2]")).toBe(
      "METRICS: expected a JSON object of numbers and strings, got [1,2]",
    );
    expect(error("METRICS=7")).toMatch(/^METRICS: expected a JSON object/);
    expect(error("METRICS={")).toMatch(/^METRICS: invalid JSON /);
    expect(error("METRICS=")).toMatch(/^METRICS: expected METRICS=\{.*got an empty value$/);
  });

  it("takes Prometheus-safe metric names only", () => {
    expect(error('METRICS={"":1}')).toBe("METRICS: a metric name must not be empty");
    expect(error('METRICS={"gpu util":1}')).toMatch(/a metric name must not contain whitespace/);
    for (const name of ["gpu.util", "9lives", "loss-rate", "é", 'a"b', "a{b}"]) {
      expect(error(`METRICS=${JSON.stringify({ [name]: 1 })}`)).toBe(
        `METRICS: metric name ${JSON.stringify(name)} must be letters, digits, "_" and ":", not starting with a digit`,
      );
    }
    expect(message('METRICS={"gpu_util:avg":1,"_x9":2,"Loss":3}')).toMatchObject({
      metrics: { "gpu_util:avg": 1, _x9: 2, Loss: 3 },
    });
    expect(error(`METRICS={"${"m".repeat(201)}":1}`)).toMatch(/must be at most 200 characters/);
  });

  it("bounds string values", () => {
    const longest = "x".repeat(MAX_METRIC_STRING_LENGTH);
    expect(message(`METRICS={"phase":"${longest}"}`)).toMatchObject({
      metrics: { phase: longest },
    });
    expect(error(`METRICS={"phase":"${longest}x"}`)).toBe(
      `METRICS: "phase" must be at most ${MAX_METRIC_STRING_LENGTH} characters, got ${MAX_METRIC_STRING_LENGTH + 1}`,
    );
  });

  it("allows at most 100 metrics per line", () => {
    const metrics = (count: number) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`m${i}`, i]));
    const full = message(`METRICS=${JSON.stringify(metrics(MAX_METRICS_KEYS))}`);
    expect(full.kind === "METRICS" && Object.keys(full.metrics)).toHaveLength(MAX_METRICS_KEYS);
    expect(MAX_METRICS_KEYS).toBe(100);
    expect(error(`METRICS=${JSON.stringify(metrics(MAX_METRICS_KEYS + 1))}`)).toBe(
      "METRICS: 101 metrics, at most 100 per line",
    );
  });

  it("keeps a __proto__ key a plain key", () => {
    const parsed = message('METRICS={"__proto__":1,"b":"x"}');
    if (parsed.kind !== "METRICS") throw new Error("not METRICS");
    expect(Object.getPrototypeOf(parsed.metrics)).toBe(Object.prototype);
    expect(Object.keys(parsed.metrics)).toEqual(["__proto__", "b"]);
  });
});

describe("parseNotifyMessage: SUBSCRIBE", () => {
  it("takes an event type or *", () => {
    expect(message("SUBSCRIBE=MODEL_SAVED")).toEqual({
      kind: "SUBSCRIBE",
      eventType: "MODEL_SAVED",
    });
    expect(message("SUBSCRIBE=*")).toEqual({ kind: "SUBSCRIBE", eventType: "*" });
  });

  it("allows subscribing to the manager's lifecycle events", () => {
    expect(message("SUBSCRIBE=DAEMON_FAILED")).toEqual({
      kind: "SUBSCRIBE",
      eventType: "DAEMON_FAILED",
    });
  });

  it("checks the type's syntax", () => {
    expect(error("SUBSCRIBE=")).toBe(
      "SUBSCRIBE: expected SUBSCRIBE=<event type or *>, got an empty value",
    );
    expect(error("SUBSCRIBE=A B")).toBe(
      'SUBSCRIBE: the event type must not contain whitespace or control characters, got "A B"',
    );
    expect(error(`SUBSCRIBE=${"T".repeat(MAX_EVENT_TYPE_LENGTH + 1)}`)).toMatch(
      /^SUBSCRIBE: the event type must be at most 200 characters, got 201/,
    );
  });
});

describe("parseNotifyMessage: the line limit", () => {
  const statusOf = (bytes: number) => `STATUS=${"s".repeat(bytes - "STATUS=".length)}`;

  it("accepts a line of exactly 65536 bytes", () => {
    expect(message(statusOf(MAX_NOTIFY_LINE_BYTES))).toMatchObject({ kind: "STATUS" });
  });

  it("rejects one byte more", () => {
    expect(error(statusOf(MAX_NOTIFY_LINE_BYTES + 1))).toBe("line longer than 65536 bytes");
  });

  it("counts UTF-8 bytes, not characters", () => {
    const twoByteChars = "é".repeat(MAX_NOTIFY_LINE_BYTES / 2); // 32768 characters, 65536 bytes
    expect(error(`STATUS=${twoByteChars}`)).toBe("line longer than 65536 bytes");
    expect(message(`STATUS=${twoByteChars.slice(4)}`)).toMatchObject({ kind: "STATUS" });
  });
});

describe("blank lines", () => {
  it("are recognised so that the caller can skip them silently", () => {
    expect(isBlankNotifyLine("")).toBe(true);
    expect(isBlankNotifyLine(" \t ")).toBe(true);
    expect(isBlankNotifyLine("READY=1")).toBe(false);
    expect(isBlankNotifyLine("STATUS=")).toBe(false);
  });

  it("are an error for a caller that parses them anyway", () => {
    expect(error("")).toBe("empty line");
    expect(error("   ")).toBe("empty line");
  });
});

describe("parseNotifyMessage on arbitrary input", () => {
  it("never throws and keeps errors short", () => {
    const key = fc.constantFrom(...NOTIFY_KEYS, "X");
    const line = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 300 }),
      fc.tuple(key, fc.string({ unit: "binary", maxLength: 300 })).map(([k, v]) => `${k}=${v}`),
      fc.tuple(key, fc.json()).map(([k, v]) => `${k}=${v}`),
    );
    fc.assert(
      fc.property(line, (text) => {
        const result = parseNotifyMessage(text);
        if (!result.ok) expect(result.error.length).toBeLessThan(400);
      }),
      { numRuns: 2000 },
    );
  });
});
