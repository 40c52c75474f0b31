/**
 * The `limits` key of a process daemon (SPEC §6a; docs/limits.md), part of the one schema
 * (runtime/config/schema.ts). Its output type is the process driver's `ProcessLimits`.
 */
import { z } from "zod";

/** `{ memoryMb, cpuPercent, nice }`, each optional. */
export const limitsSchema = z
  .strictObject({
    memoryMb: z
      .number()
      .positive()
      .describe("Restart (reason memory) when the process group's resident memory exceeds this")
      .optional(),
    cpuPercent: z
      .number()
      .positive()
      .max(100_000)
      .describe("CPU quota in percent of one CPU (enforced through cgroups where available)")
      .optional(),
    // multipleOf(1), not int(): see `integer` in schema.ts.
    nice: z
      .number()
      .multipleOf(1)
      .min(-20)
      .max(19)
      .describe("Scheduling niceness applied at spawn")
      .optional(),
  })
  .describe("Resource limits of a process daemon (SPEC §6a)");
