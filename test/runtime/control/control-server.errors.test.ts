/**
 * The control server's 4xx answers to bad input, and the errors of the HTTP layer below the
 * routes, each in the documented shape. Set-up in test/support/control-server-setup.ts.
 */
import { describe, expect, it } from "vitest";
import { call, until, within } from "../../support/control-client.ts";
import { controlServerPerTest, errorOf, post, TOKEN } from "../../support/control-server-setup.ts";
import { rawConnection, rawExchange, type RawResponse } from "../../support/raw-http.ts";

const { setup } = controlServerPerTest();

describe("control server: bad input", () => {
  it("an unknown route or method is 404 not_found", async () => {
    const { base } = await setup();
    for (const answer of [
      await call(base, "/nope"),
      await call(base, "/v1/daemons/api/start", { token: TOKEN }),
      await call(base, "/healthz", { method: "DELETE" }),
    ]) {
      expect(answer.status).toBe(404);
      expect(errorOf(answer.body).code).toBe("not_found");
    }
  });

  it("malformed JSON is 400 bad_json; JSON of the wrong shape is 400 bad_request", async () => {
    const { base } = await setup();
    const json = { "content-type": "application/json" };
    const malformed = await post(base, "/v1/events", { headers: json, body: '{"type": ' });
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed.body)).toEqual({
      code: "bad_json",
      message: "POST /v1/events: the body is not valid JSON",
    });
    const array = await post(base, "/v1/daemons/worker/start", { headers: json, body: "[1]" });
    expect(array.status).toBe(400);
    expect(errorOf(array.body).code).toBe("bad_request");
  });

  it("a body over the limit is 413 body_too_large", async () => {
    const { base } = await setup();
    const body = JSON.stringify({ type: "BIG", data: "x".repeat(70 * 1024) });
    const { status, body: answer } = await post(base, "/v1/events", {
      headers: { "content-type": "application/json" },
      body,
    });
    expect(status).toBe(413);
    expect(errorOf(answer).code).toBe("body_too_large");
  });

  it("a body that is not application/json is 415 unsupported_media", async () => {
    const { base } = await setup();
    const { status, body } = await post(base, "/v1/events", {
      headers: { "content-type": "text/plain" },
      body: "type=X",
    });
    expect(status).toBe(415);
    expect(errorOf(body).code).toBe("unsupported_media");
    expect(errorOf(body).message).toContain('"text/plain"');
  });

  it("unknown or malformed query parameters are 400 bad_request naming them", async () => {
    const { base } = await setup();
    const cases: [string, string][] = [
      ["/v1/daemons/worker/start?timeoutMS=5", 'did you mean "timeoutMs"?'],
      ["/v1/daemons/worker/start?timeoutMs=soon", "timeoutMs must be an integer"],
      ["/v1/daemons/worker/start?wait=maybe", "wait must be true or false"],
      ["/v1/daemons/worker/start?wait=true&wait=false", "wait is given 2 times"],
    ];
    for (const [path, message] of cases) {
      const { status, body } = await post(base, path);
      expect(status).toBe(400);
      expect(errorOf(body).code).toBe("bad_request");
      expect(errorOf(body).message).toContain(message);
    }
    const limit = await call(base, "/v1/events?limit=5000", { token: TOKEN });
    expect(limit.status).toBe(400);
    expect(errorOf(limit.body).message).toContain("limit must be an integer from 0 to 1000");
  });
});

describe("control server: errors of the HTTP layer", () => {
  /** The documented shape and nothing else, as JSON. */
  const documented = (response: RawResponse | undefined, status: number, code: string) => {
    expect(response?.status).toBe(status);
    expect(response?.headers["content-type"]).toMatch(/^application\/json/);
    const body = JSON.parse(response!.body) as unknown;
    expect(body).toEqual({ error: { code, message: expect.any(String) } });
    return errorOf(body).message;
  };

  it("headers over Node's limit are 431 headers_too_large, then the connection closes", async () => {
    const { port, base } = await setup();
    const [answer, ...more] = await rawExchange(
      port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20 * 1024)}\r\n\r\n`,
    );
    expect(documented(answer, 431, "headers_too_large")).toMatch(/over the limit of 16384 bytes/);
    expect(more).toEqual([]);
    expect((await call(base, "/healthz")).status).toBe(200);
  });

  it("what the HTTP parser rejects is 400 bad_request", async () => {
    const { port } = await setup();
    const requests = [
      "GARBAGE\r\n\r\n",
      "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
      "POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ];
    for (const request of requests) {
      const [answer] = await rawExchange(port, request);
      expect(documented(answer, 400, "bad_request")).toMatch(/malformed HTTP request/);
    }
  });

  it("an HTTP/1.1 request without Host is 400 bad_request, not an empty answer", async () => {
    const { port } = await setup();
    const [answer] = await rawExchange(port, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n");
    expect(documented(answer, 400, "bad_request")).toMatch(/Host header/);
  });

  it("an Expect header other than 100-continue is 417 in the documented shape", async () => {
    const { port } = await setup();
    const [answer] = await rawExchange(
      port,
      "GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nConnection: close\r\n\r\n",
    );
    expect(documented(answer, 417, "bad_request")).toMatch(/"Expect: teapot"/);
  });

  it("a request that arrives while the server closes is 503 shutting_down", async () => {
    const { port, server, manager } = await setup();
    const connection = rawConnection(port);
    connection.send(
      `POST /v1/daemons/sleepy/start?timeoutMs=300 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`,
    );
    await until(() => manager.stateOf("sleepy") === "STARTING", 5_000, "sleepy to start");
    const closing = server.close();
    await until(() => !server.server.listening, 5_000, "the server to stop listening");
    connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    await within(connection.closed, 5_000, "the connection to close");
    const [first, second] = connection.responses();
    expect(first?.status).toBe(504);
    documented(second, 503, "shutting_down");
    await closing;
  });
});
