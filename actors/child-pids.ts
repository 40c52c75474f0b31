/**
 * The children of one process, from Linux's `/proc/<pid>/task/<tid>/children` (one file per
 * thread: a child belongs to the thread that forked it), without scanning all of /proc.
 */
import { readdirSync, readFileSync } from "node:fs";

/**
 * The pids of `pid`'s children; empty when it is gone or /proc has no such files.
 *
 * @example
 * childrenOf(process.pid); // [4242, 4250]
 */
export function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    // Gone, or no /proc (macOS).
    return [];
  }
  const children: number[] = [];
  for (const task of tasks) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8");
    } catch {
      // The thread ended, or the kernel has no children files (CONFIG_PROC_CHILDREN unset).
      continue;
    }
    for (const field of text.split(" ")) {
      const child = Number(field);
      if (field !== "" && Number.isSafeInteger(child) && child > 0) children.push(child);
    }
  }
  return children;
}
