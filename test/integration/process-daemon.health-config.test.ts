/**
 * `health.probe` from a configuration file to what users see: the probe and its cadence reach
 * the process driver, and a probe's result shows where a module's healthCheck() does — the
 * status (`warden status`'s HEALTH column) and `/metrics` (`warden_daemon_healthy`).
 */
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { statusTable } from "../../cli/status-table.ts";
import { loadConfig } from "../../runtime/config/load-config.ts";
import { managerFromConfig } from "../../runtime/config/manager-from-config.ts";
import { createMetrics } from "../../runtime/control/prometheus-metrics.ts";
import type { DaemonManager } from "../../runtime/manager/daemon-manager.ts";
import { eventually } from "../support/process-harness.ts";

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** A manager made from `daemons` written as a JSON configuration in a fresh folder. */
async function managerOf(daemons: object): Promise<{ manager: DaemonManager; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "warden-health-config-"));
  const file = join(dir, "warden.config.json");
  writeFileSync(file, JSON.stringify({ stateDir: ".warden", daemons }));
  const manager = await managerFromConfig(await loadConfig(file));
  cleanup = async () => {
    await manager.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { manager, dir };
}

const healthColumn = (manager: DaemonManager, name: string): string | undefined => {
  const row = statusTable(manager.status(), { color: false }).find((line) =>
    line.startsWith(`${name} `),
  );
  return row?.split(/\s{2,}/)[5];
};

async function healthyMetric(manager: DaemonManager, name: string): Promise<string | undefined> {
  const metrics = createMetrics({
    status: () => manager.status(),
    eventCounts: () => new Map(),
    deadLetters: () => 0,
  });
  const line = (await metrics.text())
    .split("\n")
    .find((l) => l.startsWith(`warden_daemon_healthy{daemon="${name}"}`));
  return line?.split(" ")[1];
}

describe("health.probe in a configuration", () => {
  it("runs at the configured cadence; its result shows in status, the HEALTH column and /metrics", async () => {
    const { manager, dir } = await managerOf({
      checked: {
        command: "sh",
        args: ["-c", "touch alive; echo ready; exec sleep 30"],
        ready: { stdout: "^ready$" },
        // The default interval is 10 s: only the configured 40 ms can pass this test in time.
        health: {
          intervalMs: 40,
          timeoutMs: 2000,
          failureThreshold: 1000,
          probe: { exec: ["test", "-f", "alive"] },
        },
      },
    });
    await manager.start("checked");
    await eventually(() => manager.statusOf("checked").healthy === true, 5_000, "healthy");
    expect(healthColumn(manager, "checked")).toBe("healthy");
    expect(await healthyMetric(manager, "checked")).toBe("1");

    unlinkSync(join(dir, "alive"));
    await eventually(() => manager.statusOf("checked").healthy === false, 5_000, "unhealthy");
    expect(manager.statusOf("checked")).toMatchObject({
      state: "RUNNING",
      lastError: '"test -f alive" exited with code 1',
    });
    expect(healthColumn(manager, "checked")).toBe("unhealthy");
    expect(await healthyMetric(manager, "checked")).toBe("0");
  });

  it("restarts after the configured failureThreshold", async () => {
    const { manager } = await managerOf({
      sick: {
        command: "sh",
        args: ["-c", "exec sleep 30"],
        backoff: { initialMs: 10, maxMs: 20 },
        health: {
          intervalMs: 40,
          timeoutMs: 2000,
          failureThreshold: 2,
          probe: { exec: ["false"] },
        },
      },
    });
    await manager.start("sick");
    await eventually(() => manager.statusOf("sick").restarts >= 1, 5_000, "a restart");
    expect(manager.statusOf("sick").lastError).toBe("health check failed");
  });
});
