/**
 * `warden up --inspect <ws-url>` as a user runs it: a Stately inspector's WebSocket (here a bare
 * `ws` server standing in for `createInspectorServer`) that opens after the manager started gets
 * every daemon's lifecycle actor, then a transition as it happens; a URL that is not a
 * WebSocket's is a usage error.
 */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { workspacePerTest } from "../support/manager-run.ts";

const workspace = workspacePerTest();

const SLEEPER = { command: "sleep", args: ["1000"] };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function until<T>(check: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 1000; i++) {
    const value = check();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

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
        () => (names.every((name) => received.some((e) => e.name === name)) ? true : undefined),
        "every daemon's actor",
      );
      const a = received.find((e) => e.type === "@xstate.actor" && e.name === "a")!;
      const restart = await space.run(["restart", "a"]);
      expect(restart.code).toBe(0);
      await until(
        () =>
          received.find(
            (e) =>
              e.type === "@xstate.snapshot" &&
              e.sessionId === a.sessionId &&
              e.snapshot?.value === "RESTARTING",
          ),
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
