import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Runs the `warden` CLI as a user does (node bin/warden.js …) and collects its output.
 *
 * @example
 * const run = runWarden(["validate", "--config", file]);
 * expect(await run.exited).toBe(0);
 */
export function runWarden(args: string[], cwd = repoRoot, nodeOptions: string[] = []) {
  const child = spawn(process.execPath, [...nodeOptions, `${repoRoot}/bin/warden.js`, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const waitForOutput = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no ${pattern} within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`,
            ),
          ),
        timeoutMs,
      );
      const check = () => {
        if (!pattern.test(stdout + stderr)) return;
        clearTimeout(timer);
        child.stdout.off("data", check);
        child.stderr.off("data", check);
        resolve();
      };
      child.stdout.on("data", check);
      child.stderr.on("data", check);
      check();
    });
  return { child, exited, waitForOutput, output: () => ({ stdout, stderr }) };
}
