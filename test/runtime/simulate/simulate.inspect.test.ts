/**
 * `warden simulate --inspect`: the simulation's manager served by the real control server and
 * inspector, the run paced against the wall clock. What the inspector reads — its status and
 * the event history behind its timeline — is the run's own log, event for event.
 */
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../../runtime/config/validate-config.ts";
import { parseFaults } from "../../../runtime/simulate/fault-spec.ts";
import {
  pacer,
  serveInspector,
  type InspectServer,
} from "../../../runtime/simulate/inspect-server.ts";
import { runSimulation } from "../../../runtime/simulate/run-simulation.ts";

describe("warden simulate --inspect", () => {
  it("serves the run to the inspector: its status and the log's events", async () => {
    let served: InspectServer | undefined;
    const seen: number[] = [];
    const pacing = pacer(3_600_000);
    const result = await runSimulation({
      config: validateConfig({ catalog: "ringrift", daemons: {} }, "test"),
      selection: { profile: "selfplay" },
      seed: 3,
      durationMs: 3_600_000,
      faults: parseFaults("crash=0.5"),
      inputs: { catalog: "ringrift", duration: "1h" },
      keepLog: true,
      onManager: async (manager) => {
        served = await serveInspector(manager, { host: "127.0.0.1", port: 0, label: "test" });
      },
      // Fast, but paced: the wall clock decides when each step runs.
      pace: async (due) => {
        seen.push(due);
        await pacing(due);
      },
    });
    try {
      expect(served!.loginUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/inspector\/login\?token=/);
      const get = async (path: string) => {
        const response = await fetch(`${served!.url}${path}`, {
          headers: { authorization: `Bearer ${served!.token}` },
        });
        expect(response.status, path).toBe(200);
        return response.json() as Promise<Record<string, unknown>>;
      };
      const status = (await get("/inspector/api/status")) as {
        daemons: { name: string; state: string }[];
      };
      expect(status.daemons.map((d) => d.name).sort()).toEqual([...result.daemons].sort());
      expect(new Set(status.daemons.map((d) => d.state))).toEqual(new Set(["STOPPED"]));
      const { events } = (await get(`/v1/events?limit=50`)) as { events: unknown[] };
      expect(events.map((e) => JSON.stringify(e))).toEqual(result.log!.slice(1).slice(-50));
      expect(seen).toHaveLength(result.steps); // every step waited for its time
    } finally {
      await served?.close();
    }
  });
});
