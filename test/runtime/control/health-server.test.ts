/**
 * The HEALTH_SERVER daemon in a real manager: it listens, announces itself in manager.json,
 * serves the API with the token of the state directory, and takes all of it back when stopped.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  controlUrl,
  healthServerDaemon,
  isLoopbackHost,
} from "../../../runtime/control/health-server.ts";
import { readToken } from "../../../runtime/control/api-token.ts";
import { DaemonManager } from "../../../runtime/manager/daemon-manager.ts";
import { isWardenError } from "../../../machines/errors.ts";
import { EventHistory } from "../../../runtime/bus/event-history.ts";
import { readManagerInfo } from "../../../runtime/control/manager-discovery.ts";
import { call, openEventStream, until, within } from "../../support/control-client.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function setup(port = 0) {
  const root = mkdtempSync(join(tmpdir(), "warden-health-"));
  const stateDir = join(root, ".warden");
  const manager = new DaemonManager({ captureEscapedErrors: false, stateDir });
  const history = new EventHistory(manager.events$);
  const health = healthServerDaemon({
    host: "127.0.0.1",
    port,
    stateDir,
    serverOptions: {
      manager,
      history,
      readiness: () => ["HEALTH_SERVER"],
      metrics: async () => ({ contentType: "text/plain", text: "" }),
      config: "/srv/warden.config.ts",
    },
  });
  manager.register("HEALTH_SERVER", health, { restart: "never", stopTimeoutMs: 5_000 });
  cleanups.push(async () => {
    await manager.close();
    history.close();
    rmSync(root, { recursive: true, force: true });
  });
  return { manager, health, stateDir };
}

describe("HEALTH_SERVER", () => {
  it("start listens, writes the token and manager.json; stop removes it and ends streams", async () => {
    const { manager, health, stateDir } = setup();
    const before = Date.now();
    await manager.start("HEALTH_SERVER");
    const url = health.url()!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const file = join(stateDir, "manager.json");
    const written = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    expect(written).toEqual({
      pid: process.pid,
      url,
      startedAt: expect.any(String),
      config: "/srv/warden.config.ts",
    });
    expect(Date.parse(written.startedAt as string)).toBeGreaterThanOrEqual(before - 1_000);
    expect(readManagerInfo(stateDir)).toEqual(written);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(stateDir, "token")).mode & 0o777).toBe(0o600);

    const token = readToken(stateDir)!;
    expect((await call(url, "/healthz")).status).toBe(200);
    expect((await call(url, "/readyz")).body).toEqual({ ready: true });
    const status = await call(url, "/v1/status", { token });
    expect(status.body.manager).toMatchObject({ stateDir, config: "/srv/warden.config.ts" });
    expect(await health.healthCheck!()).toEqual({ healthy: true });

    const stream = await openEventStream(url, "/v1/events?follow=true", token);
    await manager.stop("HEALTH_SERVER");
    await within(stream.ended, 2_000, "the event stream to end");
    expect(existsSync(file)).toBe(false);
    expect(health.url()).toBeUndefined();
    expect(await health.healthCheck!()).toMatchObject({ healthy: false });
    await expect(call(url, "/healthz", { timeoutMs: 2_000 })).rejects.toThrow();
  });

  it("keeps the token across restarts", async () => {
    const { manager, health, stateDir } = setup();
    await manager.start("HEALTH_SERVER");
    const token = readToken(stateDir);
    await manager.restart("HEALTH_SERVER");
    expect(readToken(stateDir)).toBe(token);
    expect((await call(health.url()!, "/v1/status", { token })).status).toBe(200);
  });

  it("survives a client restarting it through its own API", async () => {
    const { manager, health, stateDir } = setup();
    await manager.start("HEALTH_SERVER");
    const token = readToken(stateDir)!;
    const first = health.url()!;
    // The request waits for the restart, which closes the server the request came through.
    await call(first, "/v1/daemons/HEALTH_SERVER/restart", {
      method: "POST",
      token,
      timeoutMs: 5_000,
    }).catch(() => undefined);
    await until(() => manager.stateOf("HEALTH_SERVER") === "RUNNING", 5_000, "RUNNING again");
    expect(manager.statusOf("HEALTH_SERVER").restarts).toBe(1);
    expect(readManagerInfo(stateDir)?.url).toBe(health.url());
    expect((await call(health.url()!, "/healthz")).status).toBe(200);
  });

  it("a port in use fails the start, and no manager.json is written", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(() => resolve())));
    const { manager, stateDir } = setup((blocker.address() as AddressInfo).port);
    const error = await manager.start("HEALTH_SERVER").catch((e: unknown) => e);
    expect(isWardenError(error, "WARDEN_ERR_DAEMON_FAILED")).toBe(true);
    expect((error as Error).message).toContain("EADDRINUSE");
    expect(existsSync(join(stateDir, "manager.json"))).toBe(false);
  });
});

describe("controlUrl and isLoopbackHost", () => {
  it("brackets IPv6 hosts and points wildcard addresses at loopback", () => {
    expect(controlUrl("127.0.0.1", 7070)).toBe("http://127.0.0.1:7070");
    expect(controlUrl("::1", 7070)).toBe("http://[::1]:7070");
    expect(controlUrl("fd00::5", 80)).toBe("http://[fd00::5]:80");
    expect(controlUrl("0.0.0.0", 7070)).toBe("http://127.0.0.1:7070");
    expect(controlUrl("::", 7070)).toBe("http://[::1]:7070");
    expect(controlUrl("localhost", 1)).toBe("http://localhost:1");
  });

  it("knows which hosts are reachable from this machine only", () => {
    for (const host of [
      "127.0.0.1",
      "127.8.9.10",
      "::1",
      "[::1]",
      "localhost",
      "::ffff:127.0.0.1",
    ]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "192.168.1.2", "fd00::5", "example.com"]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});
