/**
 * reapOrphans with records it cannot use: corrupt and foreign files are reported and left in
 * place, a missing records folder or a file in its place is no error. Linux only (/proc).
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { recordProcess } from "../../actors/process-records.ts";
import { reapOrphans } from "../../actors/reap-orphans.ts";
import { processRecordsPerTest, recordOf } from "../support/process-records-setup.ts";

let dir: string;
processRecordsPerTest((folder) => (dir = folder));

describe.skipIf(process.platform !== "linux")("reapOrphans", () => {
  it("reports corrupt and foreign files, leaves them in place, and reaps the rest", async () => {
    writeFileSync(join(dir, "broken.json"), "{not json");
    writeFileSync(
      join(dir, "negative.json"),
      JSON.stringify({ ...recordOf("x", 2, "1"), pid: -5 }),
    );
    writeFileSync(join(dir, "notes.txt"), "hello");
    writeFileSync(join(dir, ".half.json.999.tmp"), '{"daemon":');
    recordProcess(dir, recordOf("ended", 999_999_999, "1"));
    const problems: string[] = [];

    const outcomes = await reapOrphans(dir, { onProblem: (message) => problems.push(message) });

    expect(outcomes).toEqual([{ daemon: "ended", pid: 999_999_999, action: "gone" }]);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/broken\.json: not a readable JSON process record/);
    expect(problems[1]).toMatch(/negative\.json: "pid" must be an integer greater than 1, got -5/);
    expect(problems[2]).toMatch(/notes\.txt: not a process record/);
    expect(readdirSync(dir).sort()).toEqual(["broken.json", "negative.json", "notes.txt"]);
  });

  it("never throws for a records folder that is missing or not a folder", async () => {
    expect(await reapOrphans(join(dir, "missing"))).toEqual([]);
    writeFileSync(join(dir, "file"), "");
    const problems: string[] = [];
    expect(await reapOrphans(join(dir, "file"), { onProblem: (m) => problems.push(m) })).toEqual(
      [],
    );
    expect(problems).toEqual([expect.stringMatching(/cannot read the process records in .*file/)]);
  });
});
