/**
 * Cluster mode of one manager (SPEC §11, docs/cluster.md), owned by `warden up`: the NATS link,
 * the node registry with its heartbeats and NODE_LOST/NODE_JOINED events, and remote control in
 * both directions. Nothing here can stop local supervision: NATS down at start or later is a
 * problem shown in status, never an error.
 */
import type { WardenClock } from "../../actors/clock.ts";
import type { Logger } from "../logger.ts";
import type { DaemonManager } from "../manager/daemon-manager.ts";
import { ControlAuthority } from "./control-auth.ts";
import { requestRemote, type RemoteRequest } from "./control-requester.ts";
import { ControlResponder } from "./control-responder.ts";
import type { RemoteAnswer } from "./control-wire.ts";
import type { ClusterSettings } from "./cluster-settings.ts";
import { NatsLink, type LinkState } from "./nats-link.ts";
import { remoteDaemons, type RemoteDaemon } from "./node-record.ts";
import { NodeRegistry } from "./node-registry.ts";
import { SingletonGuard } from "./singleton-guard.ts";
import { BridgeIn } from "./bridge-in.ts";
import { BridgeOut } from "./bridge-out.ts";

export interface ClusterOptions {
  settings: ClusterSettings;
  manager: DaemonManager;
  logger: Logger;
  /** warden's version, told to the other nodes. */
  version: string;
  /** The profile `warden up` runs, null when none was chosen. */
  profile: string | null;
  /** With `--profile auto`, the `profileRules` entry that chose it: `profileRules[2]: <why>`. */
  rule?: string;
  clock: WardenClock;
  /** The daemons `warden up` runs on this node (all of the manager's when undefined). */
  runs?: readonly string[];
  /** The daemons with `singleton: true` this node would run: started only while it holds their lease. */
  singletons?: readonly string[];
}

/** One node in `GET /v1/cluster` and `warden status --cluster --json` (SPEC §11). */
export interface ClusterNode {
  node: string;
  /** This manager's own node. */
  self: boolean;
  profile: string | null;
  /** The `profileRules` entry that chose the profile (`--profile auto`), e.g. `profileRules[2]: …`. */
  rule?: string;
  version: string;
  pid: number;
  startedAt: number;
  /** When its latest record was stored (ms since the epoch, the NATS server's clock). */
  lastSeen: number;
  stale: boolean;
  daemons: RemoteDaemon[];
  /** How many daemons it has (more than `daemons` lists when its record was cut to the bound). */
  daemonCount: number;
}

/** The answer of `GET /v1/cluster`. */
export interface ClusterDocument {
  node: string;
  ttlMs: number;
  nats: { state: LinkState; serverVersion?: string; problem?: string };
  /** False while this node cannot see the others (not connected, or catching up). */
  current: boolean;
  nodes: ClusterNode[];
  /** Each singleton this node would run, and the node seen holding its lease (null: none seen). */
  singletons: Record<string, string | null>;
  /** Event bridging since start: what went out, came in, was refused or dead-lettered. */
  bridge: {
    types: readonly string[];
    /** Whether this node's consumer is receiving the other nodes' events now. */
    consuming: boolean;
    /** Journaled events the sender has not passed yet (bridged or not). */
    behind: number;
    sent: number;
    received: number;
    refused: number;
    deadLettered: number;
  };
  /** Records refused as malformed or too large, and nodes beyond the bound, since start. */
  refusedRecords: number;
  ignoredNodes: number;
}

export class Cluster {
  readonly link: NatsLink;
  readonly registry: NodeRegistry;
  private readonly responder: ControlResponder;
  private readonly guard: SingletonGuard;
  private readonly bridgeOut: BridgeOut | undefined;
  private readonly bridgeIn: BridgeIn | undefined;

  constructor(private readonly options: ClusterOptions) {
    const { settings, manager, logger, clock } = options;
    const startedAt = clock.now();
    this.link = new NatsLink(settings, logger, () => clock.now());
    this.registry = new NodeRegistry({
      link: this.link,
      settings,
      clock,
      logger,
      publish: (type, data) => manager.bus.publish(type, data, "cluster"),
      describe: () => {
        const statuses = manager.status().filter((status) => this.runsHere(status));
        return {
          v: 1,
          node: settings.node,
          profile: options.profile,
          ...(options.rule !== undefined ? { rule: options.rule } : {}),
          version: options.version,
          pid: process.pid,
          startedAt,
          ttlMs: settings.ttlMs,
          daemons: remoteDaemons(statuses),
          daemonCount: statuses.length,
        };
      },
    });
    this.responder = new ControlResponder({
      node: settings.node,
      link: this.link,
      manager,
      logger,
      authority: new ControlAuthority(settings, () => clock.now()),
      refuse: (action, daemon) => (action === "stop" ? undefined : this.guard.startRefusal(daemon)),
    });
    this.guard = new SingletonGuard({
      names: options.singletons ?? [],
      link: this.link,
      registry: this.registry,
      manager,
      settings,
      clock,
      logger,
    });
    const journal = manager.bus.journal;
    if (journal !== undefined) {
      const common = { link: this.link, journal, node: settings.node, clock, logger };
      this.bridgeIn = new BridgeIn({ ...common, bus: manager.bus });
      if (settings.events.length > 0) {
        this.bridgeOut = new BridgeOut({
          ...common,
          events$: manager.events$,
          types: settings.events,
        });
      }
    }
  }

  /**
   * Why a start (or restart) of `daemon` must be refused on this node before anything spawns: a
   * singleton whose lease another node holds, or none yet. Undefined when it may start.
   *
   * @example
   * cluster.startRefusal("leader"); // 'leader is a singleton held by node "beta"'
   */
  startRefusal(daemon: string): string | undefined {
    return this.guard.startRefusal(daemon);
  }

  /**
   * Whether a daemon belongs in this node's record: one `warden up` runs here (its selection with
   * the dependencies and built-ins, singletons included), or any other that has left PENDING
   * (started by hand). The daemons a configuration binds but this node's profile does not run
   * stay out, so that `--all-nodes` reaches only the nodes that run the daemon.
   */
  private runsHere(status: { name: string; state: string }): boolean {
    const runs = this.options.runs;
    return runs === undefined || runs.includes(status.name) || status.state !== "PENDING";
  }

  /** The singletons this node contends for. */
  get singletons(): readonly string[] {
    return this.options.singletons ?? [];
  }

  /**
   * Connects (in the background: NATS may be down) and starts the registry and remote control.
   *
   * @example
   * const cluster = new Cluster({ settings, manager, logger, version, profile: "gpu", clock });
   * cluster.start();
   */
  start(): void {
    this.link.start();
    this.registry.start();
    this.responder.start();
    this.guard.start();
    this.bridgeIn?.start();
    this.bridgeOut?.start();
  }

  /** What `/readyz` and `warden status` say while NATS cannot be reached. */
  problem(): string | undefined {
    return this.link.problem();
  }

  document(): ClusterDocument {
    const { settings } = this.options;
    const problem = this.link.problem();
    const serverVersion = this.link.serverVersion;
    const nodes = this.registry
      .nodes()
      .map(({ node: { record, lastSeen }, stale }) => {
        const node: ClusterNode = {
          node: record.node,
          self: record.node === settings.node,
          profile: record.profile,
          version: record.version,
          pid: record.pid,
          startedAt: record.startedAt,
          lastSeen,
          stale,
          daemons: record.daemons,
          daemonCount: record.daemonCount,
        };
        if (record.rule !== undefined) node.rule = record.rule;
        return node;
      })
      .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
    return {
      node: settings.node,
      ttlMs: settings.ttlMs,
      nats: {
        state: this.link.state,
        ...(serverVersion !== undefined ? { serverVersion } : {}),
        ...(problem !== undefined ? { problem } : {}),
      },
      current: this.registry.current,
      nodes,
      singletons: this.guard.holdersNow(),
      bridge: {
        types: settings.events,
        consuming: this.bridgeIn?.consuming ?? false,
        behind: this.bridgeOut?.behind ?? 0,
        sent: this.bridgeOut?.sent ?? 0,
        received: this.bridgeIn?.received ?? 0,
        refused: this.bridgeIn?.refused ?? 0,
        deadLettered: this.bridgeIn?.deadLettered ?? 0,
      },
      refusedRecords: this.registry.refusedRecords,
      ignoredNodes: this.registry.ignoredNodes,
    };
  }

  /**
   * Runs an action on one node, or on every node whose record lists the daemon (`node`
   * undefined); resolves with one answer per node, never rejects.
   *
   * @example
   * await cluster.act({ node: "gpu-3", action: "restart", daemon: "trainer", timeoutMs: 60_000 });
   */
  async act(request: Omit<RemoteRequest, "node"> & { node?: string }): Promise<RemoteAnswer[]> {
    const { settings, clock } = this.options;
    const self = { from: settings.node, secret: settings.secret, now: () => clock.now() };
    const nc = this.link.current;
    const ask = (node: string) => requestRemote(nc, self, { ...request, node });
    if (request.node !== undefined) return [await ask(request.node)];
    const having = this.registry.nodes().filter(({ node: { record } }) => {
      const listed = record.daemons.some((daemon) => daemon.name === request.daemon);
      return listed || record.daemonCount > record.daemons.length;
    });
    return Promise.all(
      having.map(({ node, stale }): Promise<RemoteAnswer> | RemoteAnswer =>
        stale
          ? {
              node: node.record.node,
              ok: false,
              error: { code: "node_unreachable", message: `node "${node.record.node}" is stale` },
            }
          : ask(node.record.node),
      ),
    );
  }

  /**
   * After the daemons have stopped: gives up the leases and leaves the registry (others see
   * both at once), stops answering, closes the connection.
   */
  async close(): Promise<void> {
    this.responder.stop();
    this.bridgeIn?.close();
    this.bridgeOut?.close();
    await this.guard.close();
    await this.registry.close();
    await this.link.close();
  }
}
