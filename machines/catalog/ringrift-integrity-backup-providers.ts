/**
 * The "ringrift" catalog, part of the daemon index (docs/sources/daemon-index.md, lines 95-119):
 * the Data Integrity, Backup & Recovery and Multi-Provider tables, copied row by row. `title` is
 * the "Daemon" column, `name` the "Type" column, `dependsOn` the "Dependencies" column ("None" is
 * an empty list) and `description` the "Description" column without Markdown emphasis; `deprecated`
 * comes from the index's "Deprecated Daemons" table. test/machines/catalog/catalog-vs-index.test.ts
 * parses the document and fails on any difference.
 */
import type { CatalogEntry } from "./catalog.ts";

/** The index's "Data Integrity" table, row by row. */
export const DATA_INTEGRITY: readonly CatalogEntry[] = [
  {
    name: "REPLICATION_MONITOR",
    title: "Replication Monitor",
    category: "Data Integrity",
    description: "Monitors data replication health",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "REPLICATION_REPAIR",
    title: "Replication Repair",
    category: "Data Integrity",
    description: "Repairs under-replicated data",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "ORPHAN_DETECTION",
    title: "Orphan Detection",
    category: "Data Integrity",
    description: "Detects unregistered game databases",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "DATA_CLEANUP",
    title: "Data Cleanup",
    category: "Data Integrity",
    description: "Auto-quarantine poor quality data",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "HEALTH_CHECK",
    title: "Health Check",
    category: "Data Integrity",
    description: "Deprecated - Use NODE_HEALTH_MONITOR",
    dependsOn: [],
    deprecated: { replacement: "NODE_HEALTH_MONITOR", removal: "Q2 2026" },
    source: "index",
  },
];

/** The index's "Backup & Recovery" table, row by row. */
export const BACKUP_AND_RECOVERY: readonly CatalogEntry[] = [
  {
    name: "S3_BACKUP",
    title: "S3 Backup",
    category: "Backup & Recovery",
    description: "Backs up models to S3",
    dependsOn: ["EVENT_ROUTER", "MODEL_DISTRIBUTION"],
    deprecated: null,
    source: "index",
  },
  {
    name: "RECOVERY_ORCHESTRATOR",
    title: "Recovery Orchestrator",
    category: "Backup & Recovery",
    description: "Orchestrates recovery procedures",
    dependsOn: ["EVENT_ROUTER", "NODE_HEALTH_MONITOR"],
    deprecated: null,
    source: "index",
  },
  {
    name: "CACHE_COORDINATION",
    title: "Cache Coordination",
    category: "Backup & Recovery",
    description: "Coordinates caches across cluster",
    dependsOn: ["EVENT_ROUTER", "CLUSTER_MONITOR"],
    deprecated: null,
    source: "index",
  },
  {
    name: "MAINTENANCE",
    title: "Maintenance",
    category: "Backup & Recovery",
    description: "Scheduled maintenance tasks",
    dependsOn: [],
    deprecated: null,
    source: "index",
  },
];

/** The index's "Multi-Provider" table, row by row. */
export const MULTI_PROVIDER: readonly CatalogEntry[] = [
  {
    name: "MULTI_PROVIDER",
    title: "Multi Provider",
    category: "Multi-Provider",
    description: "Manages multi-cloud provider nodes",
    dependsOn: ["EVENT_ROUTER", "CLUSTER_MONITOR"],
    deprecated: null,
    source: "index",
  },
  {
    name: "DATA_SERVER",
    title: "Data Server",
    category: "Multi-Provider",
    description: "HTTP server for data transfers",
    dependsOn: [],
    deprecated: null,
    source: "index",
  },
];
