/**
 * What `warden up` does for cluster mode (SPEC §11, docs/cluster.md): with `cluster` in the
 * configuration, a Cluster on the manager, started once the control API listens and closed
 * (bounded) after the daemons have stopped.
 */
import { Cluster } from "../../runtime/cluster/cluster.ts";
import { clusterSettings } from "../../runtime/cluster/cluster-settings.ts";
import type { LoadedConfig } from "../../runtime/config/load-config.ts";
import type { Selection } from "../../runtime/config/select-daemons.ts";
import type { Logger } from "../../runtime/logger.ts";
import type { DaemonManager } from "../../runtime/manager/daemon-manager.ts";
import { WardenError } from "../../machines/errors.ts";
import { nodeFacts } from "../../runtime/catalog/node-facts.ts";
import { profileRuleOfNode } from "../../runtime/cluster/profile-rule.ts";
import { packageVersion } from "../version.ts";
import { AUTO_PROFILE } from "./profile-auto.ts";

/** The longest a shutdown waits for the cluster to leave and close. */
const CLOSE_BUDGET_MS = 3_000;

/**
 * The manager's Cluster, not started yet; undefined without `cluster` in the configuration.
 *
 * @example
 * const cluster = clusterForUp(loaded, manager, logger, selection, options.profile);
 * cluster?.start();
 */
export function clusterForUp(
  loaded: LoadedConfig,
  manager: DaemonManager,
  logger: Logger,
  selection: Selection,
  askedProfile: string | undefined,
  targets: readonly string[],
): Cluster | undefined {
  const config = loaded.config.cluster;
  if (config === undefined) return undefined;
  const singletons = targets.filter((name) => loaded.config.daemons[name]?.singleton === true);
  checkSingletonDependents(loaded, manager, targets, singletons);
  return new Cluster({
    singletons,
    runs: targets,
    settings: clusterSettings(config, loaded.file),
    manager,
    logger,
    version: packageVersion(),
    profile: selection.profile ?? null,
    ...ruleOf(loaded, askedProfile),
    clock: manager.clock,
  });
}

/**
 * With `--profile auto`, the `profileRules` entry that chose the profile and why (the record's
 * `rule`, shown by `warden status --cluster`); nothing for a profile named on the command line.
 */
function ruleOf(loaded: LoadedConfig, askedProfile: string | undefined): { rule?: string } {
  if (askedProfile !== AUTO_PROFILE) return {};
  const rule = profileRuleOfNode(loaded.config.profileRules ?? [], nodeFacts());
  return { rule: rule ?? AUTO_PROFILE };
}

/**
 * A daemon that depends on a singleton would start it on every node (a start pulls in the
 * dependencies): refused as a configuration error naming both, until dependents of singletons
 * are supported (docs/cluster.md).
 */
function checkSingletonDependents(
  loaded: LoadedConfig,
  manager: DaemonManager,
  targets: readonly string[],
  singletons: readonly string[],
): void {
  if (singletons.length === 0) return;
  for (const status of manager.status()) {
    if (!targets.includes(status.name) || singletons.includes(status.name)) continue;
    const on = status.dependsOn.find((dependency) => singletons.includes(dependency));
    if (on === undefined) continue;
    throw new WardenError(
      "WARDEN_ERR_CONFIG",
      `${loaded.file}: daemons.${status.name}.dependsOn: "${on}" is a singleton (one node runs it); in cluster mode a daemon cannot depend on a singleton yet`,
    );
  }
}

/** Closes `cluster` within CLOSE_BUDGET_MS, whatever NATS does meanwhile. */
export async function closeCluster(cluster: Cluster | undefined): Promise<void> {
  if (cluster === undefined) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    cluster.close().catch(() => {}),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_BUDGET_MS))),
  ]);
  clearTimeout(timer);
}
