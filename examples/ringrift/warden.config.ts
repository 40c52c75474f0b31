// The RingRift cluster of warden's source documents, on one machine: `catalog: "ringrift"`
// brings in its 63 daemon types with their dependencies and profiles, and this file binds every
// domain daemon of them to a small stand-in that does real, cheap work on the files under
// ./work/ (created on first use) and talks to the others through warden's bus:
//
//   selfplay/ ─AUTO_SYNC─> games/ ─AUTO_EXPORT─> npz/ ─TRAINING_TRIGGER─> TRAINING_REQUESTED
//     ↑                                                                          │
//     │ CONTINUOUS_TRAINING_LOOP plays with            TRAINING_COORDINATOR trains (flaky!)
//     │ the best model, as CURRICULUM_INTEGRATION      TRAINING_PROGRESS … TRAINING_COMPLETED
//     │ weighs the boards                                                        │
//     └── MODEL_ADOPTED <── GAUNTLET_RESULT <── GAUNTLET_FEEDBACK plays it against the best
//
// Most stand-ins are Python classes run by warden's adapter (ringrift/*.py), some are
// TypeScript modules running inside the manager (daemons/*.ts), two are plain programs. See
// README.md for what each one does, and which profiles run today:
//
//   node bin/warden.js up --config examples/ringrift/warden.config.ts --profile training_node
//
// (from the repository root; `npx warden up …` where warden is installed).
import { defineConfig, type PythonDaemonDefinition } from "warden";

/**
 * A Python stand-in, `ringrift.<module>:<Class>` with `options` as its keyword arguments: ready
 * when its start() returns, healthy while its health_check() says so (asked every 5 s, three
 * failures in a row restart it), restarted if its event loop stops turning for 15 s.
 */
function py(
  target: string,
  description: string,
  options: Record<string, unknown> = {},
): PythonDaemonDefinition {
  return {
    python: `ringrift.${target}`,
    options,
    description: `stand-in: ${description}`,
    env: { PYTHONDONTWRITEBYTECODE: "1" }, // nothing written beside the sources
    health: { probe: { notify: true }, intervalMs: 5000, timeoutMs: 2000, failureThreshold: 3 },
    heartbeatTimeoutMs: 15_000,
    stopTimeoutMs: 5000,
  };
}

/** A TypeScript stand-in in daemons/, run inside the manager. */
function ts(file: string, description: string, options: Record<string, unknown> = {}) {
  return { module: `./daemons/${file}`, options, description: `stand-in: ${description}` };
}

/** A daemon of the training or selfplay role that would run on a GPU: it holds one while it runs. */
const ONE_GPU = { requires: { gpu: 1 } };
/** A bandwidth-hungry sync daemon (ADR-002's SYNC_BANDWIDTH concern): one of the node's sync slots. */
const ONE_SYNC_SLOT = { requires: { "sync-slots": 1 } };

export default defineConfig({
  catalog: "ringrift",
  stateDir: ".warden", // examples/ringrift/.warden: logs, pids, token (gitignored)
  // A free port (7070, the default, is the quickstart's): `warden up` prints the address, and
  // `warden status` and `warden events` find it in .warden/manager.json.
  server: { port: 0 },
  // What daemons must not contend for (SPEC §6a, docs/resources.md; docs/catalog.md says which
  // daemon requires what, and why). `gpu`: the stand-ins use no GPU, so three are declared, one
  // for each GPU daemon of the coordinator profile (TRAINING_COORDINATOR, CONTINUOUS_TRAINING_LOOP,
  // IDLE_RESOURCE): on a real GPU node leave it out and warden counts them with `nvidia-smi -L`.
  // `sync-slots`: the node's uplink carries two of the four bulk syncs at a time (AUTO_SYNC,
  // HIGH_QUALITY_SYNC, ELO_SYNC, GOSSIP_SYNC); on the coordinator, which runs all four, two of
  // them wait in PENDING until a slot is released (`warden resources` shows who waits for what).
  resources: { gpu: 3, "sync-slots": 2 },
  daemons: {
    // ── training_node: data pipeline + training ──────────────────────────────────────────
    AUTO_SYNC: {
      ...py("sync:FolderSync", "moves new games work/selfplay → work/games every 2 s", {
        src: "selfplay",
        dst: "games",
        move: true,
        every: 2,
        trigger: "SYNC_REQUESTED",
      }),
      ...ONE_SYNC_SLOT,
    },
    AUTO_EXPORT: py("export:NpzExporter", "packs every 6 games of work/games into an .npz", {
      batch: 6,
      every: 2,
    }),
    DATA_PIPELINE: {
      ...ts("data-pipeline.ts", "counts each stage, prunes old batches and models", {
        everyMs: 5000,
        keep: 20,
        maxBacklog: 300,
      }),
      health: { intervalMs: 5000, timeoutMs: 1000, failureThreshold: 3 },
    },
    TRAINING_TRIGGER: py("trigger:TrainingTrigger", "asks for training every 3 new batches", {
      threshold: 3,
    }),
    CONTINUOUS_TRAINING_LOOP: {
      ...py("loop:TrainingLoop", "selfplay with the best model, 1 game/s", { every: 1 }),
      ...ONE_GPU,
    },
    TRAINING_COORDINATOR: {
      // The flaky one: a step runs out of (simulated) GPU memory now and then. Watch warden
      // restart it with backoff, and the trainer resume from its checkpoint.
      ...py("trainer:Trainer", "trains on the batches requested; crashes now and then", {
        epochs: 2,
        step_seconds: 1,
        oom_chance: 0.05,
      }),
      ...ONE_GPU,
      backoff: { initialMs: 1000, maxMs: 8000, factor: 2 },
      maxRestarts: 5,
      withinMs: 60_000,
      retryFailedAfterMs: 30_000,
    },
    GAUNTLET_FEEDBACK: py("gauntlet:Gauntlet", "plays each new model against the best", {
      games: 10,
      pass_rate: 0.55,
    }),
    CURRICULUM_INTEGRATION: ts("curriculum.ts", "weighs boards by gauntlet win rates"),

    // ── selfplay and ephemeral ───────────────────────────────────────────────────────────
    IDLE_RESOURCE: {
      ...py("selfplay:IdleResource", "spawns selfplay workers while CPUs are idle", {
        every: 3,
        idle_below: 0.9,
        workers: 1,
        games: 5,
      }),
      ...ONE_GPU,
    },
    EPHEMERAL_SYNC: py("sync:FolderSync", "pushes work/selfplay to work/games every 5 s", {
      src: "selfplay",
      dst: "games",
      move: true,
      every: 5,
    }),

    // ── the rest of the coordinator: data synchronization ────────────────────────────────
    // The two that copy work/games depend on AUTO_SYNC, which fills it (the catalog gives them
    // no dependencies): so AUTO_SYNC, the pipeline's own sync, asks for its slot before them.
    HIGH_QUALITY_SYNC: {
      ...py("sync:FolderSync", "copies games of quality ≥ 0.7 to the cluster", {
        src: "games",
        dst: "cluster/hq-games",
        min_quality: 0.7,
        every: 3,
      }),
      ...ONE_SYNC_SLOT,
      dependsOn: ["AUTO_SYNC"],
    },
    ELO_SYNC: {
      ...py("sync:FolderSync", "copies the Elo table to the cluster", {
        src: "state",
        dst: "cluster/state",
        match: "elo.json",
        every: 10,
      }),
      ...ONE_SYNC_SLOT,
    },
    GOSSIP_SYNC: {
      ...py("sync:FolderSync", "gossips games to a peer folder", {
        src: "games",
        dst: "cluster/gossip",
        every: 7,
      }),
      ...ONE_SYNC_SLOT,
      dependsOn: ["AUTO_SYNC"],
    },
    CLUSTER_DATA_SYNC: py("sync:FolderSync", "copies every game to the cluster store", {
      src: "games",
      dst: "cluster/games",
      every: 3,
    }),
    NPZ_DISTRIBUTION: py("sync:FolderSync", "copies each new batch to the cluster", {
      src: "npz",
      dst: "cluster/npz",
      every: 30,
      trigger: "NPZ_EXPORT_COMPLETE",
    }),
    MODEL_SYNC: py("sync:FolderSync", "pulls the cluster's models", {
      src: "cluster/models",
      dst: "models/synced",
      every: 10,
    }),
    MODEL_DISTRIBUTION: py("sync:FolderSync", "pushes promoted models to the cluster", {
      src: "models/promoted",
      dst: "cluster/models",
      every: 30,
      trigger: "MODEL_PROMOTED",
    }),
    EXTERNAL_DRIVE_SYNC: {
      command: "sh",
      args: ["bin/external-drive-sync.sh", "30"],
      description: "stand-in: a shell loop copying promoted models to a 'drive' every 30 s",
    },

    // ── training pipeline ────────────────────────────────────────────────────────────────
    SELFPLAY_COORDINATOR: py("jobs:SelfplayCoordinator", "plays the queued selfplay jobs"),

    // ── evaluation & promotion ───────────────────────────────────────────────────────────
    EVALUATION: py("gauntlet:Gauntlet", "the coordinator's gauntlet of each new model", {
      games: 10,
      event: "EVALUATION_COMPLETED",
      feedback: false,
    }),
    TOURNAMENT_DAEMON: py("tournament:Tournament", "round robins of promoted models, Elo"),
    AUTO_PROMOTION: py("promotion:AutoPromotion", "promotes models that pass the evaluation"),
    UNIFIED_PROMOTION: py("promotion:UnifiedPromotion", "makes the best promoted model current"),
    MODEL_PERFORMANCE_WATCHDOG: ts(
      "model-performance-watchdog.ts",
      "alerts when new models keep losing",
      { window: 5, alertBelow: 0.4 },
    ),
    DISTILLATION: py("promotion:Distillation", "packs promoted models into .nnue files"),

    // ── cluster management ───────────────────────────────────────────────────────────────
    P2P_BACKEND: py("p2p:P2PBackend", "a TCP node on 127.0.0.1 that answers PING"),
    P2P_AUTO_DEPLOY: py("p2p:P2PAutoDeploy", "pings every registered P2P node"),
    CLUSTER_MONITOR: ts("cluster-monitor.ts", "daemon states and event rate, every 10 s", {
      everyMs: 10_000,
    }),
    CLUSTER_WATCHDOG: py("watchers:ClusterWatchdog", "keeps the cluster's open issues"),
    NODE_HEALTH_MONITOR: py("health:NodeHealthMonitor", "load, memory and disk of this node"),
    NODE_RECOVERY: py("p2p:NodeRecovery", "drops unreachable P2P nodes"),
    SYSTEM_HEALTH_MONITOR: py("health:SystemHealthMonitor", "a 0-100 health score"),

    // ── quality & feedback ───────────────────────────────────────────────────────────────
    QUALITY_MONITOR: py("quality:QualityMonitor", "mean quality of the waiting games"),
    FEEDBACK_LOOP: py("watchers:FeedbackLoop", "low quality or plateaus → more data"),
    TRAINING_NODE_WATCHER: py("watchers:TrainingNodeWatcher", "sees training start, asks a sync"),
    METRICS_ANALYSIS: ts("metrics-analysis.ts", "loss trend of each training job", {
      plateauBelow: 0.005,
    }),

    // ── resource management ──────────────────────────────────────────────────────────────
    QUEUE_MONITOR: py("jobs:QueueMonitor", "backpressure when games pile up"),
    QUEUE_POPULATOR: py("jobs:QueuePopulator", "keeps selfplay jobs queued until Elo 1800"),
    JOB_SCHEDULER: py("jobs:JobScheduler", "returns jobs claimed by dead pids"),
    UTILIZATION_OPTIMIZER: py("resources:UtilizationOptimizer", "picks the fastest board"),
    ADAPTIVE_RESOURCES: py("resources:AdaptiveResources", "fewer selfplay workers in training"),
    LAMBDA_IDLE: py("resources:IdleShutdown", "recommends shutting an idle Lambda node", {
      provider: "lambda",
    }),
    VAST_IDLE: py("resources:IdleShutdown", "recommends shutting an idle Vast.ai node", {
      provider: "vast",
    }),
    VAST_CPU_PIPELINE: py("integrity:NpzChecksums", "a CPU job: SHA-256 of every batch"),

    // ── data integrity ───────────────────────────────────────────────────────────────────
    REPLICATION_MONITOR: py("integrity:ReplicationMonitor", "batches not copied to the cluster"),
    REPLICATION_REPAIR: py("sync:FolderSync", "copies the missing batches when degraded", {
      src: "npz",
      dst: "cluster/npz",
      every: 60,
      trigger: "REPLICATION_DEGRADED",
    }),
    ORPHAN_DETECTION: py("quality:OrphanDetection", "games no export took, stale temp files"),
    DATA_CLEANUP: py("quality:DataCleanup", "quarantines games of quality < 0.15"),

    // ── backup & recovery ────────────────────────────────────────────────────────────────
    S3_BACKUP: ts("s3-backup.ts", "uploads promoted models to work/backup/s3", {
      everyMs: 60_000,
    }),
    RECOVERY_ORCHESTRATOR: py("watchers:RecoveryOrchestrator", "plans recoveries of failures"),
    CACHE_COORDINATION: py("maintenance:CacheCoordination", "keeps the best model cached"),
    MAINTENANCE: py("maintenance:Maintenance", "keeps the newest 50 files of each folder"),

    // ── multi-provider ───────────────────────────────────────────────────────────────────
    MULTI_PROVIDER: py("maintenance:MultiProvider", "P2P nodes by provider"),
    DATA_SERVER: {
      command: "python3",
      args: ["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", "work/cluster"],
      ready: { stdout: "^Serving HTTP on" },
      description: "stand-in: Python's http.server serving work/cluster on a free port",
    },

    // ── named only in ADR-002 ────────────────────────────────────────────────────────────
    SYNC_BANDWIDTH: ts("sync-bandwidth.ts", "bytes per second of each sync daemon", {
      everyMs: 10_000,
    }),
    HEALTH_MONITOR: ts("health-monitor.ts", "which daemons fail their health checks", {
      everyMs: 15_000,
    }),
  },

  // `warden up --profile auto` picks this machine's role: the first rule that matches.
  profileRules: [
    { profile: "ephemeral", when: { env: { VAST_CONTAINERLABEL: "*" } } }, // a Vast.ai container
    { profile: "selfplay", when: { env: { RINGRIFT_ROLE: "selfplay" } } },
    { profile: "coordinator", when: { hostname: "*coordinator*" } }, // the full set: 60 daemons
    { profile: "training_node", when: { gpu: true } },
    { profile: "training_node", when: {} }, // anything else: this laptop
  ],
});
