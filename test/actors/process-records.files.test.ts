/**
 * The process record files themselves: written atomically and privately under a safe name, read
 * back, forgotten only for the pid they name, and refused when they could not be reaped safely.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { forgetProcess, readRecords, recordProcess } from "../../actors/process-records.ts";
import { processRecordsPerTest, recordOf } from "../support/process-records-setup.ts";

let dir: string;
processRecordsPerTest((folder) => (dir = folder));

describe.skipIf(process.platform !== "linux")("process records", () => {
  it("writes each record atomically, in a private folder, under a safe name", () => {
    const pids = join(dir, "state", "pids");
    recordProcess(pids, recordOf("gpu/trainer 1", 4242, "100"));
    const file = join(pids, "gpu_trainer_1.json");
    const first = statSync(file);
    recordProcess(pids, recordOf("gpu/trainer 1", 4343, "200"));

    expect(statSync(pids).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Replaced by a rename, not rewritten in place: a reader never sees half a record.
    expect(statSync(file).ino).not.toBe(first.ino);
    expect(readdirSync(pids)).toEqual(["gpu_trainer_1.json"]);
    expect(JSON.parse(readFileSync(file, "utf8"))).toMatchObject({ pid: 4343, startTime: "200" });
    const { records, problems } = readRecords(pids);
    expect(problems).toEqual([]);
    expect(records).toEqual([
      {
        ...recordOf("gpu/trainer 1", 4343, "200"),
        recordedAt: records[0]?.recordedAt,
        bootId: expect.any(String),
      },
    ]);
  });

  it("keeps the instance marker of a record, and reads records written without one", () => {
    const instanceId = "0123456789abcdef0123456789abcdef";
    recordProcess(dir, { ...recordOf("marked", 4242, "100"), instanceId });
    writeFileSync(join(dir, "old.json"), JSON.stringify(recordOf("old", 4343, "200")));
    writeFileSync(
      join(dir, "bad.json"),
      JSON.stringify({ ...recordOf("bad", 4444, "300"), instanceId: "../../etc" }),
    );

    const { records, problems } = readRecords(dir);

    expect(records.map((entry) => [entry.daemon, entry.instanceId])).toEqual([
      ["marked", instanceId],
      ["old", undefined],
    ]);
    expect(problems).toEqual([expect.stringMatching(/bad\.json: "instanceId" must be/)]);
    expect(() =>
      recordProcess(dir, { ...recordOf("short", 4545, "1"), instanceId: "abc" }),
    ).toThrow(/"instanceId"/);
  });

  it("keeps a daemon named like a path inside the records folder", () => {
    recordProcess(dir, recordOf("../escape", 4242, "100"));
    expect(readdirSync(dir)).toEqual([".._escape.json"]);
  });

  it("forgets a record only when it still names the pid", () => {
    recordProcess(dir, recordOf("api", 4242, "100"));
    forgetProcess(dir, "api", 4343);
    expect(readRecords(dir).records.map((entry) => entry.pid)).toEqual([4242]);
    forgetProcess(dir, "api", 4242);
    expect(readdirSync(dir)).toEqual([]);
    expect(() => forgetProcess(dir, "api", 4242)).not.toThrow();
    writeFileSync(join(dir, "api.json"), "{corrupt");
    expect(() => forgetProcess(dir, "api", 4242)).not.toThrow();
  });

  it("refuses to record what it could not reap safely", () => {
    expect(() => recordProcess(dir, recordOf("init", 1, "1"))).toThrow(
      /"pid" must be an integer greater than 1/,
    );
    expect(() => recordProcess(dir, recordOf("", 4242, "1"))).toThrow(
      /"daemon" must be a non-empty string/,
    );
    expect(() => recordProcess(dir, recordOf("x", 4242, ""))).toThrow(/"startTime"/);
    expect(existsSync(join(dir, "init.json"))).toBe(false);
  });
});
