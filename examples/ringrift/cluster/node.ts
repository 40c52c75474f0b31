// One node of the three-node ringrift cluster on one machine (docs/cluster.md, "Three nodes on
// one machine"): the example's configuration (../warden.config.ts) with the node's name and a
// state directory of its own, joined to the NATS server that `start.ts` runs. Each node file
// (coordinator.config.ts, trainer.config.ts, selfplay.config.ts) is one call of ringriftNode().
//
// The three share the example's work folder (../work/), as machines share storage: the
// stand-ins already write atomically and take files with a rename.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { WardenConfig } from "warden";
import example from "../warden.config.ts";

/** examples/ringrift/, where the stand-ins live (the base configuration's folder). */
const EXAMPLE_URL = new URL("..", import.meta.url);
const EXAMPLE_DIR = fileURLToPath(EXAMPLE_URL);
/** What the cluster run writes, gitignored with the rest of work/: NATS's store, the nodes' state. */
export const CLUSTER_WORK = fileURLToPath(new URL("../work/warden-cluster/", import.meta.url));
/** The file in which start.ts leaves the URL of the NATS server it started. */
export const NATS_URL_FILE = `${CLUSTER_WORK}nats.url`;
/** Where a node looks for NATS when start.ts has not written NATS_URL_FILE. */
const DEFAULT_NATS = "nats://127.0.0.1:4222";

/**
 * A lighter coordinator (about a dozen daemons instead of 60): its promotion chain, the Elo
 * tournament, the cluster monitor and its sync daemons (four on two `sync-slots`, so two of them
 * wait, as on the full coordinator). `start.ts --light` runs it; the e2e test does, to stay
 * within a few cores.
 */
const COORDINATOR_LITE = [
  "EVALUATION",
  "AUTO_PROMOTION",
  "UNIFIED_PROMOTION",
  "TOURNAMENT_DAEMON",
  "CLUSTER_MONITOR",
  "ELO_SYNC",
  "HIGH_QUALITY_SYNC",
  "GOSSIP_SYNC",
];

/** The roles, each a profile; start.ts sets RINGRIFT_ROLE to one and runs `--profile auto`. */
export const ROLES = ["coordinator", "coordinator_lite", "training_node", "selfplay"] as const;

/**
 * The example's configuration as node `node` of the cluster.
 *
 * @example
 * export default ringriftNode("selfplay-1");
 */
export function ringriftNode(node: string): WardenConfig {
  return {
    ...example,
    stateDir: `${CLUSTER_WORK}${node}`,
    daemons: Object.fromEntries(
      Object.entries(example.daemons).map(([name, definition]) => [name, rebased(definition)]),
    ),
    profiles: { ...example.profiles, coordinator_lite: COORDINATOR_LITE },
    // The role comes from the environment, as on real machines: first match wins, and
    // `warden status --cluster` shows which rule it was. The example's own rules follow.
    profileRules: [
      ...ROLES.map((role) => ({ profile: role, when: { env: { RINGRIFT_ROLE: role } } })),
      ...(example.profileRules ?? []),
    ],
    cluster: {
      nats: existsSync(NATS_URL_FILE) ? readFileSync(NATS_URL_FILE, "utf8").trim() : DEFAULT_NATS,
      node,
      // Short, so that a node stopped with SIGKILL is seen STALE within seconds.
      ttlMs: 5_000,
      // A loopback-only example's secret; on real machines, a secret of your own from the
      // environment (WARDEN_CLUSTER_SECRET), the same on every node.
      secret: "ringrift-example-cluster-secret",
      // The coordinator promotes models for the whole cluster: the others hear of it.
      events: ["MODEL_PROMOTED", "BEST_MODEL_CHANGED"],
    },
  };
}

type Definition = WardenConfig["daemons"][string];

/**
 * A daemon of ../warden.config.ts as seen from this folder: relative paths in it are relative
 * to the example's folder, so modules become absolute, Python stand-ins get the example's
 * folder on their PYTHONPATH and programs run there.
 */
function rebased(definition: Definition): Definition {
  if (definition.module !== undefined && definition.module.startsWith(".")) {
    return { ...definition, module: fileURLToPath(new URL(definition.module, EXAMPLE_URL)) };
  }
  if (definition.python !== undefined) {
    return { ...definition, env: { ...definition.env, PYTHONPATH: EXAMPLE_DIR } };
  }
  if (definition.command !== undefined) return { ...definition, cwd: EXAMPLE_DIR };
  return definition;
}
