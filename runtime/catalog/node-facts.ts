/**
 * The facts of this machine that `profileRules` match (machines/catalog/profile-rules.ts): its
 * hostname, environment, GPU presence and processor count.
 */
import { existsSync, readdirSync } from "node:fs";
import { availableParallelism, hostname } from "node:os";
import type { NodeFacts } from "../../machines/catalog/profile-rules.ts";

/** Where the NVIDIA driver lists its GPUs, and the first device node it makes. */
const NVIDIA_GPUS = "/proc/driver/nvidia/gpus";
const NVIDIA_DEVICE = "/dev/nvidia0";

/**
 * This machine's facts. A GPU is an NVIDIA GPU the driver lists (or its first device node), as
 * the documents' training nodes have; `paths` is for tests.
 *
 * @example
 * nodeFacts(); // { hostname: "gpu-3", env: process.env, gpu: true, cpus: 32 }
 */
export function nodeFacts(paths = { gpus: NVIDIA_GPUS, device: NVIDIA_DEVICE }): NodeFacts {
  return {
    hostname: hostname(),
    env: process.env,
    gpu: hasGpu(paths),
    cpus: availableParallelism(),
  };
}

function hasGpu(paths: { gpus: string; device: string }): boolean {
  try {
    if (readdirSync(paths.gpus).length > 0) return true;
  } catch {
    // No NVIDIA driver here: look for the device node alone.
  }
  return existsSync(paths.device);
}
