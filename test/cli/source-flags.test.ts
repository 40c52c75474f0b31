import { describe, expect, it } from "vitest";
import { sourceFlagsToCommand } from "../../cli/source-flags.ts";
import { isWardenError } from "../../machines/errors.ts";

describe("sourceFlagsToCommand", () => {
  it.each([
    [["--status"], ["status"]],
    [
      ["--status", "--json", "--config", "w.ts"],
      ["status", "--json", "--config", "w.ts"],
    ],
    [
      ["--config", "w.ts", "--status"],
      ["status", "--config", "w.ts"],
    ],
    [["--all"], ["start", "--all"]],
    [
      ["--all", "--config", "w.ts"],
      ["start", "--all", "--config", "w.ts"],
    ],
    [
      ["--daemons", "AUTO_SYNC,CLUSTER_MONITOR"],
      ["start", "AUTO_SYNC", "CLUSTER_MONITOR"],
    ],
    [
      ["--daemons=A, B,", "-c", "w.ts"],
      ["start", "A", "B", "-c", "w.ts"],
    ],
  ])("%j becomes %j", (argv, expected) => {
    expect(sourceFlagsToCommand(argv)).toEqual(expected);
  });

  it.each([
    [["up", "--all"]],
    [["up", "--daemons", "A,B", "--config", "w.ts"]],
    [["status", "--json"]],
    [["--help"]],
    [["--version"]],
    [[]],
  ])("leaves %j as it is", (argv) => {
    expect(sourceFlagsToCommand(argv)).toEqual(argv);
  });

  it.each([
    [["--status", "--all"], /choose one of --status, --all, --daemons; got --status and --all/],
    [["--daemons"], /--daemons needs a comma-separated list of daemon names/],
    [["--daemons", ","], /--daemons needs/],
    [["--daemons", "--json"], /--daemons needs/],
  ])("%j is a usage error", (argv, message) => {
    let caught: unknown;
    try {
      sourceFlagsToCommand(argv);
    } catch (error) {
      caught = error;
    }
    expect(isWardenError(caught, "WARDEN_ERR_USAGE")).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });
});
