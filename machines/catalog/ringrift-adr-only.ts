/**
 * The "ringrift" catalog, part ADR-002 (docs/sources/adr-002-daemon-lifecycle.md): the three
 * daemon types that ADR-002 names and the daemon index has no row for. ADR-002 gives each only a
 * name and a category, in its list of the DaemonType enum (lines 31-37):
 *
 *   66 daemon types organized by category:
 *   - Core: `EVENT_ROUTER`, `P2P_BACKEND`
 *   - Data: `AUTO_SYNC`, `EPHEMERAL_SYNC`, `SYNC_BANDWIDTH`
 *   - Training: `TRAINING_COORDINATOR`, `GAUNTLET_FEEDBACK`
 *   - Distribution: `MODEL_DISTRIBUTION`, `NPZ_DISTRIBUTION`
 *   - Monitoring: `HEALTH_MONITOR`, `QUALITY_MONITOR`
 *
 * What the catalog holds for them, and where it comes from (docs/catalog.md repeats it):
 * - `category`: ADR-002's own label ("Data", "Training", "Monitoring"), verbatim. Its labels do
 *   not map onto the index's headings (its "Training" holds GAUNTLET_FEEDBACK, which the index
 *   files under "Evaluation & Promotion"; its "Monitoring" holds QUALITY_MONITOR, under "Quality &
 *   Feedback"), so no index heading is chosen for them.
 * - `title`: inferred. ADR-002 has no display names; the type in words, as the index writes its own.
 * - `description`: inferred from ADR-002's context (lines 9-16), which lists the kinds of daemon
 *   it runs: "Selfplay generators", "Data sync daemons", "Training coordinators", "Model
 *   distribution daemons", "Health monitors". Each description says that the index has no row.
 * - `dependsOn`: inferred: EVENT_ROUTER. ADR-002 declares none for them; it relates itself to
 *   "ADR-001: Event-Driven Architecture (daemons use events)" (line 93), its one `depends_on`
 *   example gives GAUNTLET_FEEDBACK (its Training peer) `depends_on=[DaemonType.EVENT_ROUTER]`
 *   (lines 53-57), and the index asks to "Declare dependencies if daemon emits events".
 * - `deprecated`: null. Neither document deprecates them (the index's "Deprecated Daemons" table
 *   lists only SYNC_COORDINATOR and HEALTH_CHECK).
 */
import type { CatalogEntry } from "./catalog.ts";

/** The ADR-002 daemon types absent from the index, in ADR-002's order. */
export const ADR_ONLY: readonly CatalogEntry[] = [
  {
    // "- Data: `AUTO_SYNC`, `EPHEMERAL_SYNC`, `SYNC_BANDWIDTH`"; context: "Data sync daemons".
    name: "SYNC_BANDWIDTH",
    title: "Sync Bandwidth",
    category: "Data",
    description:
      "Data sync daemon named only in ADR-002 (category Data); the daemon index has no row",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "adr-002",
  },
  {
    // "- Training: `TRAINING_COORDINATOR`, `GAUNTLET_FEEDBACK`"; context: "Training coordinators".
    name: "TRAINING_COORDINATOR",
    title: "Training Coordinator",
    category: "Training",
    description:
      "Training coordinator named only in ADR-002 (category Training); the daemon index has no row",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "adr-002",
  },
  {
    // "- Monitoring: `HEALTH_MONITOR`, `QUALITY_MONITOR`"; context: "Health monitors".
    name: "HEALTH_MONITOR",
    title: "Health Monitor",
    category: "Monitoring",
    description:
      "Health monitor named only in ADR-002 (category Monitoring); the daemon index has no row",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "adr-002",
  },
];
