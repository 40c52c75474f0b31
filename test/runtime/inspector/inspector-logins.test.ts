/**
 * The inspector's one-time logins (runtime/inspector/inspector-logins.ts) and the checks of its
 * requests (runtime/inspector/inspector-access.ts): single use, expiry, bounds, the cookie and
 * the Origin.
 */
import { describe, expect, it } from "vitest";
import { InspectorLogins } from "../../../runtime/inspector/inspector-logins.ts";
import {
  cookieValue,
  sameOrigin,
  sessionCookie,
  sessionCookieName,
} from "../../../runtime/inspector/inspector-access.ts";

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("inspector logins", () => {
  it("a login token is random, logs in once, and its session then holds", () => {
    const logins = new InspectorLogins();
    const first = logins.mint();
    const second = logins.mint();
    expect(first.token).not.toBe(second.token);
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 bits, base64url
    const session = logins.exchange(first.token);
    expect(session).toBeDefined();
    expect(logins.isSession(session!.id)).toBe(true);
    expect(logins.exchange(first.token)).toBeUndefined(); // used
    expect(logins.isSession(first.token)).toBe(false); // a token is not a session
    expect(logins.exchange(second.token)!.id).not.toBe(session!.id);
  });

  it("unknown, missing and near-miss tokens log nobody in", () => {
    const logins = new InspectorLogins();
    const { token } = logins.mint();
    expect(logins.exchange(undefined)).toBeUndefined();
    expect(logins.exchange("")).toBeUndefined();
    expect(logins.exchange(token.slice(1))).toBeUndefined();
    expect(logins.exchange(`${token}x`)).toBeUndefined();
    expect(logins.isSession(undefined)).toBe(false);
    expect(logins.isSession("nope")).toBe(false);
    expect(logins.exchange(token)).toBeDefined(); // failed attempts did not use it up
  });

  it("a token expires after its time to live; a session after its own", () => {
    const time = clock();
    const logins = new InspectorLogins({ tokenTtlMs: 60_000, sessionTtlMs: 3_600_000 }, time.now);
    const late = logins.mint();
    time.advance(60_000);
    expect(logins.exchange(late.token)).toBeUndefined();
    const onTime = logins.mint();
    expect(onTime.expiresAt).toBe(time.now() + 60_000);
    time.advance(59_999);
    const session = logins.exchange(onTime.token)!;
    expect(session.expiresAt).toBe(time.now() + 3_600_000);
    time.advance(3_599_999);
    expect(logins.isSession(session.id)).toBe(true);
    time.advance(1);
    expect(logins.isSession(session.id)).toBe(false);
    expect(logins.counts).toEqual({ tokens: 0, sessions: 0 });
  });

  it("tokens and sessions are bounded: the oldest go first", () => {
    const logins = new InspectorLogins({ maxTokens: 3, maxSessions: 2 });
    const tokens = Array.from({ length: 5 }, () => logins.mint().token);
    expect(logins.counts.tokens).toBe(3);
    expect(logins.exchange(tokens[0])).toBeUndefined();
    expect(logins.exchange(tokens[1])).toBeUndefined();
    const sessions = tokens.slice(2).map((token) => logins.exchange(token)!.id);
    expect(logins.counts).toEqual({ tokens: 0, sessions: 2 });
    expect(logins.isSession(sessions[0])).toBe(false);
    expect(logins.isSession(sessions[1])).toBe(true);
    expect(logins.isSession(sessions[2])).toBe(true);
  });
});

describe("inspector access", () => {
  it("the session cookie is HttpOnly, SameSite=Strict, for the whole server, named by port", () => {
    expect(sessionCookieName(7070)).toBe("warden_session_7070");
    expect(sessionCookie("warden_session_7070", "abc", 43_200.7)).toBe(
      "warden_session_7070=abc; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200",
    );
  });

  it("reads one cookie out of a Cookie header", () => {
    const header = "theme=dark; warden_session_7070=s1; warden_session_7071=s2";
    expect(cookieValue(header, "warden_session_7070")).toBe("s1");
    expect(cookieValue(header, "warden_session_7071")).toBe("s2");
    expect(cookieValue(header, "warden_session")).toBeUndefined();
    expect(cookieValue(undefined, "warden_session_7070")).toBeUndefined();
    expect(cookieValue("garbage;;=;", "warden_session_7070")).toBeUndefined();
  });

  it("an Origin is the server's own only when scheme, host and port match its Host", () => {
    expect(sameOrigin("http://127.0.0.1:7070", "127.0.0.1:7070")).toBe(true);
    expect(sameOrigin("https://warden.internal", "warden.internal")).toBe(true);
    expect(sameOrigin("http://[::1]:7070", "[::1]:7070")).toBe(true);
    for (const origin of [
      undefined,
      "null",
      "",
      "http://127.0.0.1:7071",
      "http://localhost:7070",
      "http://evil.example",
      "http://127.0.0.1:7070.evil.example",
      "ftp://127.0.0.1:7070",
      "http://127.0.0.1:7070/path",
      "not a url",
    ]) {
      expect(sameOrigin(origin, "127.0.0.1:7070"), String(origin)).toBe(false);
    }
    expect(sameOrigin("http://127.0.0.1:7070", undefined)).toBe(false);
  });
});
