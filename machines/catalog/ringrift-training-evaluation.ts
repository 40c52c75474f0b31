/**
 * The "ringrift" catalog, part of the daemon index (docs/sources/daemon-index.md, lines 37-58): the
 * Training Pipeline and Evaluation & Promotion tables, copied row by row. `title` is the "Daemon"
 * column, `name` the "Type" column, `dependsOn` the "Dependencies" column ("None" is an empty list)
 * and `description` the "Description" column without Markdown emphasis; `deprecated` comes from the
 * index's "Deprecated Daemons" table. test/machines/catalog/catalog-vs-index.test.ts parses the
 * document and fails on any difference.
 */
import type { CatalogEntry } from "./catalog.ts";

/** The index's "Training Pipeline" table, row by row. */
export const TRAINING_PIPELINE: readonly CatalogEntry[] = [
  {
    name: "CONTINUOUS_TRAINING_LOOP",
    title: "Continuous Training Loop",
    category: "Training Pipeline",
    description: "Main training orchestration loop",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "TRAINING_TRIGGER",
    title: "Training Trigger",
    category: "Training Pipeline",
    description: "Triggers training when data threshold reached",
    dependsOn: ["EVENT_ROUTER", "AUTO_EXPORT"],
    deprecated: null,
    source: "index",
  },
  {
    name: "AUTO_EXPORT",
    title: "Auto Export",
    category: "Training Pipeline",
    description: "Automatically exports NPZ when games available",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "DATA_PIPELINE",
    title: "Data Pipeline",
    category: "Training Pipeline",
    description: "Orchestrates pipeline stages",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "SELFPLAY_COORDINATOR",
    title: "Selfplay Coordinator",
    category: "Training Pipeline",
    description: "Coordinates selfplay across cluster",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "CURRICULUM_INTEGRATION",
    title: "Curriculum Integration",
    category: "Training Pipeline",
    description: "Bridges feedback loops for curriculum",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
];

/** The index's "Evaluation & Promotion" table, row by row. */
export const EVALUATION_AND_PROMOTION: readonly CatalogEntry[] = [
  {
    name: "EVALUATION",
    title: "Evaluation",
    category: "Evaluation & Promotion",
    description: "Runs gauntlet evaluations",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "TOURNAMENT_DAEMON",
    title: "Tournament Daemon",
    category: "Evaluation & Promotion",
    description: "Runs model tournaments for Elo updates",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "AUTO_PROMOTION",
    title: "Auto Promotion",
    category: "Evaluation & Promotion",
    description: "Promotes models passing gauntlet",
    dependsOn: ["EVENT_ROUTER", "EVALUATION"],
    deprecated: null,
    source: "index",
  },
  {
    name: "UNIFIED_PROMOTION",
    title: "Unified Promotion",
    category: "Evaluation & Promotion",
    description: "Unified promotion controller",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "GAUNTLET_FEEDBACK",
    title: "Gauntlet Feedback",
    category: "Evaluation & Promotion",
    description: "Adjusts training based on gauntlet results",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "MODEL_PERFORMANCE_WATCHDOG",
    title: "Model Performance Watchdog",
    category: "Evaluation & Promotion",
    description: "Monitors model win rates",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
  {
    name: "DISTILLATION",
    title: "Distillation",
    category: "Evaluation & Promotion",
    description: "Distills large models to NNUE format",
    dependsOn: ["EVENT_ROUTER"],
    deprecated: null,
    source: "index",
  },
];
