import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { processDaemonProblems } from "../../../runtime/config/check-process.ts";
import type { ProcessDaemonDefinition } from "../../../runtime/config/types.ts";

const root = mkdtempSync(join(tmpdir(), "warden-check-process-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const bin = join(root, "bin");
mkdirSync(bin);
function file(path: string, mode: number): void {
  writeFileSync(path, "#!/bin/sh\n");
  chmodSync(path, mode);
}
file(join(bin, "mytool"), 0o755);
file(join(bin, "readonly-tool"), 0o644);
mkdirSync(join(root, "ml"));
file(join(root, "ml", "serve.sh"), 0o755);
file(join(root, "ml", "notes.txt"), 0o644);
file(join(root, "start.sh"), 0o755);
const env = { PATH: `${bin}:${join(root, "missing-bin")}` };

const problemsOf = (definition: ProcessDaemonDefinition) =>
  processDaemonProblems("trainer", definition, root, env).map(
    ({ path, text }) => `${path.join(".")}: ${text}`,
  );

describe("processDaemonProblems accepts", () => {
  it("a command found on PATH, a path relative to the daemon's cwd, and an absolute path", () => {
    expect(problemsOf({ command: "mytool" })).toEqual([]);
    expect(problemsOf({ command: "./serve.sh", cwd: "./ml" })).toEqual([]);
    expect(problemsOf({ command: "ml/serve.sh" })).toEqual([]);
    expect(problemsOf({ command: join(bin, "mytool"), cwd: "ml" })).toEqual([]);
    expect(problemsOf({ command: "./start.sh", cwd: root })).toEqual([]);
  });

  it("the PATH of the daemon's own env when it sets one", () => {
    const definition = { command: "serve.sh", env: { PATH: join(root, "ml") } };
    expect(problemsOf(definition)).toEqual([]);
  });
});

describe("processDaemonProblems names", () => {
  it("a command that is not on PATH, with the closest program there", () => {
    expect(problemsOf({ command: "mytol" })).toEqual([
      'daemons.trainer.command: expected a program on PATH or a path to an executable file, got "mytol": not found on PATH (did you mean "mytool"?)',
    ]);
  });

  it("a file of that name in the daemon's cwd, which needs ./ to run", () => {
    expect(problemsOf({ command: "start.sh" })).toEqual([
      `daemons.trainer.command: expected a program on PATH or a path to an executable file, got "start.sh": not found on PATH; ${join(root, "start.sh")} exists: write "./start.sh" to run it`,
    ]);
  });

  it("a program on PATH without execute permission", () => {
    expect(problemsOf({ command: "readonly-tool" })).toEqual([
      `daemons.trainer.command: expected a program on PATH or a path to an executable file, got "readonly-tool": ${join(bin, "readonly-tool")} is not executable`,
    ]);
  });

  it("a missing, non-executable or folder path, relative to the daemon's cwd", () => {
    expect(problemsOf({ command: "./serv.sh", cwd: "ml" })).toEqual([
      `daemons.trainer.command: expected an executable file, got "./serv.sh": no such file ${join(root, "ml", "serv.sh")} (did you mean "serve.sh"?)`,
    ]);
    expect(problemsOf({ command: "./notes.txt", cwd: "ml" })).toEqual([
      `daemons.trainer.command: expected an executable file, got "./notes.txt": ${join(root, "ml", "notes.txt")} is not executable (chmod +x it)`,
    ]);
    expect(problemsOf({ command: "./ml" })).toEqual([
      `daemons.trainer.command: expected an executable file, got "./ml": ${join(root, "ml")} is a folder`,
    ]);
  });

  it("a cwd that does not exist or is a file, and then leaves a relative command alone", () => {
    expect(problemsOf({ command: "./serve.sh", cwd: "./m1" })).toEqual([
      `daemons.trainer.cwd: expected an existing folder, got "./m1": no such folder ${join(root, "m1")} (did you mean "ml"?)`,
    ]);
    expect(problemsOf({ command: "mytool", cwd: "start.sh" })).toEqual([
      `daemons.trainer.cwd: expected a folder, got "start.sh": ${join(root, "start.sh")} is a file`,
    ]);
  });

  it("both a bad cwd and a command missing from PATH", () => {
    expect(problemsOf({ command: "nosuchprogram-xyz", cwd: "nowhere" })).toHaveLength(2);
  });
});
