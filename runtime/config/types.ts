/**
 * The configuration's types, derived from its one schema (runtime/config/schema.ts), so that the
 * two cannot disagree. They are the schema's output type (`z.output`, what `loadConfig` returns):
 * the file as the user writes it, since the schema fills in no defaults, and narrowed by its
 * cross-field rules (exactly one of `module` or `command`, exactly one readiness check), which
 * its input type (`z.input`, what the JSON Schema describes) cannot express.
 */
import type { z } from "zod";
import type { configSchema, DaemonKindKey } from "./schema.ts";

/**
 * `ready`, `health.probe` and `logs` are the process driver's own types; test/runtime/config/types.test.ts
 * checks the schema's equal them (health-probe.validation.test.ts that `probe` fits HealthProbe).
 */
export type { HealthProbe, LogRotation, ReadyCheck } from "../../actors/process-spec.ts";

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
export type WardenConfig = z.output<typeof configSchema>;

/**
 * One daemon of the configuration: at most one of `module`, `command` or `python`. With none of
 * them it is a catalog daemon's settings ({@link CatalogDaemonSettings}).
 *
 * @example
 * const isProcess = (d: DaemonDefinition) => d.command !== undefined;
 */
export type DaemonDefinition = WardenConfig["daemons"][string];

/**
 * A daemon that runs inside the manager: `module` is a file (relative to the config file) whose
 * default export is the daemon or a factory `(options) => daemon`.
 *
 * @example
 * const sync: ModuleDaemonDefinition = { module: "./daemons/auto-sync.ts", options: { every: 60 } };
 */
export type ModuleDaemonDefinition = Extract<DaemonDefinition, { module: string }>;

/**
 * A daemon that is a program, in any language: `command` with `args`, `env` and `cwd`
 * (relative to the config file).
 *
 * @example
 * const trainer: ProcessDaemonDefinition = {
 *   command: "python3", args: ["-u", "train.py"], cwd: "./ml", ready: { notify: true },
 * };
 */
export type ProcessDaemonDefinition = Extract<DaemonDefinition, { command: string }>;

/**
 * A Python class run by warden's adapter (`python3 -m warden_daemon module:Class`, SPEC §4):
 * a process daemon with the notify protocol; `options` go to the class.
 *
 * @example
 * const sync: PythonDaemonDefinition = { python: "ringrift.sync:AutoSyncDaemon", cwd: "./py" };
 */
export type PythonDaemonDefinition = Extract<DaemonDefinition, { python: string }>;

/**
 * A daemon of the catalog (`catalog: "ringrift"`) that the configuration tunes without saying
 * how it runs: a built-in one (its `options` and policy), or one left unbound, which is an error
 * only if `warden up` would start it.
 *
 * @example
 * const watchdog: CatalogDaemonSettings = { options: { intervalMs: 2000 }, critical: true };
 */
export type CatalogDaemonSettings = Exclude<
  DaemonDefinition,
  ModuleDaemonDefinition | ProcessDaemonDefinition | PythonDaemonDefinition
>;

/**
 * What every daemon definition may set, whatever runs it: dependencies, a description, and the
 * supervision policy of SPEC §2 (every field optional; unset fields take `DEFAULTS.daemon`).
 * A module daemon sets nothing else, so these are its fields but `module` and `options`;
 * `health.probe` is a process daemon's own.
 *
 * @example
 * const common: DaemonCommonFields = { dependsOn: ["EVENT_ROUTER"], restart: "always" };
 */
export type DaemonCommonFields = Omit<ModuleDaemonDefinition, DaemonKindKey>;
