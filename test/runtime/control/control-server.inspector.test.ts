/**
 * The inspector on the real control server (runtime/inspector/): nothing without a login, a
 * one-time login URL that becomes an HttpOnly session cookie, the page and its data with it,
 * and actions refused unless their Origin is the server's own. Set-up in
 * test/support/control-server-setup.ts.
 */
import { describe, expect, it } from "vitest";
import { call, until } from "../../support/control-client.ts";
import { controlServerPerTest, errorOf, post, TOKEN } from "../../support/control-server-setup.ts";

const { setup } = controlServerPerTest();

interface Login {
  url: string;
  path: string;
  expiresAt: number;
}

/** Logs in through a fresh login URL; the Cookie header that the browser would send. */
async function logIn(base: string): Promise<string> {
  const { body } = await post(base, "/v1/inspector/login");
  const answer = await call(base, (body as unknown as Login).path);
  expect(answer.status).toBe(200);
  return answer.headers.get("set-cookie")!.split(";")[0]!;
}

describe("control server: the inspector", () => {
  it("without a login the page, its assets, its data and its actions answer 401", async () => {
    const { base, manager } = await setup();
    await manager.start("worker");
    const page = await call(base, "/inspector");
    expect(page.status).toBe(401);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.text).toContain("warden inspect");
    for (const path of [
      "/inspector/app.js",
      "/inspector/api/status",
      "/inspector/api/events",
      "/inspector/nope",
    ]) {
      const answer = await call(base, path);
      expect(answer.status, path).toBe(401);
      expect(errorOf(answer.body).code).toBe("unauthorized");
    }
    const forged = await call(base, "/inspector/api/status", {
      headers: { cookie: `warden_session_1=${"x".repeat(43)}; warden_session=abc` },
    });
    expect(forged.status).toBe(401);
    const restart = await call(base, "/inspector/api/daemons/worker/restart", {
      method: "POST",
      headers: { origin: base },
    });
    expect(restart.status).toBe(401);
    expect(manager.status().find((daemon) => daemon.name === "worker")!.restarts).toBe(0);
  });

  it("POST /v1/inspector/login needs the token and gives a URL that logs in once", async () => {
    const { base, port } = await setup();
    expect((await call(base, "/v1/inspector/login", { method: "POST" })).status).toBe(401);
    const { status, body } = await post(base, "/v1/inspector/login");
    expect(status).toBe(200);
    const login = body as unknown as Login;
    expect(login.url).toBe(`${base}${login.path}`);
    expect(login.path).toMatch(/^\/inspector\/login\?token=[A-Za-z0-9_-]{43}$/);
    expect(login.expiresAt).toBeGreaterThan(Date.now());
    expect(login.expiresAt).toBeLessThanOrEqual(Date.now() + 60_000);

    const first = await call(base, login.path);
    expect(first.status).toBe(200);
    const cookie = first.headers.get("set-cookie")!;
    expect(cookie).toMatch(new RegExp(`^warden_session_${port}=[A-Za-z0-9_-]{43}; `));
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/");
    expect(first.headers.get("referrer-policy")).toBe("no-referrer");
    expect(first.text).toContain('url=/inspector"');

    const again = await call(base, login.path);
    expect(again.status).toBe(401);
    expect(again.headers.get("set-cookie")).toBeNull();
    expect((await call(base, "/inspector/login?token=made-up")).status).toBe(401);
    expect((await call(base, "/inspector/login")).status).toBe(401);
  });

  it("with the session cookie the page, its assets and its data answer, with nothing external", async () => {
    const { base } = await setup();
    const cookie = await logIn(base);
    const headers = { cookie };
    const page = await call(base, "/inspector", { headers });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(page.headers.get("cache-control")).toBe("no-store");
    const script = await call(base, "/inspector/app.js", { headers });
    expect(script.headers.get("content-type")).toContain("text/javascript");
    const style = await call(base, "/inspector/app.css", { headers });
    expect(style.headers.get("content-type")).toContain("text/css");
    for (const asset of [page, script, style]) {
      expect(asset.status).toBe(200);
      expect(asset.text).not.toMatch(/https?:\/\//);
      expect(asset.text).not.toMatch(/(src|href)="\/\//);
    }
    expect(page.text).toContain('src="/inspector/app.js"');

    const status = await call(base, "/inspector/api/status", { headers });
    expect(status.status).toBe(200);
    const names = (status.body.daemons as { name: string }[]).map((daemon) => daemon.name);
    expect(names).toEqual(["db", "api", "worker", "broken", "sleepy", "slow-again"]);
    const graph = await call<{ daemons: string[]; svg: string }>(base, "/inspector/api/graph", {
      headers,
    });
    expect(graph.body.daemons).toEqual(names);
    for (const index of names.keys()) expect(graph.body.svg).toContain(`id="daemon&#45;${index}"`);
    const chart = await call<{ svg: string }>(base, "/inspector/api/lifecycle", { headers });
    expect(chart.body.svg).toContain('id="state&#45;RESTARTING"');
    const dlq = await call(base, "/inspector/api/dlq", { headers });
    expect(dlq.body).toMatchObject({ entries: [], total: 0, parked: 0, evicted: 0 });
    const unknown = await call(base, "/inspector/api/daemons/wroker", { headers });
    expect(errorOf(unknown.body).code).toBe("unknown_daemon");
  });

  it("an action with the cookie needs the server's own Origin: 403 otherwise, 202 with it", async () => {
    const { base, manager } = await setup();
    await manager.start("worker");
    const cookie = await logIn(base);
    const path = "/inspector/api/daemons/worker/restart";
    const restarts = () => manager.status().find((daemon) => daemon.name === "worker")!.restarts;
    for (const origin of ["http://evil.example", "null", `${base}.evil.example`, undefined]) {
      const headers: Record<string, string> = { cookie };
      if (origin !== undefined) headers.origin = origin;
      const answer = await call(base, path, { method: "POST", headers });
      expect(answer.status, String(origin)).toBe(403);
      expect(errorOf(answer.body).code).toBe("forbidden");
    }
    expect(restarts()).toBe(0);
    expect(manager.stateOf("worker")).toBe("RUNNING");

    const answer = await call(base, path, { method: "POST", headers: { cookie, origin: base } });
    expect(answer.status).toBe(202);
    expect(answer.body.name).toBe("worker");
    await until(
      () => restarts() === 1 && manager.stateOf("worker") === "RUNNING",
      5_000,
      "restart",
    );

    const details = await call<{ transitions: { type: string }[]; log?: unknown }>(
      base,
      "/inspector/api/daemons/worker",
      { headers: { cookie } },
    );
    expect(details.body.transitions.map((event) => event.type)).toEqual([
      "DAEMON_STARTING",
      "DAEMON_STARTED",
      "DAEMON_RESTARTING",
      "DAEMON_STARTING",
      "DAEMON_STARTED",
    ]);
    expect(details.body.log).toBeUndefined(); // an in-process daemon has no log file

    const stop = await call(base, "/inspector/api/daemons/worker/stop", {
      method: "POST",
      headers: { cookie, origin: base },
    });
    expect(stop.status).toBe(202);
    await until(() => manager.stateOf("worker") === "STOPPED", 5_000, "stopped");
  });

  it("the bearer token opens the inspector's data and actions too (no Origin needed)", async () => {
    const { base, manager } = await setup();
    expect((await call(base, "/inspector/api/status", { token: TOKEN })).status).toBe(200);
    const start = await call(base, "/inspector/api/daemons/worker/start", {
      method: "POST",
      token: TOKEN,
    });
    expect(start.status).toBe(202);
    await until(() => manager.stateOf("worker") === "RUNNING", 5_000, "started");
  });

  it("the event stream sends the backlog and then live events, unnamed, for EventSource", async () => {
    const { base, manager } = await setup();
    await manager.start("worker");
    const cookie = await logIn(base);
    const controller = new AbortController();
    const response = await fetch(`${base}/inspector/api/events`, {
      headers: { cookie },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += (await reader.read()).value ?? "";
    };
    await readUntil(/"type":"DAEMON_STARTED"[^\n]*"daemon":"worker"/);
    void manager.start("db");
    await readUntil(/"type":"DAEMON_STARTED"[^\n]*"daemon":"db"/);
    expect(text).not.toMatch(/^event:/m);
    expect(text).toMatch(/^id: /m);
    controller.abort();
  });
});
