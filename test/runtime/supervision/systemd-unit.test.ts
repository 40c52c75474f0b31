/**
 * The unit file `warden systemd-unit` prints (runtime/supervision/systemd-unit.ts): its settings,
 * its quoting, and a stop timeout longer than the manager's own bound on an ordered stop.
 * (test/e2e/warden-up-supervised.test.ts has `systemd-analyze verify` check the command's output.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isWardenError } from "../../../machines/errors.ts";
import { attachControlPlane } from "../../../runtime/control/control-plane.ts";
import type { LoadedConfig } from "../../../runtime/config/load-config.ts";
import { managerFromConfig } from "../../../runtime/config/manager-from-config.ts";
import type { WardenConfig } from "../../../runtime/config/types.ts";
import { silentLogger } from "../../../runtime/logger.ts";
import {
  UNIT_STOP_MARGIN_MS,
  environmentAssignment,
  execArgument,
  managerStopBudget,
  renderSystemdUnit,
  unitNameFor,
  type SystemdUnitInput,
} from "../../../runtime/supervision/systemd-unit.ts";

const dir = mkdtempSync(join(tmpdir(), "warden-systemd-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SAMPLE: SystemdUnitInput = {
  node: "/usr/bin/node",
  bin: "/srv/app/node_modules/warden/bin/warden.js",
  config: "/srv/app/warden.config.ts",
  workingDirectory: "/srv/app",
  stopBudget: { chain: 2, longestStopMs: 10_000, budgetMs: 35_000 },
};

/** The unit's settings (comments and blank lines left out), in order. */
const settings = (unit: string) =>
  unit.split("\n").filter((line) => line !== "" && !line.startsWith("#"));

describe("renderSystemdUnit", () => {
  it("runs `warden up --supervised --config <absolute path>` with KillMode=mixed, a delegated cgroup and a long enough stop", () => {
    expect(settings(renderSystemdUnit(SAMPLE))).toEqual([
      "[Unit]",
      "Description=warden daemon supervisor (/srv/app/warden.config.ts)",
      "After=network-online.target",
      "Wants=network-online.target",
      "StartLimitIntervalSec=0",
      "[Service]",
      "Type=simple",
      "WorkingDirectory=/srv/app",
      "ExecStart=/usr/bin/node /srv/app/node_modules/warden/bin/warden.js up --supervised --config /srv/app/warden.config.ts",
      "Restart=on-failure",
      "RestartSec=30",
      "RestartPreventExitStatus=2",
      "KillMode=mixed",
      "KillSignal=SIGTERM",
      "Delegate=yes",
      "TimeoutStopSec=45",
      "[Install]",
      "WantedBy=multi-user.target",
    ]);
  });

  it("explains KillMode=mixed and the stop timeout in comments", () => {
    const unit = renderSystemdUnit(SAMPLE);
    expect(unit).toMatch(/^# KillMode=mixed: on stop, SIGTERM goes to the main process only/m);
    expect(unit).toContain("+ 5 s = 35000 ms");
    expect(unit).toContain("/etc/systemd/system/warden-app.service");
    expect(unit.endsWith("\n")).toBe(true);
  });

  it("runs as the user and with the PATH it is given", () => {
    const lines = settings(
      renderSystemdUnit({ ...SAMPLE, user: "alice", path: "/opt/x y:/usr/bin" }),
    );
    expect(lines).toContain("User=alice");
    expect(lines).toContain('Environment="PATH=/opt/x y:/usr/bin"');
    expect(lines.indexOf("User=alice")).toBeGreaterThan(lines.indexOf("[Service]"));
  });

  it("rounds the stop timeout up, past the manager's budget plus the margin", () => {
    const unit = renderSystemdUnit({
      ...SAMPLE,
      stopBudget: { chain: 1, longestStopMs: 10_001, budgetMs: 25_002 },
    });
    expect(unit).toMatch(/^TimeoutStopSec=36$/m);
    expect(36_000).toBeGreaterThan(25_002 + UNIT_STOP_MARGIN_MS - 1000);
  });

  it("quotes paths with spaces and escapes systemd's specifiers and variables", () => {
    const unit = renderSystemdUnit({
      ...SAMPLE,
      config: "/srv/my app/100%/$HOME/warden.config.ts",
      workingDirectory: "/srv/my app/100%/$HOME",
    });
    expect(unit).toContain(
      'ExecStart=/usr/bin/node /srv/app/node_modules/warden/bin/warden.js up --supervised --config "/srv/my app/100%%/$$HOME/warden.config.ts"',
    );
    // WorkingDirectory= is one path: no quotes; `%` is a specifier there, `$` is not a variable.
    expect(unit).toMatch(/^WorkingDirectory=\/srv\/my app\/100%%\/\$HOME$/m);
    expect(unit).toContain("Description=warden daemon supervisor (/srv/my app/100%%/$HOME/");
  });

  it("refuses relative paths and line breaks, which would make a broken unit", () => {
    const refused = (input: Partial<SystemdUnitInput>) => {
      try {
        renderSystemdUnit({ ...SAMPLE, ...input });
      } catch (error) {
        return isWardenError(error, "WARDEN_ERR_USAGE");
      }
      return false;
    };
    expect(refused({ config: "warden.config.ts" })).toBe(true);
    expect(refused({ workingDirectory: "/srv/app\nExecStartPre=/bin/evil" })).toBe(true);
    expect(refused({ user: "root\nUser=x" })).toBe(true);
    expect(refused({ path: "/bin\n" })).toBe(true);
  });
});

describe("quoting", () => {
  it("leaves plain arguments alone and quotes the others", () => {
    expect(execArgument("/usr/bin/node")).toBe("/usr/bin/node");
    expect(execArgument("a b")).toBe('"a b"');
    expect(execArgument('say "hi"\\')).toBe('"say \\"hi\\"\\\\"');
    expect(execArgument(";")).toBe('";"');
    expect(execArgument("")).toBe('""');
    expect(execArgument("$X%i")).toBe("$$X%%i");
  });

  it("keeps `$` as it is in Environment=, where it is not a variable", () => {
    expect(environmentAssignment("PATH", "/a$b:%c")).toBe("PATH=/a$b:%%c");
    expect(environmentAssignment("PATH", "/a b")).toBe('"PATH=/a b"');
  });

  it("names the unit after the configuration's folder", () => {
    expect(unitNameFor("/srv/app")).toBe("warden-app.service");
    expect(unitNameFor("/srv/my app!/")).toBe("warden-my-app.service");
    expect(unitNameFor("/")).toBe("warden.service");
  });
});

describe("managerStopBudget", () => {
  const loaded = (config: WardenConfig): LoadedConfig => ({
    file: join(dir, "warden.config.json"),
    dir,
    config: { stateDir: ".warden", ...config },
  });

  /** What `warden up` itself would allow for its shutdown (cli/commands/up.ts). */
  async function upsOwnBudget(config: WardenConfig): Promise<number> {
    const manager = await managerFromConfig(loaded(config));
    try {
      attachControlPlane(manager, loaded(config), [], silentLogger());
      return manager.stopBudgetMs();
    } finally {
      await manager.close();
    }
  }

  it.each<[string, WardenConfig]>([
    ["no daemons", { daemons: {} }],
    [
      "a chain with a long stop",
      {
        daemons: {
          db: { command: "sleep", args: ["1"], stopTimeoutMs: 25_000 },
          cache: { command: "sleep", args: ["1"], dependsOn: ["db"] },
          api: { command: "sleep", args: ["1"], dependsOn: ["cache"] },
        },
      },
    ],
    [
      "short stops (HEALTH_SERVER keeps the default)",
      { daemons: { a: { command: "sleep", args: ["1"], stopTimeoutMs: 1000 } } },
    ],
  ])("is the manager's own bound for %s", async (_, config) => {
    expect(managerStopBudget(config).budgetMs).toBe(await upsOwnBudget(config));
  });

  it("is never shorter than the manager's bound with a catalog (unbound daemons only add)", async () => {
    const config: WardenConfig = {
      catalog: "ringrift",
      daemons: { AUTO_SYNC: { command: "sleep", args: ["1"], stopTimeoutMs: 12_000 } },
    };
    expect(managerStopBudget(config).budgetMs).toBeGreaterThanOrEqual(await upsOwnBudget(config));
  });

  it("counts the longest chain and the largest stop timeout", () => {
    expect(
      managerStopBudget({
        daemons: {
          db: { command: "pg" },
          api: { command: "api", dependsOn: ["db"] },
        },
      }),
    ).toEqual({ chain: 2, longestStopMs: 10_000, budgetMs: 35_000 });
  });
});
