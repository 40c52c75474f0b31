/**
 * The Python adapter's own tests (python/tests/, stdlib unittest): its pure parts (line
 * framing, health_check() shapes, metrics, event lines) and the adapter as a process against a
 * socket that plays the manager. Run here so that CI runs them:
 * `python3 -m unittest discover -s python/tests`.
 */
import { execFile } from "node:child_process";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/run-warden.ts";

function unittest(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      "python3",
      ["-m", "unittest", "discover", "-s", "python/tests"],
      // No __pycache__ left in the checkout.
      { cwd: repoRoot, env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" }, timeout: 60_000 },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, output: stdout + stderr }),
    );
  });
}

describe("python/tests (unittest)", () => {
  it("passes", async () => {
    const { code, output } = await unittest();
    expect(output).toMatch(/^Ran \d+ tests? in /m);
    expect(code, output).toBe(0);
    expect(output).toMatch(/^OK$/m);
  });
});
