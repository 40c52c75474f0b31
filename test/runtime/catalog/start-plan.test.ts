import { wardenErrorOf } from "../../support/warden-error.ts";
import { describe, expect, it } from "vitest";
import { catalogRows } from "../../../runtime/catalog/catalog-listing.ts";
import { configuredDaemons } from "../../../runtime/catalog/config-daemons.ts";
import { planStart } from "../../../runtime/catalog/start-plan.ts";
import { selectDaemons } from "../../../runtime/config/select-daemons.ts";
import type { WardenConfig } from "../../../runtime/config/types.ts";

const bound = { command: "sleep", args: ["60"] };

describe("configuredDaemons", () => {
  it("folds in the catalog: its dependencies and description where the configuration sets none", () => {
    const daemons = configuredDaemons({
      catalog: "ringrift",
      daemons: {
        AUTO_SYNC: { ...bound },
        S3_BACKUP: { ...bound, dependsOn: [] },
        mine: { ...bound },
      },
    });
    expect(daemons.get("AUTO_SYNC")).toMatchObject({
      binding: "command",
      configured: true,
      definition: {
        dependsOn: ["EVENT_ROUTER"],
        description: "Automated P2P data sync with push + gossip",
      },
    });
    expect(daemons.get("S3_BACKUP")?.definition.dependsOn).toEqual([]); // the override wins
    expect(daemons.get("mine")?.entry).toBeUndefined();
    expect(daemons.get("EVENT_ROUTER")?.binding).toBe("built-in");
    expect(daemons.get("AUTO_EXPORT")).toMatchObject({ binding: "unbound", configured: false });
    expect(daemons.size).toBe(64); // 63 catalog types and one of the configuration's own
  });

  it("without a catalog knows the configuration's daemons and the built-ins `warden up` always runs", () => {
    const daemons = configuredDaemons({ daemons: { a: { ...bound } } });
    expect([...daemons.keys()]).toEqual(["a", "CROSS_PROCESS_POLLER", "DLQ_RETRY"]);
    expect(daemons.get("DLQ_RETRY")).toMatchObject({ binding: "built-in", configured: false });
  });

  it("lets a configuration without a catalog set an always-running built-in's options", () => {
    const daemons = configuredDaemons({ daemons: { DLQ_RETRY: { options: { tickMs: 10 } } } });
    expect(daemons.get("DLQ_RETRY")).toMatchObject({ binding: "built-in", configured: true });
  });
});

describe("planStart", () => {
  it("starts the selection with its dependencies, in dependency order", () => {
    const config: WardenConfig = {
      catalog: "ringrift",
      daemons: { S3_BACKUP: { ...bound }, MODEL_DISTRIBUTION: { ...bound } },
    };
    // With the built-ins `warden up` always runs (DLQ_RETRY depends on EVENT_ROUTER there).
    expect(planStart(config, {}, "w.json").targets).toEqual([
      "EVENT_ROUTER",
      "CROSS_PROCESS_POLLER",
      "MODEL_DISTRIBUTION",
      "DLQ_RETRY",
      "S3_BACKUP",
    ]);
  });

  it("refuses an unbound catalog daemon among the targets, naming who needs it", () => {
    const error = wardenErrorOf(() =>
      planStart({ catalog: "ringrift", daemons: { S3_BACKUP: { ...bound } } }, {}, "w.json"),
    );
    expect(error.code).toBe("WARDEN_ERR_CONFIG");
    expect(error.exitCode).toBe(2);
    expect(error.details).toEqual([
      expect.stringMatching(
        /^w\.json: daemons\.MODEL_DISTRIBUTION: a catalog daemon \(Model Distribution\) with nothing bound to run it \(needed by S3_BACKUP\); bind it with/,
      ),
    ]);
  });

  it("always plans CROSS_PROCESS_POLLER and DLQ_RETRY, with or without a catalog", () => {
    expect(planStart({ daemons: { a: { ...bound } } }, {}, "w.json").targets).toEqual([
      "a",
      "CROSS_PROCESS_POLLER",
      "DLQ_RETRY",
    ]);
    expect(
      planStart({ catalog: "ringrift", daemons: {} }, { daemons: "DLQ_RETRY" }, "w.json").targets,
    ).toEqual(["EVENT_ROUTER", "CROSS_PROCESS_POLLER", "DLQ_RETRY"]);
  });

  it("warns of every deprecated target", () => {
    const config: WardenConfig = {
      catalog: "ringrift",
      daemons: { HEALTH_CHECK: { ...bound }, SYNC_COORDINATOR: { ...bound } },
    };
    // In the order they start: here, the configuration's.
    expect(planStart(config, {}, "w.json").warnings).toEqual([
      "HEALTH_CHECK is deprecated: use NODE_HEALTH_MONITOR instead (removal Q2 2026)",
      "SYNC_COORDINATOR is deprecated: use AUTO_SYNC instead (removal Q2 2026)",
    ]);
  });
});

describe("selectDaemons with a catalog", () => {
  it("knows the catalog's profiles, a configuration's own profile of the same name winning", () => {
    const config: WardenConfig = { catalog: "ringrift", daemons: {} };
    expect(selectDaemons(config, { profile: "ephemeral" })).toEqual([
      "EVENT_ROUTER",
      "EPHEMERAL_SYNC",
    ]);
    expect(
      selectDaemons(
        { ...config, profiles: { ephemeral: ["AUTO_SYNC"] } },
        { profile: "ephemeral" },
      ),
    ).toEqual(["AUTO_SYNC"]);
    expect(wardenErrorOf(() => selectDaemons(config, { profile: "ephemeal" })).message).toContain(
      '(did you mean "ephemeral"?)',
    );
  });

  it("takes catalog names for --daemons", () => {
    expect(selectDaemons({ catalog: "ringrift", daemons: {} }, { daemons: "AUTO_SYNC" })).toEqual([
      "AUTO_SYNC",
    ]);
  });
});

describe("catalogRows", () => {
  it("lists the 63 daemon types in the JSON shape of SPEC §6", () => {
    const rows = catalogRows(undefined);
    expect(rows).toHaveLength(63);
    expect(Object.keys(rows[0]!)).toEqual([
      "name",
      "title",
      "category",
      "description",
      "dependsOn",
      "deprecated",
      "builtIn",
      "bound",
      "profiles",
    ]);
    expect(rows.find((row) => row.name === "SYNC_COORDINATOR")).toMatchObject({
      deprecated: { replacement: "AUTO_SYNC", removal: "Q2 2026" },
      bound: false,
      builtIn: false,
    });
    expect(rows.find((row) => row.name === "DLQ_RETRY")).toMatchObject({
      builtIn: true,
      bound: true,
    });
    expect(rows.find((row) => row.name === "EVENT_ROUTER")).toMatchObject({
      builtIn: true,
      bound: true,
    });
  });

  it("says what the configuration binds, and narrows to a profile with its dependencies", () => {
    const rows = catalogRows(
      { daemons: { EPHEMERAL_SYNC: { ...bound } } },
      { profile: "ephemeral" },
    );
    expect(rows.map((row) => [row.name, row.bound])).toEqual([
      ["EVENT_ROUTER", true],
      ["EPHEMERAL_SYNC", true],
    ]);
  });
});
