/**
 * A hostile process daemon on its notify socket (SPEC §13): distinct METRICS= names and EVENT=
 * types by the thousand, and a flood of malformed lines. What the manager keeps and logs stays
 * bounded, and everything is still counted.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { DaemonManager } from "../../runtime/manager/daemon-manager.ts";
import { EventHistory, MAX_EVENT_TYPES_PER_SOURCE } from "../../runtime/bus/event-history.ts";
import { MAX_NOTIFY_CONNECTIONS } from "../../actors/notify-socket.ts";
import { OTHER_LABEL } from "../../runtime/bus/label-budget.ts";
import { MAX_METRICS_PER_DAEMON } from "../../actors/notify-message.ts";
import { eventually, QUICK_POLICY } from "../support/process-harness.ts";

const quick = { ...QUICK_POLICY, restart: "never" as const };

/**
 * A Node program that writes `count` lines, `line(n)` for n from 0, on its notify socket, then
 * READY=1, then idles. `line` is JavaScript source (the lines would not fit in argv).
 */
function writer(count: number, line: string) {
  const script = `
    const socket = require("node:net").connect(process.env.WARDEN_NOTIFY_SOCKET);
    const line = ${line};
    for (let n = 0; n < ${count}; n++) socket.write(line(n) + "\\n");
    socket.write("READY=1\\n");
    setInterval(() => {}, 1 << 30);`;
  return { command: process.execPath, args: ["-e", script], ready: { notify: true as const } };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

function setup() {
  const stateDir = mkdtempSync(join(tmpdir(), "warden-bounds-"));
  const warnings: { msg: string; daemon?: string }[] = [];
  const logger = pino(
    { level: "warn" },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) {
          warnings.push(JSON.parse(line) as { msg: string });
        }
        done();
      },
    }),
  );
  const manager = new DaemonManager({ stateDir, logger, captureEscapedErrors: false });
  const history = new EventHistory(manager.events$, 10, { logger });
  cleanup = async () => {
    await manager.close();
    history.close();
    rmSync(stateDir, { recursive: true, force: true });
  };
  return { manager, history, warnings };
}

describe("process daemons: bounded notify input", () => {
  it("METRICS= keeps at most 100 names per daemon; known names still update", async () => {
    const { manager, warnings } = setup();
    // Ten lines of 100 new names each, then an update of a kept name and one more new name.
    const line = `(n) => n < 10
      ? "METRICS=" + JSON.stringify(Object.fromEntries(
          Array.from({ length: 100 }, (_, key) => ["m" + (n * 100 + key), n])))
      : 'METRICS={"m0":42,"fresh":1}'`;
    manager.register("greedy", writer(11, line), quick);
    await manager.start("greedy");

    const metrics = await eventually(
      () => {
        const current = manager.statusOf("greedy").metrics;
        return current?.m0 === 42 ? current : undefined;
      },
      5_000,
      "the last METRICS= line",
    );
    expect(Object.keys(metrics)).toHaveLength(MAX_METRICS_PER_DAEMON);
    expect(metrics).not.toHaveProperty("m100");
    expect(metrics).not.toHaveProperty("fresh");
    expect(manager.statusOf("greedy").process?.invalidNotifyMessages).toBe(0);
    const told = warnings.filter((w) => w.daemon === "greedy" && /metrics/.test(w.msg));
    expect(told).toHaveLength(1);
    expect(told[0]!.msg).toMatch(/more than 100 metrics/);
  });

  it("EVENT= types beyond the daemon's cap are counted as other", async () => {
    const { manager, history } = setup();
    const types = 5_000;
    manager.register("chatty", writer(types, '(n) => `EVENT={"type":"T${n}"}`'), quick);
    await manager.start("chatty");

    const counts = history.counts();
    expect(counts.get(OTHER_LABEL)).toBe(types - MAX_EVENT_TYPES_PER_SOURCE);
    expect(counts.size).toBeLessThanOrEqual(MAX_EVENT_TYPES_PER_SOURCE + 1 + 7);
  });

  it("a flood of malformed lines is counted in full and logged a few times", async () => {
    const { manager, warnings } = setup();
    const flood = 20_000;
    manager.register("sloppy", writer(flood, "(n) => `BAD=${n}`"), quick);
    await manager.start("sloppy");

    expect(manager.statusOf("sloppy").process?.invalidNotifyMessages).toBe(flood);
    const told = warnings.filter((w) => w.daemon === "sloppy");
    expect(told.length).toBeGreaterThan(0);
    expect(told.length).toBeLessThanOrEqual(10);
  });

  it("status shows refused connections and events dropped for subscribers that do not read", async () => {
    const { manager } = setup();
    const connections = MAX_NOTIFY_CONNECTIONS + 6;
    const script = `
      const { connect } = require("node:net");
      const sockets = [];
      for (let n = 0; n < ${connections}; n++) {
        const socket = connect(process.env.WARDEN_NOTIFY_SOCKET);
        socket.on("error", () => {});
        socket.pause(); // never reads what the manager writes back
        socket.write("SUBSCRIBE=*\\n");
        sockets.push(socket);
      }
      sockets[0].write("READY=1\\n");
      setInterval(() => {}, 1 << 30);`;
    manager.register(
      "hoarder",
      { command: process.execPath, args: ["-e", script], ready: { notify: true } },
      quick,
    );
    await manager.start("hoarder");
    await eventually(
      () => manager.statusOf("hoarder").process?.refusedConnections === 6,
      5_000,
      "six refused connections",
    );
    const payload = "x".repeat(16 * 1024);
    for (let n = 0; n < 500; n++) {
      manager.bus.publish("BULK", { n, payload });
      if (n % 16 === 15) await new Promise((resolve) => setImmediate(resolve));
    }

    const status = manager.statusOf("hoarder").process!;
    expect(status.droppedEvents).toBeGreaterThan(0);
    expect(status.refusedConnections).toBe(6);
    expect(status.invalidNotifyMessages).toBe(0);
  }, 20_000);
});
