/**
 * Benchmark (i): resources and limits (issue P10, SPEC §6a). In one run: the cost of allocation
 * on the start path, `startAll()` of the 60 daemons of the daemon index with and without every
 * daemon requiring a unit that is always free (bench/resources/start-path.ts); and how soon a
 * process daemon that goes over `limits.memoryMb` is restarted, by the sampler alone and, where
 * the manager may create cgroups, by the kernel (bench/resources/memory-reaction.ts).
 */
import { runMemoryReaction, type MemoryReactionResult } from "./resources/memory-reaction.ts";
import { runStartPath, type StartPathResult } from "./resources/start-path.ts";

export interface ResourcesResult {
  start: StartPathResult;
  memory: MemoryReactionResult;
}

export interface ResourcesOptions {
  /** Measured `startAll()` runs of each side, and warm-up rounds before them. */
  startRuns: number;
  startWarmups: number;
  /** Measured limit crossings of each side, and warm-up rounds before them. */
  memoryRuns: number;
  memoryWarmups: number;
  progress?: (message: string) => void;
}

/**
 * Runs benchmark (i): the start path first, then the memory-limit reaction.
 *
 * @example
 * const { start } = await runResources({ startRuns: 21, startWarmups: 3, memoryRuns: 9, memoryWarmups: 1 });
 * console.log(`${start.ratio.toFixed(2)}× with resources`);
 */
export async function runResources(options: ResourcesOptions): Promise<ResourcesResult> {
  const progress = options.progress ?? (() => {});
  const start = await runStartPath({
    runs: options.startRuns,
    warmups: options.startWarmups,
    progress,
  });
  const memory = await runMemoryReaction({
    runs: options.memoryRuns,
    warmups: options.memoryWarmups,
    progress,
  });
  return { start, memory };
}
