/**
 * `conflicts` and `limits` (SPEC §6a) in the configuration: names must exist (with the closest
 * name), a daemon cannot conflict with itself, limits are bounded and only for processes, and a
 * selection holding both sides of a conflict is refused (exit 2, naming both) by planStart,
 * which `warden up` and `warden validate` share.
 */
import { wardenErrorOf } from "../../support/warden-error.ts";
import { describe, expect, it } from "vitest";
import { planStart } from "../../../runtime/catalog/start-plan.ts";
import { validateConfig } from "../../../runtime/config/validate-config.ts";

const sleeper = { command: "sleep", args: ["60"] };

describe("conflicts in the configuration", () => {
  it("accepts known names and limits on a process", () => {
    const config = {
      daemons: {
        a: { ...sleeper, conflicts: ["b"], limits: { memoryMb: 256, cpuPercent: 50, nice: 10 } },
        b: sleeper,
      },
    };
    expect(validateConfig(config, "w.json")).toEqual(config);
  });

  it("names an unknown conflict with the closest name, and a conflict with itself", () => {
    const error = wardenErrorOf(() =>
      validateConfig(
        { daemons: { alpha: { ...sleeper, conflicts: ["betta", "alpha"] }, beta: sleeper } },
        "w.json",
      ),
    );
    expect(error.code).toBe("WARDEN_ERR_CONFIG");
    expect(error.details).toEqual([
      'w.json: daemons.alpha.conflicts[0]: unknown daemon "betta" (did you mean "beta"?)',
      'w.json: daemons.alpha.conflicts[1]: expected the name of another daemon, got "alpha" (itself)',
    ]);
  });

  it("refuses limits out of range and limits on a module", () => {
    const error = wardenErrorOf(() =>
      validateConfig(
        {
          daemons: {
            a: { ...sleeper, limits: { nice: 40, memoryMb: -1 } },
            m: { module: "./m.ts", limits: { memoryMb: 10 } },
          },
        },
        "w.json",
      ),
    );
    const text = error.details!.join("\n");
    expect(text).toMatch(/daemons\.a\.limits\.memoryMb: expected more than 0, got -1/);
    expect(text).toMatch(/daemons\.a\.limits\.nice: expected at most 19, got 40/);
    expect(text).toMatch(/daemons\.m\.limits: expected "limits" only on a daemon with "command"/);
  });

  it("refuses a selection holding both sides, whichever declared it (exit 2, naming both)", () => {
    const config = validateConfig(
      { daemons: { a: sleeper, b: { ...sleeper, conflicts: ["a"] }, c: sleeper } },
      "w.json",
    );
    const error = wardenErrorOf(() => planStart(config, {}, "w.json"));
    expect(error.code).toBe("WARDEN_ERR_CONFIG");
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe("w.json: the selection holds daemons that conflict: a and b");
    expect(planStart(config, { daemons: "a,c" }, "w.json").targets).toContain("a");
  });

  it("names a dependency that brings a conflict in", () => {
    const config = validateConfig(
      {
        daemons: {
          a: { ...sleeper, conflicts: ["b"] },
          b: sleeper,
          c: { ...sleeper, dependsOn: ["b"] },
        },
      },
      "w.json",
    );
    const error = wardenErrorOf(() => planStart(config, { daemons: "a,c" }, "w.json"));
    expect(error.details).toEqual([
      'w.json: a and b (needed by c) conflict ("conflicts"): they never run at once; select one of them',
    ]);
  });
});
