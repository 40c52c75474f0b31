/**
 * The dependency graph of the daemon index in /work/shared/seeds/002_4e734a05f2461132.txt
 * ("Daemon Index", section "Daemon Categories"): its 60 daemons, in the document's order, with
 * their Type, Dependencies and Description columns copied exactly ("None" is an empty list).
 */
export interface IndexedDaemon {
  /** The "Daemon" column. */
  daemon: string;
  /** The "Type" column: the daemon's name in warden. */
  type: string;
  /** The "Dependencies" column. */
  dependencies: readonly string[];
  description: string;
}

export const DAEMON_INDEX: readonly IndexedDaemon[] = [
  // Core Infrastructure
  {
    daemon: "Event Router",
    type: "EVENT_ROUTER",
    dependencies: [],
    description: "Central event bus for all inter-component communication",
  },
  {
    daemon: "Cross-Process Poller",
    type: "CROSS_PROCESS_POLLER",
    dependencies: [],
    description: "Polls cross-process events from persistence",
  },
  {
    daemon: "DLQ Retry",
    type: "DLQ_RETRY",
    dependencies: ["EVENT_ROUTER"],
    description: "Retries failed events from dead-letter queue",
  },
  {
    daemon: "Daemon Watchdog",
    type: "DAEMON_WATCHDOG",
    dependencies: ["EVENT_ROUTER"],
    description: "Monitors daemon health, restarts stuck daemons",
  },
  {
    daemon: "Health Server",
    type: "HEALTH_SERVER",
    dependencies: [],
    description: "HTTP endpoints for liveness/readiness probes",
  },
  // Data Synchronization
  {
    daemon: "Sync Coordinator",
    type: "SYNC_COORDINATOR",
    dependencies: [],
    description: "_Deprecated_ - Use AUTO_SYNC instead",
  },
  {
    daemon: "Auto Sync",
    type: "AUTO_SYNC",
    dependencies: ["EVENT_ROUTER"],
    description: "Automated P2P data sync with push + gossip",
  },
  {
    daemon: "High Quality Sync",
    type: "HIGH_QUALITY_SYNC",
    dependencies: [],
    description: "Priority sync for high-quality game data",
  },
  {
    daemon: "Elo Sync",
    type: "ELO_SYNC",
    dependencies: [],
    description: "Syncs Elo ratings across cluster",
  },
  {
    daemon: "Gossip Sync",
    type: "GOSSIP_SYNC",
    dependencies: [],
    description: "Gossip protocol for data propagation",
  },
  {
    daemon: "Ephemeral Sync",
    type: "EPHEMERAL_SYNC",
    dependencies: ["EVENT_ROUTER"],
    description: "Aggressive 5s sync for Vast.ai ephemeral hosts",
  },
  {
    daemon: "Cluster Data Sync",
    type: "CLUSTER_DATA_SYNC",
    dependencies: ["EVENT_ROUTER"],
    description: "Full cluster-wide synchronization",
  },
  {
    daemon: "NPZ Distribution",
    type: "NPZ_DISTRIBUTION",
    dependencies: ["EVENT_ROUTER"],
    description: "Distributes NPZ training data after export",
  },
  {
    daemon: "Model Sync",
    type: "MODEL_SYNC",
    dependencies: ["EVENT_ROUTER"],
    description: "Syncs model files across nodes",
  },
  {
    daemon: "Model Distribution",
    type: "MODEL_DISTRIBUTION",
    dependencies: ["EVENT_ROUTER"],
    description: "Distributes promoted models to cluster",
  },
  {
    daemon: "External Drive Sync",
    type: "EXTERNAL_DRIVE_SYNC",
    dependencies: [],
    description: "Backup to external drives (stub)",
  },
  // Training Pipeline
  {
    daemon: "Continuous Training Loop",
    type: "CONTINUOUS_TRAINING_LOOP",
    dependencies: ["EVENT_ROUTER"],
    description: "Main training orchestration loop",
  },
  {
    daemon: "Training Trigger",
    type: "TRAINING_TRIGGER",
    dependencies: ["EVENT_ROUTER", "AUTO_EXPORT"],
    description: "Triggers training when data threshold reached",
  },
  {
    daemon: "Auto Export",
    type: "AUTO_EXPORT",
    dependencies: ["EVENT_ROUTER"],
    description: "Automatically exports NPZ when games available",
  },
  {
    daemon: "Data Pipeline",
    type: "DATA_PIPELINE",
    dependencies: ["EVENT_ROUTER"],
    description: "Orchestrates pipeline stages",
  },
  {
    daemon: "Selfplay Coordinator",
    type: "SELFPLAY_COORDINATOR",
    dependencies: ["EVENT_ROUTER"],
    description: "Coordinates selfplay across cluster",
  },
  {
    daemon: "Curriculum Integration",
    type: "CURRICULUM_INTEGRATION",
    dependencies: ["EVENT_ROUTER"],
    description: "Bridges feedback loops for curriculum",
  },
  // Evaluation & Promotion
  {
    daemon: "Evaluation",
    type: "EVALUATION",
    dependencies: ["EVENT_ROUTER"],
    description: "Runs gauntlet evaluations",
  },
  {
    daemon: "Tournament Daemon",
    type: "TOURNAMENT_DAEMON",
    dependencies: ["EVENT_ROUTER"],
    description: "Runs model tournaments for Elo updates",
  },
  {
    daemon: "Auto Promotion",
    type: "AUTO_PROMOTION",
    dependencies: ["EVENT_ROUTER", "EVALUATION"],
    description: "Promotes models passing gauntlet",
  },
  {
    daemon: "Unified Promotion",
    type: "UNIFIED_PROMOTION",
    dependencies: ["EVENT_ROUTER"],
    description: "Unified promotion controller",
  },
  {
    daemon: "Gauntlet Feedback",
    type: "GAUNTLET_FEEDBACK",
    dependencies: ["EVENT_ROUTER"],
    description: "Adjusts training based on gauntlet results",
  },
  {
    daemon: "Model Performance Watchdog",
    type: "MODEL_PERFORMANCE_WATCHDOG",
    dependencies: ["EVENT_ROUTER"],
    description: "Monitors model win rates",
  },
  {
    daemon: "Distillation",
    type: "DISTILLATION",
    dependencies: ["EVENT_ROUTER"],
    description: "Distills large models to NNUE format",
  },
  // Cluster Management
  {
    daemon: "P2P Backend",
    type: "P2P_BACKEND",
    dependencies: ["EVENT_ROUTER"],
    description: "P2P mesh network backend",
  },
  {
    daemon: "P2P Auto Deploy",
    type: "P2P_AUTO_DEPLOY",
    dependencies: ["EVENT_ROUTER"],
    description: "Ensures P2P runs on all nodes",
  },
  {
    daemon: "Cluster Monitor",
    type: "CLUSTER_MONITOR",
    dependencies: ["EVENT_ROUTER"],
    description: "Real-time cluster status monitoring",
  },
  {
    daemon: "Cluster Watchdog",
    type: "CLUSTER_WATCHDOG",
    dependencies: [],
    description: "Watchdog for cluster-wide issues",
  },
  {
    daemon: "Node Health Monitor",
    type: "NODE_HEALTH_MONITOR",
    dependencies: ["EVENT_ROUTER"],
    description: "Unified node health monitoring",
  },
  {
    daemon: "Node Recovery",
    type: "NODE_RECOVERY",
    dependencies: ["EVENT_ROUTER"],
    description: "Auto-recovers terminated nodes",
  },
  {
    daemon: "System Health Monitor",
    type: "SYSTEM_HEALTH_MONITOR",
    dependencies: ["EVENT_ROUTER", "NODE_HEALTH_MONITOR"],
    description: "System-wide health scoring",
  },
  // Quality & Feedback
  {
    daemon: "Quality Monitor",
    type: "QUALITY_MONITOR",
    dependencies: ["EVENT_ROUTER"],
    description: "Continuous data quality monitoring",
  },
  {
    daemon: "Feedback Loop",
    type: "FEEDBACK_LOOP",
    dependencies: ["EVENT_ROUTER"],
    description: "Training feedback signals",
  },
  {
    daemon: "Training Node Watcher",
    type: "TRAINING_NODE_WATCHER",
    dependencies: ["EVENT_ROUTER"],
    description: "Detects active training, triggers sync",
  },
  {
    daemon: "Metrics Analysis",
    type: "METRICS_ANALYSIS",
    dependencies: ["EVENT_ROUTER"],
    description: "Analyzes training metrics trends",
  },
  // Resource Management
  {
    daemon: "Queue Monitor",
    type: "QUEUE_MONITOR",
    dependencies: [],
    description: "Monitors queue depths, applies backpressure",
  },
  {
    daemon: "Queue Populator",
    type: "QUEUE_POPULATOR",
    dependencies: ["EVENT_ROUTER", "SELFPLAY_COORDINATOR"],
    description: "Maintains work queue until Elo targets met",
  },
  {
    daemon: "Job Scheduler",
    type: "JOB_SCHEDULER",
    dependencies: ["EVENT_ROUTER"],
    description: "PID-based resource allocation",
  },
  {
    daemon: "Idle Resource",
    type: "IDLE_RESOURCE",
    dependencies: ["EVENT_ROUTER"],
    description: "Monitors idle GPUs, spawns selfplay",
  },
  {
    daemon: "Utilization Optimizer",
    type: "UTILIZATION_OPTIMIZER",
    dependencies: ["EVENT_ROUTER", "IDLE_RESOURCE"],
    description: "Matches GPU capabilities to board sizes",
  },
  {
    daemon: "Adaptive Resources",
    type: "ADAPTIVE_RESOURCES",
    dependencies: ["EVENT_ROUTER", "CLUSTER_MONITOR"],
    description: "Adapts resources based on training phase",
  },
  {
    daemon: "Lambda Idle",
    type: "LAMBDA_IDLE",
    dependencies: ["EVENT_ROUTER", "CLUSTER_MONITOR"],
    description: "Lambda idle detection and shutdown",
  },
  {
    daemon: "Vast Idle",
    type: "VAST_IDLE",
    dependencies: ["EVENT_ROUTER", "CLUSTER_MONITOR"],
    description: "Vast.ai idle detection and shutdown",
  },
  {
    daemon: "Vast CPU Pipeline",
    type: "VAST_CPU_PIPELINE",
    dependencies: [],
    description: "CPU-only jobs on Vast.ai (stub)",
  },
  // Data Integrity
  {
    daemon: "Replication Monitor",
    type: "REPLICATION_MONITOR",
    dependencies: ["EVENT_ROUTER"],
    description: "Monitors data replication health",
  },
  {
    daemon: "Replication Repair",
    type: "REPLICATION_REPAIR",
    dependencies: ["EVENT_ROUTER"],
    description: "Repairs under-replicated data",
  },
  {
    daemon: "Orphan Detection",
    type: "ORPHAN_DETECTION",
    dependencies: ["EVENT_ROUTER"],
    description: "Detects unregistered game databases",
  },
  {
    daemon: "Data Cleanup",
    type: "DATA_CLEANUP",
    dependencies: ["EVENT_ROUTER"],
    description: "Auto-quarantine poor quality data",
  },
  {
    daemon: "Health Check",
    type: "HEALTH_CHECK",
    dependencies: [],
    description: "_Deprecated_ - Use NODE_HEALTH_MONITOR",
  },
  // Backup & Recovery
  {
    daemon: "S3 Backup",
    type: "S3_BACKUP",
    dependencies: ["EVENT_ROUTER", "MODEL_DISTRIBUTION"],
    description: "Backs up models to S3",
  },
  {
    daemon: "Recovery Orchestrator",
    type: "RECOVERY_ORCHESTRATOR",
    dependencies: ["EVENT_ROUTER", "NODE_HEALTH_MONITOR"],
    description: "Orchestrates recovery procedures",
  },
  {
    daemon: "Cache Coordination",
    type: "CACHE_COORDINATION",
    dependencies: ["EVENT_ROUTER", "CLUSTER_MONITOR"],
    description: "Coordinates caches across cluster",
  },
  {
    daemon: "Maintenance",
    type: "MAINTENANCE",
    dependencies: [],
    description: "Scheduled maintenance tasks",
  },
  // Multi-Provider
  {
    daemon: "Multi Provider",
    type: "MULTI_PROVIDER",
    dependencies: ["EVENT_ROUTER", "CLUSTER_MONITOR"],
    description: "Manages multi-cloud provider nodes",
  },
  {
    daemon: "Data Server",
    type: "DATA_SERVER",
    dependencies: [],
    description: "HTTP server for data transfers",
  },
];

/** The graph as warden takes it: daemon type → the types it depends on. */
export function daemonIndexGraph(): Map<string, readonly string[]> {
  return new Map(DAEMON_INDEX.map((entry) => [entry.type, entry.dependencies]));
}
