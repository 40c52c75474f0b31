/**
 * The profiles of the "ringrift" catalog: which daemons each node role runs.
 *
 * The documents describe the roles in one line each and list no members (ADR-002, "Daemon
 * Profiles", lines 39-46; the index's `start_production_daemons()`, "Start recommended production
 * set", lines 150-151). Each member below is chosen from what the documents say of the role and of
 * the daemon, with the reason beside it; docs/catalog.md gives the same account. Dependencies are
 * not listed unless chosen for themselves: `profileMembers` adds them (EVENT_ROUTER, mostly).
 *
 * Two profiles are the documents' "sets": `coordinator` ("Full daemon set") and `production`
 * ("recommended production set") hold every daemon but those in their `excluded` list, each left
 * out for a reason the documents give. The other three name their members; their `excluded` list
 * holds the near misses, the daemons one might expect there, with why they are not.
 *
 * Not in any profile but `coordinator` and `production`: CROSS_PROCESS_POLLER, DLQ_RETRY,
 * DAEMON_WATCHDOG and HEALTH_SERVER. The documents put them in no role; warden's `up` runs
 * CROSS_PROCESS_POLLER, DLQ_RETRY and HEALTH_SERVER whatever the profile (SPEC §5).
 */
import type { CatalogEntry, CatalogProfile, ProfileMember } from "./catalog.ts";

const ADR_002 = "docs/sources/adr-002-daemon-lifecycle.md, Daemon Profiles";

const DEPRECATED_SYNC = "deprecated: the index says use AUTO_SYNC instead (removal Q2 2026)";
const DEPRECATED_HEALTH = "deprecated: the index says use NODE_HEALTH_MONITOR (removal Q2 2026)";
const EPHEMERAL_HOSTS =
  'for "Vast.ai ephemeral hosts" (the ephemeral profile); AUTO_SYNC syncs other nodes';

/** Left out of the coordinator's "Full daemon set": the deprecated, and another role's sync. */
const NOT_COORDINATOR: readonly ProfileMember[] = [
  { daemon: "SYNC_COORDINATOR", reason: DEPRECATED_SYNC },
  { daemon: "EPHEMERAL_SYNC", reason: EPHEMERAL_HOSTS },
  { daemon: "HEALTH_CHECK", reason: DEPRECATED_HEALTH },
];

/** Left out of the "recommended production set": what the index itself does not recommend. */
const NOT_PRODUCTION: readonly ProfileMember[] = [
  { daemon: "SYNC_COORDINATOR", reason: DEPRECATED_SYNC },
  { daemon: "EPHEMERAL_SYNC", reason: EPHEMERAL_HOSTS },
  { daemon: "EXTERNAL_DRIVE_SYNC", reason: 'the index marks it "(stub)"' },
  { daemon: "VAST_CPU_PIPELINE", reason: 'the index marks it "(stub)"' },
  { daemon: "HEALTH_CHECK", reason: DEPRECATED_HEALTH },
  ...["SYNC_BANDWIDTH", "TRAINING_COORDINATOR", "HEALTH_MONITOR"].map((daemon) => ({
    daemon,
    reason: "named only in ADR-002: not in the index, whose start_production_daemons() this is",
  })),
];

/** The profiles that name their members. */
const NAMED: readonly Omit<CatalogProfile, "source">[] = [
  {
    name: "training_node",
    role: "Data pipeline + training daemons",
    members: [
      {
        daemon: "AUTO_SYNC",
        reason: "brings in the games the pipeline exports; ADR-002 lists it under Data",
      },
      { daemon: "AUTO_EXPORT", reason: 'data pipeline: "exports NPZ when games available"' },
      { daemon: "DATA_PIPELINE", reason: 'data pipeline: "Orchestrates pipeline stages"' },
      {
        daemon: "TRAINING_TRIGGER",
        reason: 'training: "Triggers training when data threshold reached"',
      },
      {
        daemon: "CONTINUOUS_TRAINING_LOOP",
        reason: 'training: "Main training orchestration loop"',
      },
      {
        daemon: "CURRICULUM_INTEGRATION",
        reason: 'training: "Bridges feedback loops for curriculum" (Training Pipeline table)',
      },
      { daemon: "GAUNTLET_FEEDBACK", reason: "training: ADR-002 lists it under Training" },
      { daemon: "TRAINING_COORDINATOR", reason: "training: ADR-002 lists it under Training" },
    ],
    excluded: [
      {
        daemon: "SELFPLAY_COORDINATOR",
        reason: 'in the Training Pipeline table, but "Coordinates selfplay across cluster"',
      },
    ],
  },
  {
    name: "selfplay",
    role: "Lightweight selfplay generation",
    members: [
      {
        daemon: "AUTO_SYNC",
        reason: 'pushes the generated games to the cluster ("push + gossip")',
      },
      { daemon: "IDLE_RESOURCE", reason: 'the index\'s one daemon that "spawns selfplay"' },
    ],
    excluded: [
      { daemon: "SELFPLAY_COORDINATOR", reason: '"Coordinates selfplay across cluster"' },
      { daemon: "QUEUE_POPULATOR", reason: "maintains the cluster's work queue, not lightweight" },
      { daemon: "MODEL_SYNC", reason: "MODEL_DISTRIBUTION pushes promoted models to the cluster" },
    ],
  },
  {
    name: "ephemeral",
    role: "Aggressive sync for Vast.ai nodes",
    members: [
      { daemon: "EPHEMERAL_SYNC", reason: '"Aggressive 5s sync for Vast.ai ephemeral hosts"' },
    ],
    excluded: [{ daemon: "AUTO_SYNC", reason: "EPHEMERAL_SYNC is the sync of these hosts" }],
  },
];

/** Every entry but `excluded`, each with the same reason: a profile defined as a set. */
function everyDaemonBut(
  entries: readonly CatalogEntry[],
  excluded: readonly ProfileMember[],
  reason: string,
): ProfileMember[] {
  const out = new Set(excluded.map((member) => member.daemon));
  return entries
    .filter((entry) => !out.has(entry.name))
    .map(({ name }) => ({ daemon: name, reason }));
}

/** `members` in catalog order, so that every listing reads like the index. */
function inCatalogOrder(
  entries: readonly CatalogEntry[],
  members: readonly ProfileMember[],
): ProfileMember[] {
  const rank = new Map(entries.map((entry, i) => [entry.name, i]));
  return [...members].sort((a, b) => (rank.get(a.daemon) ?? 0) - (rank.get(b.daemon) ?? 0));
}

/**
 * The five profiles of the "ringrift" catalog over its entries, in the order ADR-002 lists the
 * roles, then `production`.
 *
 * @example
 * ringriftProfiles(entries).map((profile) => profile.name);
 * // ["coordinator", "training_node", "selfplay", "ephemeral", "production"]
 */
export function ringriftProfiles(entries: readonly CatalogEntry[]): CatalogProfile[] {
  const coordinator: CatalogProfile = {
    name: "coordinator",
    role: "Full daemon set for coordinator node",
    source: ADR_002,
    members: everyDaemonBut(entries, NOT_COORDINATOR, 'the coordinator runs the "Full daemon set"'),
    excluded: NOT_COORDINATOR,
  };
  const production: CatalogProfile = {
    name: "production",
    role: "Start recommended production set",
    source: "docs/sources/daemon-index.md, Starting Daemons: start_production_daemons()",
    members: everyDaemonBut(
      entries,
      NOT_PRODUCTION,
      "it is an index daemon that is current (not deprecated), implemented (no stub) and for any host",
    ),
    excluded: NOT_PRODUCTION,
  };
  const named = NAMED.map((profile) => ({
    ...profile,
    source: ADR_002,
    members: inCatalogOrder(entries, profile.members),
    excluded: inCatalogOrder(entries, profile.excluded),
  }));
  return [coordinator, ...named, production];
}
