/**
 * The node registry (SPEC §11): this node renews its record in the `warden_nodes` KV bucket
 * `heartbeatsPerTtl` times per `ttlMs` and watches everyone's. A node whose record is older than
 * its `ttlMs` (by the server's timestamps, node-staleness.ts) is stale: `NODE_LOST` on the bus;
 * when it renews again, `NODE_JOINED`. Judgements wait until this node is connected and its
 * watcher has caught up (it has seen its own latest record), so that a node cut off from NATS
 * never declares the others lost; after a reconnection, the nodes that were fresh get one TTL to
 * renew before they are judged.
 */
import type { KV, KvWatchEntry } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Subscription } from "rxjs";
import type { WardenClock } from "../../actors/clock.ts";
import { messageOf } from "../../machines/errors.ts";
import type { Logger } from "../logger.ts";
import { CLUSTER_BOUNDS, CLUSTER_DEFAULTS } from "./cluster-defaults.ts";
import type { ClusterSettings } from "./cluster-settings.ts";
import { openBucket } from "./kv-bucket.ts";
import type { NatsLink } from "./nats-link.ts";
import { decodeNodeRecord, encodeNodeRecord, type NodeRecord } from "./node-record.ts";
import { clockOffset, isStale, nodeChanges } from "./node-staleness.ts";

/** A node as the registry knows it. */
export interface KnownNode {
  record: NodeRecord;
  /** When the server stored its latest record (server time, ms since the epoch). */
  lastSeen: number;
}

export interface NodeRegistryOptions {
  link: NatsLink;
  settings: ClusterSettings;
  /** This node's record as of now, but for `heartbeatAt`, which the registry stamps. */
  describe: () => Omit<NodeRecord, "heartbeatAt">;
  /** Publishes `NODE_LOST` and `NODE_JOINED` on the local bus. */
  publish: (type: "NODE_LOST" | "NODE_JOINED", data: Record<string, unknown>) => void;
  clock: WardenClock;
  logger: Logger;
}

export class NodeRegistry {
  private readonly known = new Map<string, KnownNode>();
  /** The latest judgement: node → stale; undefined until this node first caught up. */
  private judged: Map<string, boolean> | undefined;
  private offset = 0;
  /** Bumped at every connection change: what an older session started stops. */
  private session = 0;
  private kv: KV | undefined;
  /** The revision of this node's latest put in this session, and whether the watcher saw it. */
  private ownRevision = 0;
  private caughtUp = false;
  /** When this node last regained sight of the registry (server time), after a reconnection. */
  private regainedAt = -Infinity;
  private timer: unknown;
  private lastHeartbeat = -Infinity;
  private subscription: Subscription | undefined;
  private stopWatch: (() => void) | undefined;
  private closed = false;
  private joining = false;
  /** Who this manager is in its own record: another writer under its name is a second manager. */
  private identity: { pid: number; startedAt: number } | undefined;
  private warnedTwin = false;
  /** Nodes ignored because the registry holds `CLUSTER_BOUNDS.nodes` already. */
  ignoredNodes = 0;
  /** Records refused as malformed or oversized. */
  refusedRecords = 0;

  constructor(private readonly options: NodeRegistryOptions) {}

  /**
   * Starts following the link: each connection opens the bucket, heartbeats and watches.
   *
   * @example
   * const registry = new NodeRegistry({ link, settings, describe, publish, clock, logger });
   * registry.start();
   */
  start(): void {
    const me = this.options.describe();
    this.identity = { pid: me.pid, startedAt: me.startedAt };
    this.subscription = this.options.link.connection$.subscribe((nc) => this.onConnection(nc));
    this.tick();
  }

  /** Every node known, this one included, each with whether it is stale now. */
  nodes(): { node: KnownNode; stale: boolean }[] {
    const now = this.serverNow();
    return [...this.known.values()].map((node) => ({
      node,
      stale: isStale(node.lastSeen, node.record.ttlMs, now),
    }));
  }

  /** Whether the registry's view is current (connected, watcher caught up). */
  get current(): boolean {
    return this.caughtUp;
  }

  /**
   * Stops heartbeating and watching; with `leave`, deletes this node's record first, so that
   * the others see it leave at once instead of after `ttlMs`.
   */
  async close(leave = true): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.clock.clearTimeout(this.timer);
    this.subscription?.unsubscribe();
    this.stopWatch?.();
    const kv = this.kv;
    this.session++;
    if (leave && kv !== undefined) {
      await kv.delete(this.options.settings.node).catch(() => {});
    }
  }

  private onConnection(nc: NatsConnection | undefined): void {
    const session = ++this.session;
    this.caughtUp = false;
    this.stopWatch?.();
    this.stopWatch = undefined;
    if (nc === undefined) return;
    void this.join(nc, session);
  }

  /** Opens the bucket, puts this node's record, starts watching. */
  private async join(nc: NatsConnection, session: number): Promise<void> {
    const { ttlMs } = this.options.settings;
    this.joining = true;
    try {
      const kv = await openBucket(nc, CLUSTER_DEFAULTS.nodesBucket, {
        ttlMs: ttlMs * CLUSTER_DEFAULTS.keptStaleTtls,
        maxValueSize: CLUSTER_BOUNDS.recordBytes,
      });
      if (session !== this.session) return;
      this.kv = kv;
      await this.heartbeat(session);
      if (session !== this.session) return;
      await this.watch(kv, session);
    } catch (error) {
      if (session !== this.session || this.closed) return;
      this.options.logger.warn(`cluster: node registry: ${messageOf(error)}; trying again`);
      // The next tick tries again on the same connection.
      this.kv = undefined;
    } finally {
      this.joining = false;
    }
  }

  private async watch(kv: KV, session: number): Promise<void> {
    const watcher = await kv.watch({ key: ">" });
    if (session !== this.session) {
      watcher.stop();
      return;
    }
    this.stopWatch = () => watcher.stop();
    void (async () => {
      try {
        for await (const entry of watcher) {
          if (session !== this.session) break;
          this.onEntry(entry);
        }
      } catch (error) {
        if (session === this.session) {
          this.options.logger.warn(`cluster: node watcher: ${messageOf(error)}`);
        }
      }
      // A watcher that ends on its own is started again by the next tick.
      if (session === this.session && !this.closed) {
        this.stopWatch = undefined;
        this.caughtUp = false;
        this.kv = undefined;
      }
    })();
  }

  private onEntry(entry: KvWatchEntry): void {
    const self = this.options.settings.node;
    if (entry.operation !== "PUT") {
      if (this.known.delete(entry.key) && entry.key !== self && this.judged !== undefined) {
        this.judged.delete(entry.key);
        this.options.publish("NODE_LOST", { node: entry.key, reason: "left" });
      }
      return;
    }
    const decoded = decodeNodeRecord(entry.key, entry.value);
    if ("refused" in decoded) {
      this.refusedRecords++;
      this.options.logger.debug(`cluster: record of "${entry.key}" refused: ${decoded.refused}`);
      return;
    }
    if (!this.known.has(entry.key) && this.known.size >= CLUSTER_BOUNDS.nodes) {
      this.ignoredNodes++;
      return;
    }
    const lastSeen = entry.created.getTime();
    this.known.set(entry.key, { record: decoded.record, lastSeen });
    if (entry.key === self) {
      this.noticeTwin(decoded.record);
      this.offset = clockOffset(lastSeen, this.options.clock.now());
      if (entry.revision >= this.ownRevision && !this.caughtUp) {
        this.caughtUp = true;
        this.regainedAt = this.serverNow();
      }
    }
  }

  /** A record under this node's name written by another manager: said once, loudly. */
  private noticeTwin(record: NodeRecord): void {
    const me = this.identity;
    if (me === undefined || this.warnedTwin) return;
    if (record.pid === me.pid && record.startedAt === me.startedAt) return;
    // This manager's predecessor's record, seen before this manager's first put: not a twin.
    if (record.startedAt < me.startedAt && !this.caughtUp) return;
    this.warnedTwin = true;
    this.options.logger.error(
      `cluster: another manager (pid ${record.pid}) writes records as node "${this.options.settings.node}": give each machine a node name of its own`,
    );
  }

  private async heartbeat(session: number): Promise<void> {
    const kv = this.kv;
    if (kv === undefined) return;
    this.lastHeartbeat = this.options.clock.now();
    const record: NodeRecord = { ...this.options.describe(), heartbeatAt: this.lastHeartbeat };
    const revision = await kv.put(this.options.settings.node, encodeNodeRecord(record));
    if (session === this.session) this.ownRevision = revision;
  }

  /** Heartbeats when due, retries a failed join, judges staleness; then schedules itself. */
  private tick(): void {
    if (this.closed) return;
    const { ttlMs } = this.options.settings;
    const now = this.options.clock.now();
    const session = this.session;
    const connected = this.options.link.state === "connected";
    if (connected && !this.joining && (this.kv === undefined || this.stopWatch === undefined)) {
      const nc = this.options.link.current;
      if (nc !== undefined) void this.join(nc, session);
    } else if (connected && now - this.lastHeartbeat >= ttlMs / CLUSTER_DEFAULTS.heartbeatsPerTtl) {
      this.heartbeat(session).catch((error: unknown) => {
        if (session !== this.session) return;
        this.options.logger.warn(`cluster: heartbeat failed: ${messageOf(error)}; joining again`);
        // E.g. a server that came back without its store: the bucket is made again.
        this.stopWatch?.();
        this.stopWatch = undefined;
        this.kv = undefined;
      });
    }
    if (this.caughtUp) this.judge();
    this.timer = this.options.clock.setTimeout(
      () => this.tick(),
      Math.max(50, Math.floor(ttlMs / CLUSTER_DEFAULTS.checksPerTtl)),
    );
  }

  private judge(): void {
    const now = this.serverNow();
    const self = this.options.settings.node;
    const next = new Map<string, boolean>();
    const forgetAfter = this.options.settings.ttlMs * CLUSTER_DEFAULTS.keptStaleTtls;
    for (const [name, node] of this.known) {
      if (name === self) continue;
      // Gone from the bucket by now (its max_age), without a word on 2.9: forgotten here too.
      if (now - node.lastSeen > forgetAfter) {
        this.known.delete(name);
        continue;
      }
      // A node fresh when this one went blind gets a full TTL from when it could see again to
      // renew: its silence meanwhile may have been this node's own outage, not its.
      const since =
        this.judged?.get(name) === false ? Math.max(node.lastSeen, this.regainedAt) : node.lastSeen;
      next.set(name, isStale(since, node.record.ttlMs, now));
    }
    // The first judgement is the baseline: nodes already there did not just join.
    if (this.judged !== undefined) {
      const changes = nodeChanges(this.judged, next, (n) => this.known.get(n)?.lastSeen ?? 0);
      for (const change of changes) {
        const record = this.known.get(change.node)?.record;
        if (change.type === "NODE_LOST") {
          this.options.publish("NODE_LOST", {
            node: change.node,
            reason: "stale",
            lastSeen: change.lastSeen,
          });
        } else {
          this.options.publish("NODE_JOINED", {
            node: change.node,
            profile: record?.profile ?? null,
            version: record?.version ?? "",
          });
        }
      }
    }
    this.judged = next;
  }

  /** The NATS server's clock as this node estimates it (its own clock when it knows no better). */
  serverNow(): number {
    return this.options.clock.now() + this.offset;
  }
}
