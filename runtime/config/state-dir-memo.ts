/**
 * Where a configuration module (`.ts`, `.js`, `.mjs`) keeps its state, remembered by `warden up`
 * so that the commands that only talk to the running manager (`status`, `start`, `stop`, …) need
 * not run the module — which for a `warden.config.ts` means loading a TypeScript loader and all
 * of warden (≈ 1 s) — just to learn its `stateDir`. One small file per configuration, in a
 * private folder of the user's (`<tmpdir>/warden-<uid>/configs`, mode 0700, refused if someone
 * else owns it); an entry counts only while the configuration file's size and modification time
 * are those it was written for, so an edited configuration is loaded again.
 */
import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensurePrivateDirectory } from "../../actors/private-directory.ts";
import { jsonRecord } from "../state/json-record.ts";

interface Memo {
  config: string;
  size: number;
  mtimeMs: number;
  stateDir: string;
}

function memoDir(): string {
  const user = process.getuid?.() ?? "user";
  return join(tmpdir(), `warden-${user}`, "configs");
}

function memoFile(config: string): string {
  return join(memoDir(), `${fnv1a64(config)}.json`);
}

/**
 * The 64-bit FNV-1a hash of `text`'s UTF-8 bytes, as 16 hex digits: a file name per path. Not
 * node:crypto, which would cost every control command its loading time; a collision only costs
 * a miss (each entry records its own path), never a wrong state directory.
 */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, "utf8")) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, "0");
}

/**
 * Remembers that configuration `config` (absolute) keeps its state in `stateDir`. Best effort:
 * a failure only means the next command loads the configuration.
 *
 * @example
 * rememberStateDir("/srv/app/warden.config.ts", "/srv/app/.warden");
 */
export function rememberStateDir(config: string, stateDir: string): void {
  try {
    const { size, mtimeMs } = statSync(config);
    const dir = memoDir();
    ensurePrivateDirectory(join(dir, ".."));
    ensurePrivateDirectory(dir);
    const file = memoFile(config);
    const temporary = `${file}.${process.pid}.tmp`;
    const memo: Memo = { config, size, mtimeMs, stateDir };
    writeFileSync(temporary, JSON.stringify(memo), { mode: 0o600 });
    renameSync(temporary, file);
  } catch {
    // Not remembered: commands load the configuration instead.
  }
}

/**
 * The state directory remembered for configuration `config` (absolute), if the file has not
 * changed since; undefined otherwise.
 *
 * @example
 * rememberedStateDir("/srv/app/warden.config.ts"); // "/srv/app/.warden"
 */
export function rememberedStateDir(config: string): string | undefined {
  try {
    ensurePrivateDirectory(memoDir());
    const memo = jsonRecord(readFileSync(memoFile(config), "utf8"));
    const { size, mtimeMs } = statSync(config);
    const fresh =
      memo?.config === config &&
      memo.size === size &&
      memo.mtimeMs === mtimeMs &&
      typeof memo.stateDir === "string";
    return fresh ? (memo.stateDir as string) : undefined;
  } catch {
    // No memo, or a folder that is not safely ours: load the configuration.
    return undefined;
  }
}
