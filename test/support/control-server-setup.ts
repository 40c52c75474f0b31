/**
 * The control and health API (docs/control-api.md) over real HTTP on 127.0.0.1, against a real
 * DaemonManager with small in-process daemons: the set-up shared by the control server tests
 * (test/runtime/control/control-server.*.test.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach } from "vitest";
import { createControlServer } from "../../runtime/control/control-server.ts";
import { DaemonManager } from "../../runtime/manager/daemon-manager.ts";
import type { DaemonContext, InProcessDaemon } from "../../actors/daemon-types.ts";
import { EventHistory } from "../../runtime/bus/event-history.ts";
import { call, openEventStream, type SseReader } from "./control-client.ts";

export const TOKEN = "a".repeat(64);
export const METRICS_TEXT = "# TYPE warden_up gauge\nwarden_up 1\n";
export const PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

/**
 * Starts after `startMs` (`laterStartMs` from its second start on), or when its start is
 * cancelled; stops at once.
 */
function daemon(startMs = 0, laterStartMs = startMs): InProcessDaemon {
  let starts = 0;
  return {
    start: (ctx: DaemonContext) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, starts++ === 0 ? startMs : laterStartMs);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      }),
    stop() {},
  };
}

const broken: InProcessDaemon = {
  start: () => Promise.reject(new Error("cannot open the port")),
  stop() {},
};

export interface Setup {
  base: string;
  port: number;
  server: ReturnType<typeof createControlServer>;
  manager: DaemonManager;
  history: EventHistory;
  stateDir: string;
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface SetupOptions {
  metrics?: () => Promise<{ contentType: string; text: string }>;
  problems?: () => readonly string[];
}

/**
 * Call once at the top of a test file. `setup()` in a test starts a control server; `follow()`
 * opens an event stream on it. Streams and servers are closed after each test.
 *
 * @example
 * const { setup, follow } = controlServerPerTest();
 * it("…", async () => { const { base } = await setup(); const stream = await follow(base, "/v1/events?follow=true"); });
 */
export function controlServerPerTest(): {
  setup(options?: SetupOptions): Promise<Setup>;
  follow(base: string, path: string, headers?: Record<string, string>): Promise<SseReader>;
} {
  const cleanups: (() => Promise<void>)[] = [];
  const streams: SseReader[] = [];
  afterEach(async () => {
    for (const stream of streams.splice(0)) stream.close();
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  /**
   * db ← api (30 ms to start), worker, broken (never starts, no restarts), sleepy (5 s to start),
   * slow-again (5 s to start but the first time); /readyz waits for api and worker.
   */
  async function setup(options: SetupOptions = {}): Promise<Setup> {
    const stateDir = mkdtempSync(join(tmpdir(), "warden-control-"));
    const manager = new DaemonManager({ captureEscapedErrors: false, stateDir });
    const history = new EventHistory(manager.events$);
    manager.register("db", daemon());
    manager.register("api", daemon(30), { dependsOn: ["db"] });
    manager.register("worker", daemon());
    manager.register("broken", broken, { restart: "never" });
    manager.register("sleepy", daemon(5_000));
    manager.register("slow-again", daemon(0, 5_000));
    const logs: Record<string, unknown>[] = [];
    const logger = pino(
      { level: "warn" },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logs.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
          done();
        },
      }),
    );
    const server = createControlServer({
      manager,
      history,
      token: TOKEN,
      readiness: () => ["db", "api", "worker"],
      ...(options.problems ? { problems: options.problems } : {}),
      metrics: options.metrics ?? (async () => ({ contentType: PROMETHEUS, text: METRICS_TEXT })),
      info: { pid: process.pid, startedAt: Date.now() - 2_000, stateDir, config: "/x/warden.json" },
      logger,
    });
    await server.listen({ host: "127.0.0.1", port: 0 });
    const { port } = server.server.address() as AddressInfo;
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await server.close();
      await manager.close();
      history.close();
      rmSync(stateDir, { recursive: true, force: true });
    };
    cleanups.push(close);
    return {
      base: `http://127.0.0.1:${port}`,
      port,
      server,
      manager,
      history,
      stateDir,
      logs,
      close,
    };
  }

  async function follow(base: string, path: string, headers?: Record<string, string>) {
    const stream = await openEventStream(base, path, TOKEN, headers);
    streams.push(stream);
    return stream;
  }

  return { setup, follow };
}

/** A POST with the token. */
export const post = (base: string, path: string, extra: Parameters<typeof call>[2] = {}) =>
  call(base, path, { method: "POST", token: TOKEN, ...extra });

/** The `error` of an error answer's body. */
export const errorOf = (body: unknown) =>
  (body as { error: { code: string; message: string } }).error;
