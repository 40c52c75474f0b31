/**
 * Singleton daemons (SPEC §11): a daemon with `singleton: true` runs on exactly one node, the
 * holder of its lease (singleton-lease.ts). Every node that would run it contends; the holder
 * renews by compare-and-set `heartbeatsPerTtl` times per TTL and starts the daemon; the others
 * wait and take the lease once it has expired (its holder died or was cut off).
 *
 * Never two at once while NATS is reachable: a lease can be taken `ttlMs` after its last
 * renewal. A holder that could not renew for half of that stops the daemon itself, and the lease
 * fence (lease-fence.ts), armed after each renewal for three quarters of it, SIGKILLs the
 * daemon's process group even if the manager is frozen. A holder whose renewal lost the race
 * stops the daemon at once. A start of the daemon by hand on a node that does not hold the
 * lease is stopped again.
 *
 * A singleton that reaches FAILED on its holder gives its lease up at once, so that another node
 * can try; this node leaves it to the others for a TTL before contending again.
 */
import type { KV } from "@nats-io/kv";
import type { Subscription } from "rxjs";
import type { WardenClock } from "../../actors/clock.ts";
import type { LifecycleEventData } from "../../machines/envelope.ts";
import { messageOf } from "../../machines/errors.ts";
import type { Logger } from "../logger.ts";
import type { DaemonManager } from "../manager/daemon-manager.ts";
import { CLUSTER_DEFAULTS } from "./cluster-defaults.ts";
import type { ClusterSettings } from "./cluster-settings.ts";
import { openBucket } from "./kv-bucket.ts";
import { LeaseFence } from "./lease-fence.ts";
import type { NatsLink } from "./nats-link.ts";
import type { NodeRegistry } from "./node-registry.ts";
import { LEASE_BYTES, isLostRace, renewLease, takeLease, viewLease } from "./singleton-lease.ts";

/** The KV bucket of singleton leases. */
export const LEASES_BUCKET = "warden_leases";

interface Held {
  revision: number;
  acquiredAt: number;
  /** When the latest successful renewal (or the take) was sent, by this node's clock. */
  renewedAt: number;
  /** The process group armed in the fence, if any. */
  pgid: number | undefined;
}

export interface SingletonGuardOptions {
  names: readonly string[];
  link: NatsLink;
  registry: NodeRegistry;
  manager: DaemonManager;
  settings: ClusterSettings;
  clock: WardenClock;
  logger: Logger;
}

export class SingletonGuard {
  private readonly held = new Map<string, Held>();
  private readonly busy = new Set<string>();
  /** Who holds each singleton, as last seen (for status). */
  private readonly holders = new Map<string, string>();
  private readonly fence = new LeaseFence();
  private kv: KV | undefined;
  private opening = false;
  private timer: unknown;
  private starts: Subscription | undefined;
  private failures: Subscription | undefined;
  /** Singletons this node gave up as FAILED, and until when it leaves them to the others. */
  private readonly standingBack = new Map<string, number>();
  private closed = false;

  constructor(private readonly options: SingletonGuardOptions) {}

  start(): void {
    if (this.options.names.length === 0) return;
    this.options.link.connection$.subscribe((nc) => {
      if (nc === undefined) this.kv = undefined;
    });
    // A start by hand where the lease is not held is undone at once.
    this.starts = this.options.manager.bus.on("DAEMON_STARTING").subscribe((event) => {
      const { daemon } = event.data as LifecycleEventData;
      if (this.options.names.includes(daemon) && !this.held.has(daemon)) {
        this.options.logger.warn(
          `cluster: singleton ${daemon} is not held by this node (${this.holders.get(daemon) ?? "no holder seen"}): stopping it`,
        );
        void this.options.manager.stop(daemon).catch(() => {});
      }
    });
    // FAILED here: the lease goes, so that another node can run it.
    this.failures = this.options.manager.bus.on("DAEMON_FAILED").subscribe((event) => {
      const { daemon } = event.data as LifecycleEventData;
      if (this.held.has(daemon)) this.release(daemon);
    });
    this.tick();
  }

  /**
   * Why `daemon` must not start here by request: a singleton of this node whose lease it does
   * not hold. Undefined for anything else.
   */
  startRefusal(daemon: string): string | undefined {
    if (!this.options.names.includes(daemon) || this.held.has(daemon)) return undefined;
    const holder = this.holders.get(daemon);
    return `${daemon} is a singleton ${holder === undefined ? "whose lease this node does not hold" : `held by node "${holder}"`}`;
  }

  /** Each singleton and the node holding it, as this node last saw. */
  holdersNow(): Record<string, string | null> {
    return Object.fromEntries(this.options.names.map((n) => [n, this.holders.get(n) ?? null]));
  }

  /**
   * After the daemons have stopped (`warden up`'s shutdown): gives up every lease held, so that
   * another node takes over at once instead of after the TTL.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.options.clock.clearTimeout(this.timer);
    this.starts?.unsubscribe();
    this.failures?.unsubscribe();
    const kv = this.kv;
    for (const [name, held] of this.held) {
      if (held.pgid !== undefined) this.fence.disarm(held.pgid);
      if (kv !== undefined) await kv.delete(name, { previousSeq: held.revision }).catch(() => {});
    }
    this.held.clear();
    this.fence.close();
  }

  private tick(): void {
    if (this.closed) return;
    const { ttlMs } = this.options.settings;
    for (const name of this.options.names) {
      if (this.busy.has(name)) continue;
      const held = this.held.get(name);
      if (held !== undefined) this.keep(name, held);
      else this.contend(name);
    }
    this.timer = this.options.clock.setTimeout(
      () => this.tick(),
      Math.max(25, Math.floor(ttlMs / CLUSTER_DEFAULTS.checksPerTtl)),
    );
  }

  /** Renews when due; gives up (stopping the daemon) when it could not for half the TTL. */
  private keep(name: string, held: Held): void {
    const { ttlMs } = this.options.settings;
    const now = this.options.clock.now();
    if (now - held.renewedAt > ttlMs / 2) {
      this.relinquish(
        name,
        `could not renew its lease for ${Math.round((now - held.renewedAt) / 1000)} s`,
      );
      return;
    }
    this.armFence(name, held);
    const kv = this.kv;
    if (kv === undefined) {
      this.openBucket();
      return;
    }
    if (now - held.renewedAt < ttlMs / CLUSTER_DEFAULTS.heartbeatsPerTtl) return;
    this.busy.add(name);
    const lease = { holder: this.options.settings.node, acquiredAt: held.acquiredAt };
    renewLease(kv, name, lease, held.revision)
      .then((revision) => {
        if (this.held.get(name) !== held) return;
        held.revision = revision;
        held.renewedAt = now;
        this.armFence(name, held);
      })
      .catch((error: unknown) => {
        if (isLostRace(error) && this.held.get(name) === held) {
          this.relinquish(name, "another node took its lease");
        }
        // Anything else (NATS away) is tried again until half the TTL has passed.
      })
      .finally(() => this.busy.delete(name));
  }

  /** Takes the lease if it is free or expired, then starts the daemon. */
  private contend(name: string): void {
    const { link, registry, settings, clock } = this.options;
    const kv = this.kv;
    if (link.state !== "connected" || !registry.current) return;
    const until = this.standingBack.get(name);
    if (until !== undefined && clock.now() < until) return;
    this.standingBack.delete(name);
    if (kv === undefined) {
      this.openBucket();
      return;
    }
    this.busy.add(name);
    const sentAt = clock.now();
    viewLease(kv, name, settings.ttlMs, registry.serverNow())
      .then(async (view) => {
        if (view.kind === "held") this.holders.set(name, view.holder);
        if (view.kind === "held" && !view.expired) return;
        const revision = await takeLease(kv, name, view, settings.node, sentAt);
        if (this.closed) return;
        this.acquired(name, { revision, acquiredAt: sentAt, renewedAt: sentAt, pgid: undefined });
      })
      .catch((error: unknown) => {
        if (!isLostRace(error)) {
          this.options.logger.debug(`cluster: lease of ${name}: ${messageOf(error)}`);
        }
      })
      .finally(() => this.busy.delete(name));
  }

  private acquired(name: string, held: Held): void {
    const { manager, logger, settings } = this.options;
    this.held.set(name, held);
    this.holders.set(name, settings.node);
    logger.info(`cluster: this node holds singleton ${name}: starting it`);
    manager.bus.publish("SINGLETON_ACQUIRED", { daemon: name, node: settings.node }, "cluster");
    manager.start(name).then(
      () => this.armFence(name, held),
      (error: unknown) => logger.warn(`cluster: singleton ${name}: ${messageOf(error)}`),
    );
  }

  /** Stops the daemon and forgets the lease; the fence stays armed until it has stopped. */
  private relinquish(name: string, why: string): void {
    const { manager, logger, settings } = this.options;
    const held = this.held.get(name);
    this.held.delete(name);
    if (this.holders.get(name) === settings.node) this.holders.delete(name);
    logger.warn(`cluster: singleton ${name}: ${why}: stopping it`);
    manager.bus.publish(
      "SINGLETON_RELEASED",
      { daemon: name, node: settings.node, reason: why },
      "cluster",
    );
    this.busy.add(name);
    manager
      .stop(name)
      .catch(() => {})
      .finally(() => {
        if (held?.pgid !== undefined) this.fence.disarm(held.pgid);
        this.busy.delete(name);
      });
  }

  /**
   * The daemon is FAILED here: deletes the lease (compare-and-set on its revision: a lease taken
   * meanwhile is left alone) so that another node takes it at its next check, and stands back
   * for a TTL. Without NATS the lease simply expires.
   */
  private release(name: string): void {
    const { manager, logger, settings, clock } = this.options;
    const held = this.held.get(name);
    if (held === undefined) return;
    this.held.delete(name);
    if (this.holders.get(name) === settings.node) this.holders.delete(name);
    if (held.pgid !== undefined) this.fence.disarm(held.pgid);
    this.standingBack.set(name, clock.now() + settings.ttlMs);
    const reason = "it is FAILED on this node";
    logger.warn(`cluster: singleton ${name}: ${reason}: giving its lease up to the other nodes`);
    manager.bus.publish(
      "SINGLETON_RELEASED",
      { daemon: name, node: settings.node, reason },
      "cluster",
    );
    void this.kv?.delete(name, { previousSeq: held.revision }).catch(() => {});
  }

  /** Arms the fence for the daemon's current process group: before the lease can expire. */
  private armFence(name: string, held: Held): void {
    const pgid = this.options.manager.statusOf(name).process?.pid;
    if (held.pgid !== undefined && held.pgid !== pgid) this.fence.disarm(held.pgid);
    held.pgid = pgid;
    if (pgid === undefined) return;
    const { ttlMs } = this.options.settings;
    // The fence reads the wall clock; the deadline is in the same terms.
    const lead = this.options.clock.now() - held.renewedAt;
    this.fence.arm(pgid, Date.now() - lead + (ttlMs * 3) / 4);
  }

  private openBucket(): void {
    const nc = this.options.link.current;
    if (nc === undefined || this.opening) return;
    this.opening = true;
    openBucket(nc, LEASES_BUCKET, { ttlMs: this.options.settings.ttlMs, maxValueSize: LEASE_BYTES })
      .then((kv) => (this.kv = kv))
      .catch((error: unknown) =>
        this.options.logger.warn(`cluster: lease bucket: ${messageOf(error)}; trying again`),
      )
      .finally(() => (this.opening = false));
  }
}
