/**
 * The example's work folder (examples/ringrift/work/, made on first use) as the TypeScript
 * stand-ins see it: the same files the Python ones (ringrift/work.py) read and write.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const WORK = fileURLToPath(new URL("../work/", import.meta.url));

/** work/<parts>, created if missing. */
export function folder(...parts: string[]): string {
  const path = join(WORK, ...parts);
  mkdirSync(path, { recursive: true });
  return path;
}

/** The files of work/<parts>, oldest first (their names start with a time stamp). */
export function names(...parts: string[]): string[] {
  return readdirSync(folder(...parts))
    .filter((name) => !name.startsWith("."))
    .sort();
}

/** The JSON in `path`, or `fallback` when it is missing or half-written. */
export function readJson<T>(path: string, fallback: T): T {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return fallback;
  }
}

/** Writes atomically (a hidden temp file, then a rename): readers never see half a file. */
export function writeJson(path: string, value: unknown): void {
  const temp = join(dirname(path), `.tmp-${process.pid}-${basename(path)}`);
  writeFileSync(temp, JSON.stringify(value, null, 1));
  renameSync(temp, path);
}
