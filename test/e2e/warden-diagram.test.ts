/**
 * `warden diagram` as a user runs it (SPEC §10; needs `npm run build`): the lifecycle chart as
 * Mermaid, an SVG file rendered in-process, the catalog's coordinator graph as DOT without any
 * configuration, a configuration's own graph, and usage errors (exit 2).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LIFECYCLE_STATES } from "../../machines/lifecycle-states.ts";
import { workspacePerTest } from "../support/manager-run.ts";
import { runWarden } from "../support/run-warden.ts";

const workspace = workspacePerTest();
const folders: string[] = [];

afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs warden in an empty folder (no configuration) and waits for it. */
async function runHere(args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "warden-diagram-"));
  folders.push(dir);
  const run = runWarden(args, dir);
  const code = await run.exited;
  return { code, dir, ...run.output() };
}

describe("warden diagram", () => {
  it("lifecycle --format mermaid prints the seven-state chart, needing no configuration", async () => {
    const { code, stdout } = await runHere(["diagram", "lifecycle", "--format", "mermaid"]);
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines[0]).toBe("stateDiagram-v2");
    for (const state of LIFECYCLE_STATES) expect(lines).toContain(`    ${state}`);
    expect(lines).toContain("    RUNNING --> RESTARTING : CRASHED [restart allowed]");
    expect(lines).toContain("    PENDING --> FAILED : RESUME_FAILED");
  });

  it("--format svg --out writes a standalone SVG document", async () => {
    const { code, dir, stdout, stderr } = await runHere([
      "diagram",
      "lifecycle",
      "--format",
      "svg",
      "--out",
      "lifecycle.svg",
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toContain("wrote lifecycle.svg");
    const svg = readFileSync(join(dir, "lifecycle.svg"), "utf8");
    expect(svg).toMatch(/^<\?xml [^>]*\?>\n<!DOCTYPE svg /);
    expect(svg).toMatch(/<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    for (const state of LIFECYCLE_STATES) expect(svg).toContain(`>${state}</text>`);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
  });

  it("deps --profile coordinator --format dot draws the catalog's profile without a configuration", async () => {
    const { code, stdout } = await runHere([
      "diagram",
      "deps",
      "--profile",
      "coordinator",
      "--format",
      "dot",
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^digraph "ringrift coordinator" \{\n/);
    expect(stdout).toContain('  "EVENT_ROUTER" -> "AUTO_SYNC";');
    expect(stdout).toContain('  "NODE_HEALTH_MONITOR" -> "SYSTEM_HEALTH_MONITOR";');
    expect(stdout).not.toContain('"SYNC_COORDINATOR"'); // deprecated: not in the profile
  });

  it("deps draws the configuration found here", async () => {
    const space = workspace({
      daemons: { api: { command: "sleep" }, worker: { command: "sleep", dependsOn: ["api"] } },
    });
    const { code, stdout } = await space.run(["diagram", "deps"]);
    expect(code).toBe(0);
    expect(stdout).toBe("flowchart LR\n    api\n    worker\n    api --> worker\n");
  });

  it("exits 2 on an unknown format, kind or profile, or a --profile with lifecycle", async () => {
    const format = await runHere(["diagram", "lifecycle", "--format", "png"]);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("Allowed choices are mermaid, dot, svg");
    const kind = await runHere(["diagram", "states"]);
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain("Allowed choices are lifecycle, supervisor, deps");
    const profile = await runHere(["diagram", "deps", "--profile", "coordinatr"]);
    expect(profile.code).toBe(2);
    expect(profile.stderr).toContain('no profile named "coordinatr"');
    const misplaced = await runHere(["diagram", "lifecycle", "--profile", "coordinator"]);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain("--profile applies to `warden diagram deps` only");
  });
});
