/**
 * What managerFromConfig registers: the daemons bound to a module or a program, and with a
 * catalog the built-in ones (EVENT_ROUTER, DAEMON_WATCHDOG) — never a built-in in place of, or
 * beside, a daemon the configuration binds under the same name.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { LoadedConfig } from "../../../runtime/config/load-config.ts";
import { managerFromConfig } from "../../../runtime/config/manager-from-config.ts";
import type { WardenConfig } from "../../../runtime/config/types.ts";

const dir = mkdtempSync(join(tmpdir(), "warden-manager-from-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "mine.mjs"), "export default () => ({ start() {}, stop() {} });\n");
const loaded = (config: WardenConfig): LoadedConfig => ({
  file: join(dir, "warden.config.json"),
  dir,
  config: { stateDir: ".warden", ...config },
});

async function registered(config: WardenConfig) {
  const manager = await managerFromConfig(loaded(config));
  try {
    return manager.status().map((status) => status.name);
  } finally {
    await manager.close();
  }
}

describe("managerFromConfig", () => {
  it("registers a daemon the configuration binds under a catalog name, without a catalog", async () => {
    expect(
      await registered({
        daemons: { EVENT_ROUTER: { module: "./mine.mjs" }, a: { module: "./mine.mjs" } },
      }),
    ).toEqual(["EVENT_ROUTER", "a"]);
  });

  it("with the catalog, binds a catalog name as the configuration says, not as the built-in", async () => {
    const manager = await managerFromConfig(
      loaded({ catalog: "ringrift", daemons: { EVENT_ROUTER: { module: "./mine.mjs" } } }),
    );
    try {
      await manager.startMany(["EVENT_ROUTER"]);
      // The built-in router would hold this until it ran; a module of one's own does not gate.
      const seen: string[] = [];
      manager.bus.subscribe("PING", (event) => void seen.push(event.type));
      manager.bus.publish("PING", {}, "test");
      expect(seen).toEqual(["PING"]);
    } finally {
      await manager.close();
    }
  });

  it("with the catalog, adds the built-ins needed and leaves out what needs an unbound daemon", async () => {
    const names = await registered({
      catalog: "ringrift",
      daemons: {
        AUTO_SYNC: { module: "./mine.mjs" }, // needs EVENT_ROUTER: built in
        S3_BACKUP: { module: "./mine.mjs" }, // needs MODEL_DISTRIBUTION: unbound
        DAEMON_WATCHDOG: { options: { intervalMs: 1000 } }, // named: built in
      },
    });
    expect(names).toEqual(["EVENT_ROUTER", "DAEMON_WATCHDOG", "AUTO_SYNC"]);
  });

  it("registers only the built-ins it is told will run: an EVENT_ROUTER that never runs would hold every event", async () => {
    const config: WardenConfig = {
      catalog: "ringrift",
      daemons: { AUTO_SYNC: { module: "./mine.mjs" }, mine: { module: "./mine.mjs" } },
    };
    const manager = await managerFromConfig(loaded(config), { builtIns: [] });
    try {
      expect(manager.status().map((status) => status.name)).toEqual(["mine"]);
      await manager.startMany(["mine"]);
      const seen: string[] = [];
      manager.bus.subscribe("PING", (event) => void seen.push(event.type));
      manager.bus.publish("PING", {}, "mine");
      expect(seen).toEqual(["PING"]);
    } finally {
      await manager.close();
    }
  });
});
