import { z } from "zod";
import { CATALOGS, catalogEntry, isCatalogName } from "../../machines/catalog/catalog.ts";
import { isAlwaysRunning } from "../catalog/config-daemons.ts";
import { suggestion } from "../../machines/closest-name.ts";
import {
  configError,
  formatConfigPath as formatPath,
  problemLine,
  type ConfigPath as Path,
  type ConfigProblem as Problem,
} from "./config-error.ts";
import { resourceProblems } from "./check-resources.ts";
import { configSchema } from "./schema.ts";
import type { WardenConfig } from "./types.ts";

/**
 * Checks a configuration against the schema, then across daemons: every `dependsOn` entry and
 * profile member names a daemon in `daemons` (any name when `catalog` is set, since the catalog
 * is resolved later) and no daemon depends on itself. Every problem is reported, not just the
 * first, as a `WARDEN_ERR_CONFIG` whose `details` are lines of the form
 * `<file>: <path>: expected <X>, got <Y>[ (did you mean "Z"?)]`.
 *
 * @example
 * try {
 *   validateConfig({ daemons: { a: { command: "x", restart: "sometimes" } } }, "warden.config.json");
 * } catch (error) {
 *   // error.details[0] ===
 *   // 'warden.config.json: daemons.a.restart: expected one of "always", "on-failure", "never", got "sometimes"'
 * }
 */
export function validateConfig(raw: unknown, file: string): WardenConfig {
  const result = configSchema.safeParse(raw, { reportInput: true });
  const problems = [
    ...(result.success ? [] : result.error.issues.flatMap((issue) => describeIssue(issue, []))),
    ...crossCheck(raw),
    ...resourceProblems(raw),
  ];
  if (result.success && problems.length === 0) return result.data;
  throw configError(file, linesOf(problems, raw, file));
}

/**
 * One line per path, in the order the file reads: a second issue at the same place (e.g. -1.5
 * is neither whole nor ≥ 0) is noise.
 */
function linesOf(problems: readonly Problem[], raw: unknown, file: string): string[] {
  const order = documentOrder(raw);
  const rank = (path: Path): number => {
    for (let length = path.length; length >= 0; length--) {
      const found = order.get(formatPath(path.slice(0, length)));
      if (found !== undefined) return found;
    }
    return 0;
  };
  const seen = new Set<string>();
  const ranked: Array<{ rank: number; line: string }> = [];
  for (const problem of problems) {
    const where = formatPath(problem.path);
    if (seen.has(where)) continue;
    seen.add(where);
    ranked.push({ rank: rank(problem.path), line: problemLine(file, problem) });
  }
  return ranked.sort((a, b) => a.rank - b.rank).map(({ line }) => line);
}

/** The position of every path of `raw` in a depth-first walk: the order a reader meets them. */
function documentOrder(raw: unknown): Map<string, number> {
  const order = new Map<string, number>();
  const seen = new WeakSet<object>();
  const visit = (value: unknown, path: PropertyKey[]): void => {
    order.set(formatPath(path), order.size);
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    // A .ts config may hold cyclic `options`; walk each object once.
    seen.add(value);
    if (Array.isArray(value)) value.forEach((item, i) => visit(item, [...path, i]));
    else for (const [key, item] of Object.entries(value)) visit(item, [...path, key]);
  };
  visit(raw, []);
  return order;
}

function describeIssue(issue: z.core.$ZodIssue, base: Path): Problem[] {
  const path = [...base, ...issue.path];
  const got = describeValue(issue.input);
  switch (issue.code) {
    case "invalid_type":
      return [{ path, text: `expected ${typeName(issue.expected)}, got ${got}` }];
    case "invalid_value": {
      const values = issue.values.map((value) => JSON.stringify(value) ?? String(value));
      const options = issue.values.filter((value): value is string => typeof value === "string");
      const hint =
        typeof issue.input === "string" && values.length > 1
          ? suggestion(issue.input, options)
          : "";
      const expected = values.length === 1 ? values[0] : `one of ${values.join(", ")}`;
      return [{ path, text: `expected ${expected}, got ${got}${hint}` }];
    }
    case "too_small":
    case "too_big":
      return [{ path, text: `expected ${bound(issue)}, got ${got}` }];
    case "not_multiple_of": {
      const expected = issue.divisor === 1 ? "a whole number" : `a multiple of ${issue.divisor}`;
      return [{ path, text: `expected ${expected}, got ${got}` }];
    }
    case "invalid_format": {
      const expected =
        issue.pattern === undefined
          ? `a valid ${issue.format}`
          : `a string matching ${issue.pattern}`;
      return [{ path, text: `expected ${expected}, got ${got}` }];
    }
    case "unrecognized_keys": {
      const known = objectKeysAt(path);
      return issue.keys.map((key) => ({
        path: [...path, key],
        text: `unknown key${suggestion(key, known) || expectedKeys(known)}`,
      }));
    }
    case "invalid_key":
    case "invalid_element":
      return issue.issues.flatMap((inner) =>
        inner.code === "invalid_format" && inner.pattern !== undefined
          ? [{ path, text: `expected a key matching ${inner.pattern}, got ${got}` }]
          : describeIssue(inner, path),
      );
    case "invalid_union": {
      // The alternative with the fewest complaints is the one the user most likely meant.
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      if (closest.length > 0) return closest.flatMap((inner) => describeIssue(inner, path));
      return [{ path, text: `expected exactly one alternative to match, got ${got}` }];
    }
    case "custom": {
      const params = (issue.params ?? {}) as { expected?: string; got?: string; reason?: string };
      if (params.expected === undefined) return [{ path, text: issue.message }];
      const reason = params.reason === undefined ? "" : ` (${params.reason})`;
      return [{ path, text: `expected ${params.expected}, got ${params.got ?? got}${reason}` }];
    }
    default:
      return [{ path, text: (issue as { message: string }).message }];
  }
}

/**
 * Unknown dependencies, conflicts and profile members (names in `daemons` or, with `catalog`, the catalog's),
 * self-dependencies, and definitions that say neither how to run (`module`, `command`, `python`)
 * nor are a catalog daemon's settings; lenient about bad shapes, which the schema reports.
 */
function crossCheck(raw: unknown): Problem[] {
  if (!isObject(raw) || !isObject(raw.daemons)) return [];
  const daemons = raw.daemons;
  const catalog =
    typeof raw.catalog === "string" && isCatalogName(raw.catalog)
      ? CATALOGS[raw.catalog]
      : undefined;
  const inCatalog = (name: string) =>
    (catalog !== undefined && catalogEntry(name, catalog) !== undefined) || isAlwaysRunning(name);
  const names = [...Object.keys(daemons), ...(catalog?.entries.map((entry) => entry.name) ?? [])];
  const problems: Problem[] = [];
  const check = (path: Path, entry: unknown, self?: string) => {
    if (typeof entry !== "string") return;
    if (entry === self) {
      const text = `expected the name of another daemon, got ${JSON.stringify(entry)} (itself)`;
      problems.push({ path, text });
    } else if (!Object.hasOwn(daemons, entry) && !inCatalog(entry)) {
      const where = catalog
        ? `in "daemons" or the "${catalog.name}" catalog`
        : `in "daemons", and no "catalog" is set`;
      const hint = suggestion(entry, names) || `: not ${where}`;
      problems.push({ path, text: `unknown daemon ${JSON.stringify(entry)}${hint}` });
    }
  };
  for (const [name, definition] of Object.entries(daemons)) {
    if (!isObject(definition)) continue;
    const bound = ["module", "command", "python"].some((key) => definition[key] !== undefined);
    if (!bound && !inCatalog(name)) {
      const expected = `one of "module" (an in-process daemon), "command" (a process) or "python" (a Python class)`;
      const why = catalog
        ? `"${name}" is not a daemon of the "${catalog.name}" catalog`
        : 'no "catalog" is set';
      problems.push({
        path: ["daemons", name],
        text: `expected ${expected}, got none of them (${why})`,
      });
    }
    if (Array.isArray(definition.conflicts)) {
      definition.conflicts.forEach((entry: unknown, i) =>
        check(["daemons", name, "conflicts", i], entry, name),
      );
    }
    if (!Array.isArray(definition.dependsOn)) continue;
    definition.dependsOn.forEach((entry: unknown, i) =>
      check(["daemons", name, "dependsOn", i], entry, name),
    );
  }
  if (Array.isArray(raw.profileRules)) {
    const profiles = [
      ...(isObject(raw.profiles) ? Object.keys(raw.profiles) : []),
      ...(catalog?.profiles.map((profile) => profile.name) ?? []),
    ];
    raw.profileRules.forEach((rule: unknown, i) => {
      if (!isObject(rule) || typeof rule.profile !== "string") return;
      if (profiles.includes(rule.profile)) return;
      const hint =
        suggestion(rule.profile, profiles) || `; profiles: ${profiles.join(", ") || "none"}`;
      const text = `unknown profile ${JSON.stringify(rule.profile)}${hint}`;
      problems.push({ path: ["profileRules", i, "profile"], text });
    });
  }
  if (isObject(raw.profiles)) {
    for (const [profile, members] of Object.entries(raw.profiles)) {
      if (!Array.isArray(members)) continue;
      members.forEach((entry: unknown, i) => check(["profiles", profile, i], entry));
    }
  }
  return problems;
}

/** The keys the schema allows on the object at `path`, for "did you mean" on unknown keys. */
function objectKeysAt(path: Path): string[] {
  let schema: z.core.$ZodType | undefined = configSchema;
  for (const segment of path) {
    schema = unwrap(schema);
    if (schema instanceof z.ZodObject) schema = schema.shape[String(segment)];
    else if (schema instanceof z.ZodRecord) schema = schema.valueType;
    else if (schema instanceof z.ZodArray) schema = schema.element;
    else return [];
  }
  schema = unwrap(schema);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

/** The object schema under optional, nullable and the typing pipes of runtime/config/schema.ts. */
function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
      current = current.unwrap();
    } else if (current instanceof z.ZodPipe) {
      current = current.in;
    } else {
      return current;
    }
  }
}

function expectedKeys(known: readonly string[]): string {
  if (known.length === 0) return "";
  return `, expected one of ${known.map((key) => JSON.stringify(key)).join(", ")}`;
}

function bound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === "too_small";
  const limit = Number(small ? issue.minimum : issue.maximum);
  if (issue.origin === "string" && small && limit === 1) return "a non-empty string";
  const relation = small
    ? issue.inclusive === false
      ? "more than"
      : "at least"
    : issue.inclusive === false
      ? "less than"
      : "at most";
  if (issue.origin === "string") return `a string of ${relation} ${limit} characters`;
  if (issue.origin === "array" || issue.origin === "set") return `${relation} ${limit} items`;
  return `${relation} ${limit}`;
}

function typeName(expected: string): string {
  const names: Record<string, string> = {
    string: "a string",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    array: "an array",
    object: "an object",
    record: "an object",
  };
  return names[expected] ?? expected;
}

/** A short, unambiguous rendering of a found value: strings quoted, containers by kind. */
function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (Array.isArray(value)) return "an array";
  if (typeof value === "function") return "a function";
  if (typeof value === "object" && value !== null) return "an object";
  return String(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
