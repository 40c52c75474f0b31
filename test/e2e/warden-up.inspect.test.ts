/**
 * `warden up --inspect <ws-url>` as a user runs it: a Stately inspector's WebSocket (here a bare
 * `ws` server standing in for `createInspectorServer`) that opens after the manager started gets
 * every daemon's lifecycle actor, then a transition as it happens; a URL that is not a
 * WebSocket's is a usage error.
 */
import { describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { until } from "../support/control-client.ts";
import { freePort } from "../support/process-harness.ts";
import { workspacePerTest } from "../support/manager-run.ts";

const workspace = workspacePerTest();

const SLEEPER = { command: "sleep", args: ["1000"] };

describe("warden up --inspect", () => {
  it("streams every daemon's actor to a viewer that connects late, then each transition", async () => {
    const port = await freePort();
    const space = workspace({ server: { port: 0 }, daemons: { a: SLEEPER, b: SLEEPER } });
    const run = space.up(["--inspect", `ws://127.0.0.1:${port}`]);
    await run.waitForOutput(/5 daemons running/);

    const received: {
      type: string;
      name?: string;
      sessionId: string;
      snapshot?: { value?: unknown };
    }[] = [];
    const server = new WebSocketServer({ host: "127.0.0.1", port });
    server.on("connection", (socket) =>
      socket.on("message", (data) =>
        received.push(JSON.parse(String(data)) as (typeof received)[number]),
      ),
    );
    try {
      const names = ["a", "b", "CROSS_PROCESS_POLLER", "DLQ_RETRY", "HEALTH_SERVER"];
      await until(
        () => names.every((name) => received.some((e) => e.name === name)),
        10_000,
        "every daemon's actor",
      );
      const a = received.find((e) => e.type === "@xstate.actor" && e.name === "a")!;
      const restart = await space.run(["restart", "a"]);
      expect(restart.code).toBe(0);
      await until(
        () =>
          received.some(
            (e) =>
              e.type === "@xstate.snapshot" &&
              e.sessionId === a.sessionId &&
              e.snapshot?.value === "RESTARTING",
          ),
        10_000,
        "a's RESTARTING as it happens",
      );
    } finally {
      for (const client of server.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    }
  });

  it("refuses a URL that is not a WebSocket's (exit 2), starting nothing", async () => {
    const space = workspace({ server: { port: 0 }, daemons: { a: SLEEPER } });
    const run = space.up(["--inspect", "http://127.0.0.1:1"]);
    expect(await run.exited).toBe(2);
    expect(run.output().stderr).toMatch(/--inspect: expected a WebSocket URL/);
    expect(run.output().stdout).not.toContain("STARTING");
  });
});
