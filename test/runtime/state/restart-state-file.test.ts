/**
 * `<stateDir>/restart-state.json` (runtime/state/restart-state-file.ts): written whole and
 * atomically, read back; a file that cannot be read or makes no sense is reported, never thrown.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RestartRecord } from "../../../machines/restart-record.ts";
import {
  RESTART_STATE_FILE,
  parseRestartState,
  readRestartState,
  writeRestartState,
} from "../../../runtime/state/restart-state-file.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function stateDir(): string {
  const root = mkdtempSync(join(tmpdir(), "warden-restart-state-"));
  dirs.push(root);
  return join(root, ".warden");
}

const WORKER: RestartRecord = {
  attempt: 3,
  restartTimes: [1_000, 2_000],
  failed: { at: 2_500, reason: "intensity", error: "exit 1" },
};

describe("restart-state.json", () => {
  it("reads back what was written, creating the state directory", () => {
    const dir = stateDir();
    const records = new Map([
      ["worker", WORKER],
      ["db", { attempt: 1, restartTimes: [5] }],
    ]);
    writeRestartState(dir, records);
    expect(readRestartState(dir)).toEqual({ records });
    // No temporary file is left behind.
    expect(readdirSync(dir)).toEqual([RESTART_STATE_FILE]);
  });

  it("is no problem when missing, and is removed when there is nothing to remember", () => {
    const dir = stateDir();
    expect(readRestartState(dir)).toEqual({ records: new Map() });
    writeRestartState(dir, new Map([["worker", WORKER]]));
    writeRestartState(dir, new Map());
    expect(readdirSync(dir)).toEqual([]);
  });

  it("reports a torn, foreign or unreadable file and keeps nothing of it", () => {
    for (const text of ['{"version":1,"daemons":{"w', "[]", '{"version":2,"daemons":{}}']) {
      const read = parseRestartState(text);
      expect(read.records.size, text).toBe(0);
      expect(read.problem, text).toMatch(/JSON object|version/);
    }
    expect(parseRestartState('{"version":1,"daemons":[]}').problem).toBe(
      '"daemons" is not an object',
    );
    const dir = stateDir();
    mkdirSync(join(dir, RESTART_STATE_FILE), { recursive: true });
    expect(readRestartState(dir).problem).toMatch(/^cannot read it: .*EISDIR/);
  });

  it("ignores a record that makes no sense and keeps the others", () => {
    const daemons = {
      good: { attempt: 1, restartTimes: [5] },
      negative: { attempt: -1, restartTimes: [] },
      times: { attempt: 0, restartTimes: ["yesterday"] },
      failure: { attempt: 0, restartTimes: [], failed: { at: "noon", reason: "intensity" } },
    };
    const read = parseRestartState(JSON.stringify({ version: 1, daemons }));
    expect([...read.records.keys()]).toEqual(["good"]);
    expect(read.problem).toBe('ignored the records of "negative", "times", "failure"');
  });

  it("is written with mode 0600 as pretty JSON with a version", () => {
    const dir = stateDir();
    writeRestartState(dir, new Map([["worker", WORKER]]));
    const text = readFileSync(join(dir, RESTART_STATE_FILE), "utf8");
    expect(JSON.parse(text)).toEqual({ version: 1, daemons: { worker: WORKER } });
    expect(statSync(join(dir, RESTART_STATE_FILE)).mode & 0o777).toBe(0o600);
  });
});
