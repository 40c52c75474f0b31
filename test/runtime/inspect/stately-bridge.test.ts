/**
 * `warden up --inspect`: the actor system reaches a Stately inspector over a WebSocket — every
 * actor, those created before the viewer's socket opened included (beyond the library's own
 * 200-event pre-connection queue), and each transition as it happens.
 */
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { until } from "../../support/control-client.ts";
import { freePort } from "../../support/process-harness.ts";
import { silentLogger } from "../../../runtime/logger.ts";
import { DaemonManager } from "../../../runtime/manager/daemon-manager.ts";
import { statelyBridge, type StatelyBridge } from "../../../runtime/inspect/stately-bridge.ts";

interface Received {
  type: string;
  name?: string;
  sessionId: string;
  snapshot?: { value?: unknown; status?: string };
}

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function viewer(port: number): { received: Received[]; close: () => Promise<void> } {
  const received: Received[] = [];
  const server = new WebSocketServer({ host: "127.0.0.1", port });
  server.on("connection", (socket) =>
    socket.on("message", (data) => received.push(JSON.parse(String(data)) as Received)),
  );
  const close = () =>
    new Promise<void>((resolve) => {
      // ws 8 closes the server once its connections are gone.
      for (const client of server.clients) client.terminate();
      server.close(() => resolve());
    });
  return { received, close };
}

const idle = { start() {}, stop() {} };

describe("the Stately bridge", () => {
  it("refuses a URL that is not a WebSocket's", () => {
    expect(() => statelyBridge({ url: "http://x", logger: silentLogger() })).toThrow(
      /expected a WebSocket URL/,
    );
  });

  it("gives a viewer that connects late every actor, named after its daemon, then live transitions", async () => {
    const port = await freePort();
    const bridge: StatelyBridge = statelyBridge({
      url: `ws://127.0.0.1:${port}`,
      logger: silentLogger(),
      retryMs: 20,
    });
    cleanup.push(() => bridge.stop());
    const manager = new DaemonManager({ inspect: bridge.inspect, captureEscapedErrors: false });
    cleanup.push(() => manager.close());
    // Enough actors that their events overflow the library's 200-event queue.
    const names = Array.from({ length: 120 }, (_, i) => `daemon-${i}`);
    for (const name of names) manager.register(name, idle);
    await manager.startAll();

    const { received, close } = viewer(port);
    cleanup.push(close);
    await until(
      () => names.every((name) => received.some((e) => e.name === name)),
      5_000,
      "every daemon's actor in the viewer",
    );
    const session = received.find((e) => e.type === "@xstate.actor" && e.name === "daemon-7")!;
    // Its current state came with it.
    expect(
      received.find((e) => e.type === "@xstate.snapshot" && e.sessionId === session.sessionId)
        ?.snapshot?.value,
    ).toBe("RUNNING");

    const before = received.length;
    await manager.stop("daemon-7");
    await until(
      () =>
        received
          .slice(before)
          .some(
            (e) =>
              e.type === "@xstate.snapshot" &&
              e.sessionId === session.sessionId &&
              e.snapshot?.value === "STOPPED",
          ),
      5_000,
      "daemon-7's STOPPED as it happens",
    );
  });
});
