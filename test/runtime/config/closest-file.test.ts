import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { missingPathHint } from "../../../runtime/config/closest-file.ts";

const root = mkdtempSync(join(tmpdir(), "warden-closest-file-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, "daemons"));
writeFileSync(join(root, "daemons", "auto-sync.ts"), "");
writeFileSync(join(root, "daemons", "reporter.mjs"), "");

describe("missingPathHint", () => {
  it("suggests the closest name in the folder of a missing file", () => {
    expect(missingPathHint(join(root, "daemons", "auto-synk.ts"))).toBe(
      ' (did you mean "auto-sync.ts"?)',
    );
    expect(missingPathHint(join(root, "daemons", "reporter.ts"))).toBe(
      ' (did you mean "reporter.mjs"?)',
    );
  });

  it("says nothing when no name is close", () => {
    expect(missingPathHint(join(root, "daemons", "trainer.py"))).toBe("");
  });

  it("says which folder is missing when the file's folder does not exist either", () => {
    expect(missingPathHint(join(root, "deamons", "auto-sync.ts"))).toBe(
      ` (no folder ${join(root, "deamons")}; did you mean "daemons"?)`,
    );
    expect(missingPathHint(join(root, "nope", "deeper", "x.ts"))).toBe(
      ` (no folder ${join(root, "nope")})`,
    );
  });
});
