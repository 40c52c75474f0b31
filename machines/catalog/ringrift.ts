/**
 * The "ringrift" catalog: the daemon types of the source documents (docs/sources/), the 60 rows
 * of the daemon index in its order followed by the 3 that only ADR-002 names, and the profiles.
 */
import type { Catalog, CatalogEntry } from "./catalog.ts";
import { ADR_ONLY } from "./ringrift-adr-only.ts";
import {
  CLUSTER_MANAGEMENT,
  QUALITY_AND_FEEDBACK,
  RESOURCE_MANAGEMENT,
} from "./ringrift-cluster-quality-resources.ts";
import { CORE_INFRASTRUCTURE, DATA_SYNCHRONIZATION } from "./ringrift-core-data.ts";
import {
  BACKUP_AND_RECOVERY,
  DATA_INTEGRITY,
  MULTI_PROVIDER,
} from "./ringrift-integrity-backup-providers.ts";
import { ringriftProfiles } from "./ringrift-profiles.ts";
import { EVALUATION_AND_PROMOTION, TRAINING_PIPELINE } from "./ringrift-training-evaluation.ts";

/** The index's section headings in its order, then ADR-002's labels of the ADR-only three. */
const CATEGORIES = [
  "Core Infrastructure",
  "Data Synchronization",
  "Training Pipeline",
  "Evaluation & Promotion",
  "Cluster Management",
  "Quality & Feedback",
  "Resource Management",
  "Data Integrity",
  "Backup & Recovery",
  "Multi-Provider",
  "Data",
  "Training",
  "Monitoring",
] as const;

const ENTRIES: readonly CatalogEntry[] = [
  ...CORE_INFRASTRUCTURE,
  ...DATA_SYNCHRONIZATION,
  ...TRAINING_PIPELINE,
  ...EVALUATION_AND_PROMOTION,
  ...CLUSTER_MANAGEMENT,
  ...QUALITY_AND_FEEDBACK,
  ...RESOURCE_MANAGEMENT,
  ...DATA_INTEGRITY,
  ...BACKUP_AND_RECOVERY,
  ...MULTI_PROVIDER,
  ...ADR_ONLY,
];

/** `value` and everything in it made read-only: the catalog is shared by every caller. */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * The "ringrift" catalog (`catalog: "ringrift"`): 63 daemon types, 13 categories, 5 profiles.
 *
 * @example
 * ringrift.entries.find((entry) => entry.name === "AUTO_SYNC")?.dependsOn; // ["EVENT_ROUTER"]
 */
export const ringrift: Catalog = deepFreeze({
  name: "ringrift",
  sources: ["docs/sources/daemon-index.md", "docs/sources/adr-002-daemon-lifecycle.md"],
  categories: CATEGORIES,
  entries: ENTRIES,
  profiles: ringriftProfiles(ENTRIES),
});
