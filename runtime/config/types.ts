import type { DaemonPolicyOptions } from "../../machines/daemon-policy.ts";
import type { LogRotation, ReadyCheck } from "../../actors/process-spec.ts";

export type { LogRotation, ReadyCheck };

/**
 * What every daemon definition may set, whatever runs it: dependencies, a description, and the
 * supervision policy of SPEC §2 (every field optional; unset fields take `DEFAULTS`).
 *
 * @example
 * const common: DaemonCommonFields = { dependsOn: ["EVENT_ROUTER"], restart: "always" };
 */
export interface DaemonCommonFields extends DaemonPolicyOptions {
  /** Daemons that must be RUNNING before this one starts. */
  dependsOn?: string[];
  description?: string;
  /** At most one instance in a cluster. */
  singleton?: boolean;
}

/**
 * A daemon that runs inside the manager: `module` is a file (relative to the config file) whose
 * default export is the daemon or a factory `(options) => daemon`.
 *
 * @example
 * const sync: ModuleDaemonDefinition = { module: "./daemons/auto-sync.ts", options: { every: 60 } };
 */
export interface ModuleDaemonDefinition extends DaemonCommonFields {
  module: string;
  /** Passed to the module's default export when that is a factory. */
  options?: unknown;
  command?: never;
  args?: never;
  env?: never;
  cwd?: never;
  ready?: never;
  logs?: never;
}

/**
 * A daemon that is a program, in any language: `command` with `args`, `env` and `cwd`
 * (relative to the config file).
 *
 * @example
 * const trainer: ProcessDaemonDefinition = {
 *   command: "python3", args: ["-u", "train.py"], cwd: "./ml", ready: { notify: true },
 * };
 */
export interface ProcessDaemonDefinition extends DaemonCommonFields {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  ready?: ReadyCheck;
  logs?: LogRotation;
  module?: never;
  options?: never;
}

/**
 * One daemon of the configuration: exactly one of `module` or `command`.
 *
 * @example
 * const isProcess = (d: DaemonDefinition) => d.command !== undefined;
 */
export type DaemonDefinition = ModuleDaemonDefinition | ProcessDaemonDefinition;

/**
 * The configuration file's contents (SPEC §7), as written by the user: defaults are not filled in.
 *
 * @example
 * const config: WardenConfig = {
 *   catalog: "ringrift",
 *   daemons: { AUTO_SYNC: { module: "./daemons/auto-sync.ts" } },
 *   profiles: { sync: ["AUTO_SYNC"] },
 * };
 */
export interface WardenConfig {
  /** A JSON Schema reference, so that editors check `.json` and `.yaml` files; ignored by warden. */
  $schema?: string;
  /** Use the built-in catalog of the source documents. */
  catalog?: "ringrift";
  /** Where warden keeps its state; relative to the config file. Default `.warden`. */
  stateDir?: string;
  /** The control and health server. Default `127.0.0.1:7070`. */
  server?: { host?: string; port?: number };
  daemons: Record<string, DaemonDefinition>;
  /** Named sets of daemons; a profile pulls in its members' dependencies. */
  profiles?: Record<string, string[]>;
  /** Cluster mode over NATS JetStream. */
  cluster?: { nats: string; node?: string };
}
