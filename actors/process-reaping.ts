/**
 * The end of a process daemon's instance (SPEC §4, §13): once its leader has exited, wait until
 * nothing of it runs — its process group and the processes that left it (actors/process-family.ts)
 * — then forget its pid record. What survives SIGKILL is logged and keeps the record, for the next
 * start's orphan reaping (actors/reap-orphans.ts). The waiting has no deadline of its own: the
 * lifecycle chart kills the instance at its stop timeout, and a dispose kills it at once.
 */
import type { DaemonLogger } from "./daemon-types.ts";
import { removeInstanceRecord } from "./instance-record.ts";
import type { ProcessInstance } from "./process-instance.ts";

export interface ReapOptions {
  name: string;
  pidsDir: string;
  logger: DaemonLogger;
  /** Nothing of `instance` runs any more and its record is gone. */
  onCleared(instance: ProcessInstance): void;
}

/**
 * Resolves once nothing of `instance` runs (or what runs was given up on after SIGKILL).
 *
 * @example
 * instance.gone = instance.exited.then(() => reapInstance(instance, options));
 */
export async function reapInstance(instance: ProcessInstance, options: ReapOptions): Promise<void> {
  const { pid, family } = instance;
  const { logger, name, pidsDir } = options;
  if (pid === undefined || family === undefined) return;
  const cleared = await family.gone();
  const escaped = family.escapedPids;
  if (escaped.length > 0) logger.warn("stopped processes that had left the group", { escaped });
  if (!cleared) return;
  removeInstanceRecord(pidsDir, name, pid, logger);
  options.onCleared(instance);
}
