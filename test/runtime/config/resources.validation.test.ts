/**
 * `resources` and `requires` in the configuration (SPEC §6a): validated with the path, GPUs
 * counted from `nvidia-smi -L`, and the units reaching a real process as environment variables.
 */
import { wardenErrorOf } from "../../support/warden-error.ts";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  countGpuLines,
  detectGpuCount,
  machineResources,
} from "../../../runtime/config/gpu-count.ts";
import { managerFromConfig } from "../../../runtime/config/manager-from-config.ts";
import { validateConfig } from "../../../runtime/config/validate-config.ts";

const sleeper = { command: "sleep", args: ["60"] };
const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe("resources in the configuration", () => {
  it("accepts resources and requires, gpu without declaring it", () => {
    const config = {
      resources: { "sync-slots": 2 },
      daemons: { a: { ...sleeper, requires: { "sync-slots": 2, gpu: 1 } } },
    };
    expect(validateConfig(config, "w.json")).toEqual(config);
  });

  it("names an unknown resource, a requirement beyond the capacity, and a bad count", () => {
    const error = wardenErrorOf(() =>
      validateConfig(
        {
          resources: { gpu: 1, slots: 2 },
          daemons: {
            a: { ...sleeper, requires: { slot: 1 } },
            b: { ...sleeper, requires: { gpu: 2 } },
            c: { ...sleeper, requires: { slots: 0 } },
          },
        },
        "w.json",
      ),
    );
    expect(error.details).toEqual([
      'w.json: daemons.a.requires.slot: unknown resource "slot" (did you mean "slots"?)',
      "w.json: daemons.b.requires.gpu: expected at most 1 (resources.gpu), got 2",
      expect.stringMatching(/^w\.json: daemons\.c\.requires\.slots: expected .*1/),
    ]);
  });

  it("counts the GPUs nvidia-smi lists, and none without it", async () => {
    expect(countGpuLines("GPU 0: A100 (UUID: a)\nGPU 1: A100 (UUID: b)\n")).toBe(2);
    expect(countGpuLines("No devices were found\n")).toBe(0);
    expect(await detectGpuCount("/nonexistent/nvidia-smi")).toBe(0);
    expect(await machineResources({ gpu: 3 }, async () => 8)).toEqual({ gpu: 3 });
    expect(await machineResources({ s: 1 }, async () => 2)).toEqual({ s: 1, gpu: 2 });
  });

  it("hands a process its units as WARDEN_RESOURCE_GPU and CUDA_VISIBLE_DEVICES", async () => {
    const dir = mkdtempSync(join(tmpdir(), "warden-resources-"));
    roots.push(dir);
    const out = join(dir, "env.txt");
    const script =
      `require("fs").writeFileSync(${JSON.stringify(out)}, ` +
      `process.env.WARDEN_RESOURCE_GPU + " " + process.env.CUDA_VISIBLE_DEVICES); ` +
      `console.log("ready"); setInterval(() => {}, 1000);`;
    const config = {
      resources: { gpu: 1 },
      daemons: {
        trainer: {
          command: process.execPath,
          args: ["-e", script],
          ready: { stdout: "ready" },
          requires: { gpu: 1 },
        },
      },
    };
    const loaded = { file: join(dir, "w.json"), dir, config: validateConfig(config, "w.json") };
    const manager = await managerFromConfig(loaded, {
      stateDir: join(dir, ".warden"),
      captureEscapedErrors: false,
      builtIns: [],
    });
    try {
      await manager.start("trainer");
      expect(readFileSync(out, "utf8")).toBe("0 0");
      expect(manager.statusOf("trainer").resources).toEqual({ gpu: [0] });
    } finally {
      await manager.close();
    }
  });
});
