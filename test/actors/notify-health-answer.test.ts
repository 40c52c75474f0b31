import { describe, expect, it } from "vitest";
import {
  MAX_HEALTH_DETAIL_LENGTH,
  NO_DETAIL,
  parseHealthAnswer,
} from "../../actors/notify-health-answer.ts";
import { parseNotifyMessage } from "../../actors/notify-message.ts";

describe("parseHealthAnswer", () => {
  it("takes exactly ok as healthy", () => {
    expect(parseHealthAnswer("ok")).toEqual({ ok: true, healthy: true });
  });

  it("takes fail with the rest of the line, as written, as the detail", () => {
    expect(parseHealthAnswer("fail disk full")).toEqual({
      ok: true,
      healthy: false,
      detail: "disk full",
    });
    expect(parseHealthAnswer("fail  two spaces, = and all ")).toMatchObject({
      detail: " two spaces, = and all ",
    });
  });

  it("gives a fail without a detail one that says so", () => {
    expect(parseHealthAnswer("fail")).toEqual({ ok: true, healthy: false, detail: NO_DETAIL });
    expect(parseHealthAnswer("fail ")).toEqual({ ok: true, healthy: false, detail: NO_DETAIL });
  });

  it("cuts a long detail, never inside a character", () => {
    const long = "é🙂".repeat(MAX_HEALTH_DETAIL_LENGTH);
    const answer = parseHealthAnswer(`fail ${long}`);
    if (!answer.ok || answer.healthy) throw new Error("expected a failure");
    expect([...answer.detail!]).toHaveLength(MAX_HEALTH_DETAIL_LENGTH + 1);
    expect(answer.detail!.endsWith("…")).toBe(true);
    expect(long.startsWith(answer.detail!.slice(0, -1))).toBe(true);
  });

  it("rejects anything else, quoting it", () => {
    expect(parseHealthAnswer("OK")).toEqual({
      ok: false,
      error: 'expected "ok" or "fail <detail>", got "OK"',
    });
    expect(parseHealthAnswer("ok ")).toMatchObject({ ok: false });
    expect(parseHealthAnswer("failed")).toMatchObject({ ok: false });
    expect(parseHealthAnswer("")).toMatchObject({ ok: false, error: /got ""$/ });
    const error = parseHealthAnswer("x".repeat(10_000));
    expect(error.ok).toBe(false);
    if (!error.ok) expect(error.error.length).toBeLessThan(120);
  });
});

describe("parseNotifyMessage: HEALTH", () => {
  it("parses the answers to HEALTH?", () => {
    expect(parseNotifyMessage("HEALTH=ok")).toEqual({
      ok: true,
      message: { kind: "HEALTH", healthy: true },
    });
    expect(parseNotifyMessage("HEALTH=fail queue stuck")).toEqual({
      ok: true,
      message: { kind: "HEALTH", healthy: false, detail: "queue stuck" },
    });
  });

  it("names the key and the expected forms in its errors", () => {
    expect(parseNotifyMessage("HEALTH=yes")).toEqual({
      ok: false,
      error: 'HEALTH: expected "ok" or "fail <detail>", got "yes"',
    });
    expect(parseNotifyMessage("HEALTH")).toEqual({
      ok: false,
      error: 'HEALTH: expected HEALTH=ok or HEALTH=fail <detail>, got "HEALTH"',
    });
    expect(parseNotifyMessage("health=ok")).toMatchObject({
      ok: false,
      error: 'unknown message "health=ok" (did you mean "HEALTH"? keys are case-sensitive)',
    });
  });
});
