/**
 * The dependency graph of the daemon index (docs/sources/daemon-index.md, section "Daemon
 * Categories"): its 60 daemons, in the document's order, taken from the built-in "ringrift"
 * catalog (machines/catalog/), which test/machines/catalog/catalog-vs-index.test.ts keeps equal to
 * the document. The catalog's 3 ADR-002-only daemons are not part of the index, so not here.
 */
import { CATALOGS } from "../machines/catalog/catalog.ts";

export interface IndexedDaemon {
  /** The "Daemon" column: the catalog's `title`. */
  daemon: string;
  /** The "Type" column: the daemon's name in warden. */
  type: string;
  /** The "Dependencies" column ("None" is an empty list). */
  dependencies: readonly string[];
  /** The "Description" column, without Markdown emphasis. */
  description: string;
}

/**
 * The index's 60 daemons in its order.
 *
 * @example
 * DAEMON_INDEX[0]; // { daemon: "Event Router", type: "EVENT_ROUTER", dependencies: [], ... }
 */
export const DAEMON_INDEX: readonly IndexedDaemon[] = CATALOGS.ringrift.entries
  .filter((entry) => entry.source === "index")
  .map((entry) => ({
    daemon: entry.title,
    type: entry.name,
    dependencies: entry.dependsOn,
    description: entry.description,
  }));

/**
 * The graph as warden takes it: daemon type → the types it depends on.
 *
 * @example
 * daemonIndexGraph().get("S3_BACKUP"); // ["EVENT_ROUTER", "MODEL_DISTRIBUTION"]
 */
export function daemonIndexGraph(): Map<string, readonly string[]> {
  return new Map(DAEMON_INDEX.map((entry) => [entry.type, entry.dependencies]));
}
