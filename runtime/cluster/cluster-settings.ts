/**
 * The `cluster` key of a configuration (SPEC §7, §11) resolved for running: defaults filled in,
 * the node name chosen, paths made absolute, and the options handed to the NATS client.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { resolve } from "node:path";
import { credsAuthenticator, type NodeConnectionOptions } from "@nats-io/transport-node";
import type { WardenConfig } from "../config/types.ts";
import { CLUSTER_DEFAULTS, NODE_NAME_PATTERN } from "./cluster-defaults.ts";

export type ClusterConfig = NonNullable<WardenConfig["cluster"]>;

export interface ClusterSettings {
  /** The NATS servers, in the order they are tried. */
  servers: string[];
  node: string;
  ttlMs: number;
  /** Authorises remote control; without it only NATS credentials do (docs/cluster.md). */
  secret: string | undefined;
  /** Whether the connection itself is authenticated (user, token or creds). */
  natsCredentials: boolean;
  /** Event types bridged between nodes. */
  events: readonly string[];
  /** What goes to the NATS client beyond the servers and the reconnect policy. */
  connectOptions: Partial<NodeConnectionOptions>;
}

/**
 * Resolves `cluster` of the configuration at `configFile`.
 *
 * @example
 * clusterSettings({ nats: "nats://10.0.0.1:4222" }, "/srv/warden.config.ts").node; // the hostname
 */
export function clusterSettings(cluster: ClusterConfig, configFile: string): ClusterSettings {
  const here = (path: string) => resolve(configFile, "..", path);
  const connectOptions: Partial<NodeConnectionOptions> = {};
  if (cluster.user !== undefined) connectOptions.user = cluster.user;
  if (cluster.pass !== undefined) connectOptions.pass = cluster.pass;
  if (cluster.token !== undefined) connectOptions.token = cluster.token;
  if (cluster.creds !== undefined) {
    const file = here(cluster.creds);
    // Read at every (re)connection: a rotated file is picked up without a restart.
    connectOptions.authenticator = credsAuthenticator(() => readFileSync(file));
  }
  if (cluster.tls !== undefined) {
    const { caFile, certFile, keyFile } = cluster.tls;
    connectOptions.tls = {
      ...(caFile !== undefined ? { caFile: here(caFile) } : {}),
      ...(certFile !== undefined ? { certFile: here(certFile) } : {}),
      ...(keyFile !== undefined ? { keyFile: here(keyFile) } : {}),
    };
  }
  return {
    servers: cluster.nats
      .split(",")
      .map((url) => url.trim())
      .filter((url) => url.length > 0),
    node: cluster.node ?? nodeNameOf(hostname()),
    ttlMs: cluster.ttlMs ?? CLUSTER_DEFAULTS.ttlMs,
    secret: cluster.secret,
    natsCredentials:
      cluster.user !== undefined || cluster.token !== undefined || cluster.creds !== undefined,
    events: cluster.events ?? [],
    connectOptions,
  };
}

/**
 * A hostname made a node name: its first label, with what a NATS subject cannot hold replaced.
 *
 * @example
 * nodeNameOf("gpu-3.lab.example.com"); // "gpu-3"
 */
export function nodeNameOf(host: string): string {
  const label = host.split(".")[0] ?? "";
  const name = label.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 64);
  return NODE_NAME_PATTERN.test(name) ? name : "node";
}
