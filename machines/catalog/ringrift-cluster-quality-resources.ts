/**
 * The "ringrift" catalog, part of the daemon index (docs/sources/daemon-index.md, lines 60-93): the
 * Cluster Management, Quality & Feedback and Resource Management tables, copied row by row. `title`
 * is the "Daemon" column, `name` the "Type" column, `dependsOn` the "Dependencies" column ("None"
 * is an empty list) and `description` the "Description" column without Markdown emphasis;
 * `deprecated` comes from the index's "Deprecated Daemons" table. test/machines/catalog/
 * catalog-vs-index.test.ts parses the document and fails on any difference.
 */
import type { CatalogEntry } from "./catalog.ts";

/** The index's "Cluster Management" table, row by row. */
export const CLUSTER_MANAGEMENT: readonly CatalogEntry[] = [
  {
    name: "P2P_BACKEND",
    title: "P2P Backend",
    category: "Cluster Management",
    description: "P2P mesh network backend",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "P2P_AUTO_DEPLOY",
    title: "P2P Auto Deploy",
    category: "Cluster Management",
    description: "Ensures P2P runs on all nodes",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "CLUSTER_MONITOR",
    title: "Cluster Monitor",
    category: "Cluster Management",
    description: "Real-time cluster status monitoring",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "CLUSTER_WATCHDOG",
    title: "Cluster Watchdog",
    category: "Cluster Management",
    description: "Watchdog for cluster-wide issues",
    dependsOn: [],
    deprecated: null,
    source: "index",
  },
  {
    name: "NODE_HEALTH_MONITOR",
    title: "Node Health Monitor",
    category: "Cluster Management",
    description: "Unified node health monitoring",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "NODE_RECOVERY",
    title: "Node Recovery",
    category: "Cluster Management",
    description: "Auto-recovers terminated nodes",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "SYSTEM_HEALTH_MONITOR",
    title: "System Health Monitor",
    category: "Cluster Management",
    description: "System-wide health scoring",
    dependsOn: ["EVENT_ROUTER", "NODE_HEALTH_MONITOR"],
    deprecated: null,
    source: "index",
  },
];

/** The index's "Quality & Feedback" table, row by row. */
export const QUALITY_AND_FEEDBACK: readonly CatalogEntry[] = [
  {
    name: "QUALITY_MONITOR",
    title: "Quality Monitor",
    category: "Quality & Feedback",
    description: "Continuous data quality monitoring",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "FEEDBACK_LOOP",
    title: "Feedback Loop",
    category: "Quality & Feedback",
    description: "Training feedback signals",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "TRAINING_NODE_WATCHER",
    title: "Training Node Watcher",
    category: "Quality & Feedback",
    description: "Detects active training, triggers sync",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "METRICS_ANALYSIS",
    title: "Metrics Analysis",
    category: "Quality & Feedback",
    description: "Analyzes training metrics trends",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
];

/** The index's "Resource Management" table, row by row. */
export const RESOURCE_MANAGEMENT: readonly CatalogEntry[] = [
  {
    name: "QUEUE_MONITOR",
    title: "Queue Monitor",
    category: "Resource Management",
    description: "Monitors queue depths, applies backpressure",
    dependsOn: [],
    deprecated: null,
    source: "index",
  },
  {
    name: "QUEUE_POPULATOR",
    title: "Queue Populator",
    category: "Resource Management",
    description: "Maintains work queue until Elo targets met",
    dependsOn: ["EVENT_ROUTER", "SELFPLAY_COORDINATOR"],
    deprecated: null,
    source: "index",
  },
  {
    name: "JOB_SCHEDULER",
    title: "Job Scheduler",
    category: "Resource Management",
    description: "PID-based resource allocation",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "IDLE_RESOURCE",
    title: "Idle Resource",
    category: "Resource Management",
    description: "Monitors idle GPUs, spawns selfplay",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "UTILIZATION_OPTIMIZER",
    title: "Utilization Optimizer",
    category: "Resource Management",
    description: "Matches GPU capabilities to board sizes",
    dependsOn: ["EVENT_ROUTER", "IDLE_RESOURCE"],
    deprecated: null,
    source: "index",
  },
  {
    name: "ADAPTIVE_RESOURCES",
    title: "Adaptive Resources",
    category: "Resource Management",
    description: "Adapts resources based on training phase",
    dependsOn: ["EVENT_ROUTER", "CLUSTER_MONITOR"],
    deprecated: null,
    source: "index",
  },
  {
    name: "LAMBDA_IDLE",
    title: "Lambda Idle",
    category: "Resource Management",
    description: "Lambda idle detection and shutdown",
    dependsOn: ["EVENT_ROUTER", "CLUSTER_MONITOR"],
    deprecated: null,
    source: "index",
  },
  {
    name: "VAST_IDLE",
    title: "Vast Idle",
    category: "Resource Management",
    description: "Vast.ai idle detection and shutdown",
    dependsOn: ["EVENT_ROUTER", "CLUSTER_MONITOR"],
    deprecated: null,
    source: "index",
  },
  {
    name: "VAST_CPU_PIPELINE",
    title: "Vast CPU Pipeline",
    category: "Resource Management",
    description: "CPU-only jobs on Vast.ai (stub)",
    dependsOn: [],
    deprecated: null,
    source: "index",
  },
];
