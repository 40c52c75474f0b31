import { messageOf } from "../../machines/errors.ts";
import { syntaxError, type SyntaxProblem } from "./config-error.ts";

/**
 * Parses a `.json` configuration. A syntax error names the file, line and column; so does a
 * key given twice in one object, which JSON.parse would silently resolve to the last one (and
 * so quietly drop a daemon definition).
 *
 * @example
 * parseJson('{ "daemons": {} }', "warden.config.json"); // { daemons: {} }
 */
export function parseJson(text: string, shown: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const { errorAt } = scanJson(text);
    const { line, column } = lineColumn(text, errorAt === -1 ? text.length : errorAt);
    // V8's message ends with a position or a quote of the text; the line and column replace both.
    const reason = messageOf(error)
      .replace(/ in JSON at position \d+.*$/s, "")
      .replace(/, ".*" is not valid JSON$/s, "");
    syntaxError(shown, "JSON", [{ line, column, reason }], error);
  }
  const { duplicates } = scanJson(text);
  if (duplicates.length > 0) syntaxError(shown, "JSON", duplicates);
  return value;
}

const JSON_WHITESPACE = /[ \t\n\r]*/y;
// eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in strings.
const JSON_STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const JSON_SCALAR = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

interface JsonScan {
  /** Offset of the first character that breaks the grammar, or -1 when there is none. */
  errorAt: number;
  duplicates: SyntaxProblem[];
}

/**
 * Walks JSON text by its grammar. Node 20's JSON.parse does not always say where it failed, and
 * silently keeps the last of two equal keys, which would quietly drop a daemon definition.
 */
function scanJson(text: string): JsonScan {
  let at = 0;
  const duplicates: SyntaxProblem[] = [];
  const match = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = at;
    const found = pattern.exec(text)?.[0];
    if (found !== undefined) at += found.length;
    return found;
  };
  const take = (char: string): boolean => {
    if (text[at] !== char) return false;
    at++;
    return true;
  };
  const sequence = (open: string, close: string, item: () => boolean): boolean => {
    take(open);
    match(JSON_WHITESPACE);
    if (take(close)) return true;
    do {
      match(JSON_WHITESPACE);
      if (!item()) return false;
    } while (take(","));
    return take(close);
  };
  const member = (keys: Set<string>): boolean => {
    const start = at;
    const key = match(JSON_STRING);
    if (key === undefined) return false;
    const name = JSON.parse(key) as string;
    if (keys.has(name)) {
      duplicates.push({ ...lineColumn(text, start), reason: `duplicate key ${key}` });
    }
    keys.add(name);
    match(JSON_WHITESPACE);
    return take(":") && value();
  };
  const value = (): boolean => {
    match(JSON_WHITESPACE);
    let ok: boolean;
    if (text[at] === "{") {
      const keys = new Set<string>();
      ok = sequence("{", "}", () => member(keys));
    } else if (text[at] === "[") ok = sequence("[", "]", value);
    else ok = match(JSON_STRING) !== undefined || match(JSON_SCALAR) !== undefined;
    match(JSON_WHITESPACE);
    return ok;
  };
  const ok = value() && at === text.length;
  return { errorAt: ok ? -1 : at, duplicates };
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}
