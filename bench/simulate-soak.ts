/**
 * `npm run simulate:soak -- --minutes N [--duration 1h] [--faults SPEC] [--config F]
 * [--profile P] [--workers N]`: runs `warden simulate` on random seeds (of the ringrift catalog,
 * or of the configuration F, relative to the repository) for N minutes of wall time, in worker
 * processes, and prints every seed whose run violated an invariant (with the invariant, when,
 * and the command that repeats it). Exit 1 if any did.
 */
import { randomInt } from "node:crypto";
import { availableParallelism } from "node:os";
import type { SeedsResult } from "./simulate-seeds.ts";
import { seedsWorker } from "./simulate-worker.ts";

/** Seeds each worker process runs before reporting. */
const BATCH = 20;

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** The flags each worker is given: what every seed runs. */
function runFlags(): string[] {
  const flags: string[] = ["--duration", option("--duration") ?? "1h"];
  for (const name of ["--faults", "--config", "--profile"]) {
    const value = option(name);
    if (value !== undefined) flags.push(name, value);
  }
  return flags;
}

async function main(): Promise<void> {
  const minutes = Number(option("--minutes") ?? "1");
  const duration = option("--duration") ?? "1h";
  const workers = Number(option("--workers") ?? Math.min(2, availableParallelism()));
  if (!(minutes > 0)) throw new Error("--minutes needs a positive number");
  const deadline = Date.now() + minutes * 60_000;
  let runs = 0;
  const failures: SeedsResult["failures"] = [];
  const loop = async () => {
    while (Date.now() < deadline) {
      const seeds = Array.from({ length: BATCH }, () => randomInt(2 ** 31));
      const result = await seedsWorker(seeds.join(","), runFlags());
      runs += result.runs;
      for (const failure of result.failures) {
        failures.push(failure);
        const source = option("--config") === undefined ? ["--catalog", "ringrift"] : [];
        const repeat = ["warden simulate", ...source, "--seed", failure.seed, ...runFlags()].join(
          " ",
        );
        process.stdout.write(
          `FAIL seed ${failure.seed}: ${failure.invariant} at ${failure.at} ms: ${failure.message}\n  repeat: ${repeat}\n`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
  process.stdout.write(
    `${runs} seeds of ${duration} in ${minutes} min: ${failures.length} failing\n`,
  );
  if (failures.length > 0) process.exitCode = 1;
}

await main();
