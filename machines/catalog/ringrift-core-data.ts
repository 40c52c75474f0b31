/**
 * The "ringrift" catalog, part of the daemon index (docs/sources/daemon-index.md, lines 11-35): the
 * Core Infrastructure and Data Synchronization tables, copied row by row. `title` is the "Daemon"
 * column, `name` the "Type" column, `dependsOn` the "Dependencies" column ("None" is an empty list)
 * and `description` the "Description" column without Markdown emphasis; `deprecated` comes from the
 * index's "Deprecated Daemons" table. test/machines/catalog/catalog-vs-index.test.ts parses the
 * document and fails on any difference.
 */
import type { CatalogEntry } from "./catalog.ts";

/** The index's "Core Infrastructure" table, row by row. */
export const CORE_INFRASTRUCTURE: readonly CatalogEntry[] = [
  {
    name: "EVENT_ROUTER",
    title: "Event Router",
    category: "Core Infrastructure",
    description: "Central event bus for all inter-component communication",
    dependsOn: [],
    deprecated: null,
    source: "index",
  },
  {
    name: "CROSS_PROCESS_POLLER",
    title: "Cross-Process Poller",
    category: "Core Infrastructure",
    description: "Polls cross-process events from persistence",
    dependsOn: [],
    deprecated: null,
    source: "index",
  },
  {
    name: "DLQ_RETRY",
    title: "DLQ Retry",
    category: "Core Infrastructure",
    description: "Retries failed events from dead-letter queue",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "DAEMON_WATCHDOG",
    title: "Daemon Watchdog",
    category: "Core Infrastructure",
    description: "Monitors daemon health, restarts stuck daemons",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "HEALTH_SERVER",
    title: "Health Server",
    category: "Core Infrastructure",
    description: "HTTP endpoints for liveness/readiness probes",
    dependsOn: [],
    deprecated: null,
    source: "index",
  },
];

/** The index's "Data Synchronization" table, row by row. */
export const DATA_SYNCHRONIZATION: readonly CatalogEntry[] = [
  {
    name: "SYNC_COORDINATOR",
    title: "Sync Coordinator",
    category: "Data Synchronization",
    description: "Deprecated - Use AUTO_SYNC instead",
    dependsOn: [],
    deprecated: { replacement: "AUTO_SYNC", removal: "Q2 2026" },
    source: "index",
  },
  {
    name: "AUTO_SYNC",
    title: "Auto Sync",
    category: "Data Synchronization",
    description: "Automated P2P data sync with push + gossip",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "HIGH_QUALITY_SYNC",
    title: "High Quality Sync",
    category: "Data Synchronization",
    description: "Priority sync for high-quality game data",
    dependsOn: [],
    deprecated: null,
    source: "index",
  },
  {
    name: "ELO_SYNC",
    title: "Elo Sync",
    category: "Data Synchronization",
    description: "Syncs Elo ratings across cluster",
    dependsOn: [],
    deprecated: null,
    source: "index",
  },
  {
    name: "GOSSIP_SYNC",
    title: "Gossip Sync",
    category: "Data Synchronization",
    description: "Gossip protocol for data propagation",
    dependsOn: [],
    deprecated: null,
    source: "index",
  },
  {
    name: "EPHEMERAL_SYNC",
    title: "Ephemeral Sync",
    category: "Data Synchronization",
    description: "Aggressive 5s sync for Vast.ai ephemeral hosts",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "CLUSTER_DATA_SYNC",
    title: "Cluster Data Sync",
    category: "Data Synchronization",
    description: "Full cluster-wide synchronization",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "NPZ_DISTRIBUTION",
    title: "NPZ Distribution",
    category: "Data Synchronization",
    description: "Distributes NPZ training data after export",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "MODEL_SYNC",
    title: "Model Sync",
    category: "Data Synchronization",
    description: "Syncs model files across nodes",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "MODEL_DISTRIBUTION",
    title: "Model Distribution",
    category: "Data Synchronization",
    description: "Distributes promoted models to cluster",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "EXTERNAL_DRIVE_SYNC",
    title: "External Drive Sync",
    category: "Data Synchronization",
    description: "Backup to external drives (stub)",
    dependsOn: [],
    deprecated: null,
    source: "index",
  },
];
