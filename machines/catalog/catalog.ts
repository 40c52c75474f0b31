/**
 * The built-in catalogs of daemon types (SPEC §6): pure data, and the lookups over it.
 *
 * A catalog is what `catalog: "ringrift"` in a configuration brings in: every daemon type the
 * source documents name (docs/sources/), each with its display title, category, description,
 * dependencies and deprecation exactly as written there, in the documents' order, plus the
 * profiles by node role. docs/catalog.md explains the choices; docs/DAEMON_INDEX.md is generated
 * from this data (`npm run docs:index`).
 *
 * Nothing here starts anything: binding a catalog daemon to a module or a process is the
 * configuration's job, and `profileMembers` (profile-members.ts) turns a profile into the names to
 * start.
 */
import type { DependencyGraph } from "../dependency-graph.ts";
import { ringrift } from "./ringrift.ts";

/** Which source document names a daemon type: the daemon index, or only ADR-002. */
export type CatalogSource = "index" | "adr-002";

/** A deprecated daemon type: what replaces it and when it goes, as the documents write them. */
export interface Deprecation {
  /** The daemon type to use instead, e.g. "AUTO_SYNC". */
  readonly replacement: string;
  /** The removal date as written, e.g. "Q2 2026". */
  readonly removal: string;
}

/** One daemon type of a catalog. */
export interface CatalogEntry {
  /** The type, warden's daemon name: "EVENT_ROUTER". */
  readonly name: string;
  /** The display name (the index's "Daemon" column): "Event Router". */
  readonly title: string;
  /** The section heading it is listed under: "Core Infrastructure". */
  readonly category: string;
  /** The description, without Markdown emphasis. */
  readonly description: string;
  /** The daemon types it needs RUNNING before it starts ("None" is an empty list). */
  readonly dependsOn: readonly string[];
  readonly deprecated: Deprecation | null;
  readonly source: CatalogSource;
}

/** A daemon chosen for a profile (or left out of it), with the one-line reason. */
export interface ProfileMember {
  readonly daemon: string;
  /** Why, from what the documents say of the daemon and of the role. */
  readonly reason: string;
}

/** A set of daemons for one node role. */
export interface CatalogProfile {
  /** "coordinator", "training_node", ... */
  readonly name: string;
  /** What the documents say of the role, quoted. */
  readonly role: string;
  /** Where they say it. */
  readonly source: string;
  /**
   * The members as chosen, in catalog order. Their dependencies are not listed unless chosen for
   * themselves: `profileMembers` adds them.
   */
  readonly members: readonly ProfileMember[];
  /** For a profile defined as "every daemon but": the ones left out, each with why. */
  readonly excluded: readonly ProfileMember[];
}

/** A built-in catalog. */
export interface Catalog {
  /** The value of `catalog` in a configuration: "ringrift". */
  readonly name: string;
  /** Where the data comes from (repository paths). */
  readonly sources: readonly string[];
  /** Category headings in display order. */
  readonly categories: readonly string[];
  /** Every daemon type, grouped by category in `categories` order, in document order within. */
  readonly entries: readonly CatalogEntry[];
  /** The profiles, in the order the documents list the roles. */
  readonly profiles: readonly CatalogProfile[];
}

/**
 * The built-in catalogs by the name a configuration's `catalog` key uses.
 *
 * @example
 * CATALOGS.ringrift.entries.length; // 63
 */
export const CATALOGS = { ringrift } as const satisfies Record<string, Catalog>;

/** The name of a built-in catalog. */
export type CatalogName = keyof typeof CATALOGS;

/**
 * True when `name` names a built-in catalog.
 *
 * @example
 * isCatalogName("ringrift"); // true
 */
export function isCatalogName(name: string): name is CatalogName {
  return Object.hasOwn(CATALOGS, name);
}

const indexes = new WeakMap<Catalog, ReadonlyMap<string, CatalogEntry>>();

/** The catalog's entries by name, built once per catalog. */
function entriesByName(catalog: Catalog): ReadonlyMap<string, CatalogEntry> {
  let index = indexes.get(catalog);
  if (index === undefined) {
    index = new Map(catalog.entries.map((entry) => [entry.name, entry]));
    indexes.set(catalog, index);
  }
  return index;
}

/**
 * The entry of a daemon type, or undefined when the catalog has none of that name.
 *
 * @example
 * catalogEntry("EVENT_ROUTER")?.title; // "Event Router"
 * catalogEntry("SYNC_COORDINATOR")?.deprecated; // { replacement: "AUTO_SYNC", removal: "Q2 2026" }
 */
export function catalogEntry(
  name: string,
  catalog: Catalog = CATALOGS.ringrift,
): CatalogEntry | undefined {
  return entriesByName(catalog).get(name);
}

/**
 * The profile of that name, or undefined.
 *
 * @example
 * catalogProfile("ephemeral")?.role; // "Aggressive sync for Vast.ai nodes"
 */
export function catalogProfile(
  name: string,
  catalog: Catalog = CATALOGS.ringrift,
): CatalogProfile | undefined {
  return catalog.profiles.find((profile) => profile.name === name);
}

/**
 * The catalog's dependency graph: daemon type → the types it depends on.
 *
 * @example
 * findCycle(catalogGraph(CATALOGS.ringrift)); // undefined
 */
export function catalogGraph(catalog: Catalog): DependencyGraph {
  return new Map(catalog.entries.map((entry) => [entry.name, entry.dependsOn]));
}

/**
 * The entries grouped by category, in the catalog's category order.
 *
 * @example
 * entriesByCategory(CATALOGS.ringrift)[0]; // { category: "Core Infrastructure", entries: [...] }
 */
export function entriesByCategory(
  catalog: Catalog,
): { category: string; entries: CatalogEntry[] }[] {
  return catalog.categories.map((category) => ({
    category,
    entries: catalog.entries.filter((entry) => entry.category === category),
  }));
}
