/**
 * How a process learns its units (SPEC §6a): `WARDEN_RESOURCE_<NAME>=0,2` for each resource it
 * holds (upper-cased, `-` → `_`), and for `gpu` also `CUDA_VISIBLE_DEVICES`, which CUDA itself
 * reads, so that a program written without warden in mind uses only its GPUs.
 */
import type { ResourceUnits } from "./resource-book.ts";

/** The resource whose units are the machine's GPUs (its default capacity is detected). */
export const GPU_RESOURCE = "gpu";

/**
 * The environment variables that carry `units` to a process.
 *
 * @example
 * resourceEnv({ gpu: [0, 2], "sync-slots": [1] });
 * // { WARDEN_RESOURCE_GPU: "0,2", CUDA_VISIBLE_DEVICES: "0,2", WARDEN_RESOURCE_SYNC_SLOTS: "1" }
 */
export function resourceEnv(units: ResourceUnits): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, indexes] of Object.entries(units)) {
    const value = indexes.join(",");
    env[`WARDEN_RESOURCE_${name.toUpperCase().replace(/-/g, "_")}`] = value;
    if (name === GPU_RESOURCE) env.CUDA_VISIBLE_DEVICES = value;
  }
  return env;
}
