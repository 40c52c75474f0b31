import { isAbsolute, relative, resolve, sep } from "node:path";
import { WardenError } from "../../machines/errors.ts";

/**
 * How configuration errors name things: the file as the user typed it, a path inside the file
 * (`daemons.trainer.dependsOn[0]`), and one `WARDEN_ERR_CONFIG` whose message is a heading line
 * and one line per problem (SPEC §7: the file, the path inside it, what was expected).
 */

/** A place in a configuration: keys and array indexes from the top. */
export type ConfigPath = readonly PropertyKey[];

/** One problem found in a configuration, before it is turned into a `file: path: text` line. */
export interface ConfigProblem {
  path: ConfigPath;
  text: string;
}

/**
 * `daemons.trainer.dependsOn[0]`; keys that are not plain words are quoted: `daemons["a.b"]`.
 *
 * @example
 * formatConfigPath(["daemons", "api", "dependsOn", 1]); // "daemons.api.dependsOn[1]"
 */
export function formatConfigPath(path: ConfigPath): string {
  let out = "";
  for (const segment of path) {
    const key = String(segment);
    if (typeof segment === "number") out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

/**
 * The line of one problem: `<file>: <path>: <text>` (`<file>: <text>` at the top).
 *
 * @example
 * problemLine("warden.config.yaml", { path: ["daemons", "a", "cwd"], text: "expected a folder" });
 * // "warden.config.yaml: daemons.a.cwd: expected a folder"
 */
export function problemLine(shown: string, problem: ConfigProblem): string {
  const where = formatConfigPath(problem.path);
  return where === "" ? `${shown}: ${problem.text}` : `${shown}: ${where}: ${problem.text}`;
}

/**
 * The error of an invalid configuration: `invalid configuration <file>:` and then `details`,
 * one per line; `details` are kept for callers that list them.
 *
 * @example
 * throw configError("warden.config.yaml", ["warden.config.yaml: daemons.a.cwd: expected a folder"]);
 */
export function configError(
  shown: string,
  details: readonly string[],
  cause?: unknown,
): WardenError {
  const message = [`invalid configuration ${shown}:`, ...details].join("\n");
  return new WardenError("WARDEN_ERR_CONFIG", message, { cause, details });
}

/**
 * `file` as messages show it: relative to `cwd` when it is inside, as users type paths;
 * absolute otherwise.
 *
 * @example
 * displayPath("/srv/app/warden.config.ts", "/srv/app"); // "warden.config.ts"
 */
export function displayPath(file: string, cwd: string): string {
  const rel = relative(resolve(cwd), file);
  const outside = rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  return outside ? file : rel;
}

/** Where a `.json` or `.yaml` file breaks its format's grammar, and why. */
export interface SyntaxProblem {
  line: number;
  column: number;
  reason: string;
}

/**
 * Throws the configuration error for syntax problems: one `<file>:<line>:<column>: invalid
 * <format>: <reason>` line each.
 *
 * @example
 * syntaxError("warden.config.json", "JSON", [{ line: 3, column: 5, reason: "duplicate key \"a\"" }]);
 */
export function syntaxError(
  shown: string,
  format: string,
  problems: readonly SyntaxProblem[],
  cause?: unknown,
): never {
  const details = problems.map(
    ({ line, column, reason }) => `${shown}:${line}:${column}: invalid ${format}: ${reason}`,
  );
  throw configError(shown, details, cause);
}
