/**
 * The outbound bridge's fast path (runtime/cluster/bridge-out.ts): a live event published at
 * once from memory when the sender is caught up, the journal read back afterwards. Whatever mix
 * of paced events, bursts and a NATS outage, the stream holds every event exactly once, in the
 * order of the journal — and paced events took the fast path.
 */
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../../actors/clock.ts";
import { EVENTS_STREAM } from "../../../runtime/cluster/bridge-stream.ts";
import { Cluster } from "../../../runtime/cluster/cluster.ts";
import { clusterSettings } from "../../../runtime/cluster/cluster-settings.ts";
import { Journal } from "../../../runtime/journal/journal.ts";
import { silentLogger } from "../../../runtime/logger.ts";
import { DaemonManager } from "../../../runtime/manager/daemon-manager.ts";
import { eventuallyAsync } from "../../support/manager-run.ts";
import { natsServerPerTest } from "../../support/nats-server.ts";

const nats = natsServerPerTest();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const until = <T>(what: string, check: () => T | undefined) =>
  eventuallyAsync(async () => check(), 20_000, what);

/** The `n` of every event in the stream's subject of node `a`, in stream order. */
async function streamed(url: string): Promise<number[]> {
  const nc = await connect({ servers: url });
  try {
    const info = await (await jetstreamManager(nc)).streams.info(EVENTS_STREAM);
    const consumer = await jetstream(nc).consumers.get(EVENTS_STREAM);
    const found: number[] = [];
    for (let left = info.state.messages; left > 0; left--) {
      const msg = await consumer.next({ expires: 5_000 });
      if (msg === null) break;
      if (msg.subject === "warden.events.a")
        found.push((msg.json() as { data: { n: number } }).data.n);
    }
    return found;
  } finally {
    await nc.close();
  }
}

describe("the outbound bridge's fast path", () => {
  it("sends every event once, in journal order, across paced events, bursts and an outage", async () => {
    const server = await nats();
    const dir = mkdtempSync(join(tmpdir(), "warden-bridge-out-"));
    const journal = Journal.open(dir);
    const manager = new DaemonManager({ journal, logger: silentLogger() });
    const settings = clusterSettings(
      { nats: server.url, node: "a", ttlMs: 2_000, events: ["E"] },
      join(dir, "warden.config.json"),
    );
    const cluster = new Cluster({
      settings,
      manager,
      logger: silentLogger(),
      version: "test",
      profile: null,
      clock: systemClock,
    });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => journal.close());
    cleanups.push(() => manager.close());
    cleanups.push(() => cluster.close());
    cluster.start();
    const bridge = cluster["bridgeOut"]!;
    const connected = () => cluster.document().nats.state === "connected";
    await until("connected", () => (connected() ? true : undefined));

    let n = 0;
    const publish = () => manager.bus.publish("E", { n: n++ });
    const allSent = () =>
      until(`${n} sent`, () => (bridge.behind === 0 && bridge.sent >= n ? true : undefined));
    // Paced: each published once the sender is idle at the journal's end, as live events
    // mostly are: they take the fast path (one may not, if the cluster journaled an event of
    // its own just before).
    const idle = () =>
      until("the sender idle at the journal's end", () =>
        bridge["caughtUp"] && !bridge["pumping"] && bridge.behind === 0 ? true : undefined,
      );
    for (let i = 0; i < 10; i++) {
      await idle();
      publish();
      await allSent();
    }
    expect(bridge.live).toBeGreaterThan(0);
    // Another event journaled in between: the next one goes through the journal.
    for (let i = 0; i < 10; i++) {
      publish();
      await allSent();
      manager.bus.publish("NOT_BRIDGED", {});
    }
    // A burst: the pump takes over from the journal.
    for (let i = 0; i < 50; i++) publish();
    await allSent();
    // NATS away: events wait in the journal, then go out in order.
    await server.stop();
    await until("disconnected", () => (connected() ? undefined : true));
    for (let i = 0; i < 10; i++) publish();
    await server.start();
    for (let i = 0; i < 10; i++) {
      publish();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await allSent();
    for (let i = 0; i < 5; i++) {
      publish();
      await allSent();
    }
    expect(await streamed(server.url)).toEqual(Array.from({ length: n }, (_, i) => i));
  }, 60_000);
});
