/**
 * How many GPUs this machine has, for the default of `resources.gpu` (SPEC §6a): the lines of
 * `nvidia-smi -L` that start with "GPU ", 0 when the command is missing, fails or takes too long.
 * Asked once per process: the answer does not change while the manager runs, and the command
 * costs tens of milliseconds.
 */
import { execFile } from "node:child_process";

/** How long `nvidia-smi -L` may take before the machine counts as having none. */
const DETECT_TIMEOUT_MS = 3_000;

let detected: Promise<number> | undefined;

/**
 * The number of GPUs `nvidia-smi -L` lists; 0 without it.
 *
 * @example
 * const gpu = await detectGpuCount(); // 4 on a machine with four GPUs, 0 on a laptop
 */
export function detectGpuCount(command = "nvidia-smi"): Promise<number> {
  if (command !== "nvidia-smi") return runCount(command);
  return (detected ??= runCount(command));
}

/**
 * `nvidia-smi -L` prints one line per GPU: "GPU 0: NVIDIA A100 (UUID: …)".
 *
 * @example
 * countGpuLines("GPU 0: A100 (UUID: x)\nGPU 1: A100 (UUID: y)\n"); // 2
 */
export function countGpuLines(output: string): number {
  return output.split("\n").filter((line) => line.startsWith("GPU ")).length;
}

function runCount(command: string): Promise<number> {
  return new Promise((resolve) => {
    execFile(command, ["-L"], { timeout: DETECT_TIMEOUT_MS }, (error, stdout) => {
      resolve(error ? 0 : countGpuLines(String(stdout)));
    });
  });
}

/**
 * The machine's resources as the configuration gives them, `gpu` filled in from detection when
 * it is not given (and only then is the command run).
 *
 * @example
 * await machineResources({ "sync-slots": 2 }); // { "sync-slots": 2, gpu: 0 } on a laptop
 */
export async function machineResources(
  configured: Readonly<Record<string, number>> = {},
  detect: () => Promise<number> = () => detectGpuCount(),
): Promise<Record<string, number>> {
  if (Object.hasOwn(configured, "gpu")) return { ...configured };
  return { ...configured, gpu: await detect() };
}
