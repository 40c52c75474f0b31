/**
 * `conflicts` through the built CLI (SPEC §6a): `warden up` refuses a selection holding both
 * sides (exit 2, naming both), `warden validate` too; `warden start B` while A runs is refused
 * (exit 1, naming A), and `warden start B --replace` stops A first.
 */
import { describe, expect, it } from "vitest";
import { eventuallyAsync, workspacePerTest, type Workspace } from "../support/manager-run.ts";

const workspace = workspacePerTest();

const sleeper = { command: "sleep", args: ["60"], stopTimeoutMs: 2_000 };
const CONFIG = {
  server: { port: 0 },
  daemons: { A: { ...sleeper, conflicts: ["B"] }, B: sleeper },
};

/** Each daemon's state as `warden status --json` prints it, once `accept` says yes. */
function statesWhen(
  space: Workspace,
  accept: (states: Record<string, string>) => boolean,
): Promise<Record<string, string>> {
  return eventuallyAsync(
    async () => {
      const { code, stdout } = await space.run(["status", "--json"]);
      if (code !== 0) return undefined;
      const daemons = (JSON.parse(stdout) as { daemons: { name: string; state: string }[] })
        .daemons;
      const states = Object.fromEntries(daemons.map((daemon) => [daemon.name, daemon.state]));
      return accept(states) ? states : undefined;
    },
    20_000,
    "the daemons' states",
  );
}

describe("warden conflicts", () => {
  it("refuses `warden up` and `warden validate` for a selection with both sides (exit 2)", async () => {
    const space = workspace(CONFIG);
    const up = space.up(["--daemons", "A,B"]);
    expect(await up.exited).toBe(2);
    expect(up.output().stderr).toMatch(/the selection holds daemons that conflict: A and B/);
    const validate = await space.run(["validate"]);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toMatch(/A and B conflict/);
  });

  it("refuses `warden start B` while A runs (exit 1), and --replace stops A first", async () => {
    const space = workspace(CONFIG);
    space.up(["--daemons", "A"]);
    await statesWhen(space, (states) => states.A === "RUNNING");
    const refused = await space.run(["start", "B"]);
    expect(refused.code).toBe(1);
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/conflicts with "A", which is RUNNING/);
    const replaced = await space.run(["start", "B", "--replace"]);
    expect(replaced.code).toBe(0);
    const states = await statesWhen(space, (now) => now.B === "RUNNING");
    expect(states.A).toBe("STOPPED");
  });
});
