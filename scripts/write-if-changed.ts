// What the scripts that write generated files share: write `text` to `file` only when it differs,
// and say which it was (`up to date`, `written`, `updated`), the path shown relative to here.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";

/**
 * Writes `text` to `file` unless it holds exactly that already, and prints what happened.
 *
 * @example
 * writeIfChanged("/repo/docs/DAEMON_INDEX.md", text); // "docs/DAEMON_INDEX.md: up to date"
 */
export function writeIfChanged(file: string, text: string): void {
  let before: string | undefined;
  try {
    before = readFileSync(file, "utf8");
  } catch {
    // No file yet: it is written below.
    before = undefined;
  }
  const shown = relative(process.cwd(), file) || file;
  if (before === text) {
    console.log(`${shown}: up to date`);
    return;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  console.log(`${shown}: ${before === undefined ? "written" : "updated"}`);
}
