/**
 * Resources through the built CLI (SPEC §6a): with one gpu and two daemons that require it,
 * `warden status --json` shows the second PENDING with `waitingFor`, `warden resources --json`
 * shows who holds the unit and who waits, `warden up` prints the wait, and stopping the holder
 * lets the waiter start.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { eventuallyAsync, workspacePerTest } from "../support/manager-run.ts";

const workspace = workspacePerTest();

const trainer = { command: "sleep", args: ["60"], stopTimeoutMs: 2_000, requires: { gpu: 1 } };

/** CUDA_VISIBLE_DEVICES in the environment process `pid` was started with. */
function cudaOf(pid: number): string | undefined {
  const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  return environ.find((entry) => entry.startsWith("CUDA_VISIBLE_DEVICES="))?.slice(21);
}

interface Status {
  daemons: { name: string; state: string; waitingFor?: string; resources?: object }[];
}

describe("warden resources", () => {
  it("shows the waiter in status and resources, and starts it when the holder stops", async () => {
    const space = workspace({
      server: { port: 0 },
      resources: { gpu: 1 },
      daemons: { A: trainer, B: trainer },
    });
    const up = space.up(["--daemons", "A"]);
    await eventuallyAsync(
      async () => {
        const { code, stdout } = await space.run(["status", "--json"]);
        if (code !== 0) return undefined;
        const { daemons } = JSON.parse(stdout) as Status;
        return daemons.find((d) => d.name === "A")?.state === "RUNNING" ? true : undefined;
      },
      20_000,
      "A running",
    );
    const start = space.run(["start", "B"]);
    const waiting = await eventuallyAsync(
      async () => {
        const { stdout } = await space.run(["status", "--json"]);
        const b = (JSON.parse(stdout) as Status).daemons.find((d) => d.name === "B");
        return b?.waitingFor !== undefined ? b : undefined;
      },
      20_000,
      "B waiting",
    );
    expect(waiting).toMatchObject({ state: "PENDING", waitingFor: "gpu: 1 of 1 held by A" });
    // `warden up` says so too, as it says every transition.
    await eventuallyAsync(
      async () =>
        / B +PENDING waiting for gpu: 1 of 1 held by A$/m.test(up.output().stdout)
          ? true
          : undefined,
      10_000,
      "the waiting line in warden up's output",
    );
    const listed = await space.run(["resources", "--json"]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({
      resources: [
        {
          name: "gpu",
          capacity: 1,
          free: 0,
          held: [{ holder: "A", units: [0] }],
          waiting: [{ daemon: "B", waitingFor: "gpu: 1 of 1 held by A" }],
        },
      ],
    });
    const cudaOfA = cudaOf(space.recordedPid("A")!);
    expect(cudaOfA).toBe("0");
    const human = await space.run(["resources"]);
    expect(human.stdout).toMatch(/gpu {2}1 of 1 held, 0 free/);
    expect((await space.run(["stop", "A"])).code).toBe(0);
    expect((await start).code).toBe(0);
    const { stdout } = await space.run(["status", "--json"]);
    const b = (JSON.parse(stdout) as Status).daemons.find((d) => d.name === "B");
    expect(b).toMatchObject({ state: "RUNNING", resources: { gpu: [0] } });
    // Each saw the GPU it held, in its own environment.
    expect(cudaOf(space.recordedPid("B")!)).toBe("0");
  });
});
