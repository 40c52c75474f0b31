/**
 * Resources through the built CLI (SPEC §6a): with one gpu and two daemons that require it,
 * `warden status --json` shows the second PENDING with `waitingFor`, `warden resources --json`
 * shows who holds the unit and who waits, and stopping the holder lets the waiter start.
 */
import { describe, expect, it } from "vitest";
import { eventuallyAsync, workspacePerTest } from "../support/manager-run.ts";

const workspace = workspacePerTest();

const trainer = { command: "sleep", args: ["60"], stopTimeoutMs: 2_000, requires: { gpu: 1 } };

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
    space.up(["--daemons", "A"]);
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
    const human = await space.run(["resources"]);
    expect(human.stdout).toMatch(/gpu {2}1 of 1 held, 0 free/);
    expect((await space.run(["stop", "A"])).code).toBe(0);
    expect((await start).code).toBe(0);
    const { stdout } = await space.run(["status", "--json"]);
    const b = (JSON.parse(stdout) as Status).daemons.find((d) => d.name === "B");
    expect(b).toMatchObject({ state: "RUNNING", resources: { gpu: [0] } });
  });
});
