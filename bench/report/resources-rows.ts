/** (i)'s rows of the PASS/MISS table: allocation on the start path, memory-limit reaction times. */
import type { ResourcesResult } from "../resources.ts";
import type { ReactionSummary } from "../resources/memory-reaction.ts";
import { SLOT } from "../resources/start-path.ts";
import { integer, millis } from "./format.ts";
import type { Row } from "./results-table.ts";

/** "512 ms / 987 ms": the median and the largest reaction. */
const reaction = (side: ReactionSummary) =>
  `${integer(side.medianMs)} ms / ${integer(side.maxMs)} ms`;

export function resourcesRows({ start, memory }: ResourcesResult): Row[] {
  const over = `a Node process going over \`limits.memoryMb\` ${memory.limitMb}`;
  const size = `${start.daemons} daemons ready at once, each \`requires: { ${SLOT}: 1 }\` of ${start.daemons}, ${start.runs} runs`;
  const rows: Row[] = [
    {
      benchmark: "(i) start the daemon index, every daemon requiring a free unit",
      size,
      warden: millis(start.withMs),
      baseline: `${millis(start.withoutMs)} (no resources)`,
      ratio: start.ratio,
      target: "recorded",
      pass: true,
      informational: true,
    },
    {
      benchmark: "(i) … the same, CPU time of this process during `startAll()`",
      size,
      warden: millis(start.withCpuMs),
      baseline: `${millis(start.withoutCpuMs)} (no resources)`,
      ratio: start.cpuRatio,
      target: "recorded",
      pass: true,
      informational: true,
    },
    {
      benchmark: "(i) memory limit crossed → `DAEMON_RESTARTING`, sampler alone, median / max",
      size: `${over}, sampled every ${integer(memory.sampleMs)} ms, cgroups off, ${memory.sampler.samples.length} runs`,
      warden: reaction(memory.sampler),
      baseline: "—",
      target: "recorded",
      pass: true,
      informational: true,
    },
  ];
  const { kernel } = memory;
  rows.push({
    benchmark: "(i) memory limit crossed → `DAEMON_RESTARTING`, cgroup (the kernel), median / max",
    size: kernel
      ? `${over}, in its cgroup, ${kernel.samples.length} runs`
      : `skipped: ${memory.kernelSkipped ?? "no cgroups"}`,
    warden: kernel ? reaction(kernel) : "—",
    baseline: memory.bare
      ? `${reaction(memory.bare)} (the kernel alone: a bare child in a cgroup, to its exit)`
      : `— (${memory.bareSkipped ?? "not measured"})`,
    target: "recorded",
    pass: true,
    informational: true,
  });
  return rows;
}
