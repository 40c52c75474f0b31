/**
 * One worker process of `warden simulate` seeds (bench/simulate-seeds.ts): started with its
 * seeds and run flags, resolved with the JSON summary it prints, rejected when it exits non-zero.
 * Benchmark (j) and `npm run simulate:soak` both run their seeds through it.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { SeedsResult } from "./simulate-seeds.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Runs `seeds` (`"1-500"` or `"7,9,12"`) with `flags` in a worker process.
 *
 * @example
 * const result = await seedsWorker("1-500", ["--duration", "1h"]);
 */
export function seedsWorker(seeds: string, flags: readonly string[]): Promise<SeedsResult> {
  const args = ["--import", "tsx", "bench/simulate-seeds.ts", "--seeds", seeds, ...flags];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  return new Promise((resolve, reject) =>
    child.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out) as SeedsResult)
        : reject(new Error(`seeds ${seeds}: the worker exited with code ${code}`)),
    ),
  );
}
