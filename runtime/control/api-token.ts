/**
 * The bearer token of the control API (docs/control-api.md): 32 random bytes as 64 hex
 * characters in `<stateDir>/token`, mode 0600, made at the first start and kept afterwards.
 */
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { WardenError, messageOf } from "../../machines/errors.ts";

export const TOKEN_FILE = "token";
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[0-9a-f]{64}$/i;

/**
 * The token of `stateDir`, created (with the directory, mode 0700) when there is none yet:
 * `preferred` when given (a running manager restoring the file it serves with), a new random one
 * otherwise. Safe against a concurrent first start: both end up with the same token.
 *
 * @example
 * const token = ensureToken("/srv/app/.warden"); // "9f86d081884c7d65…" (64 hex characters)
 */
export function ensureToken(stateDir: string, preferred?: string): string {
  ensureStateDir(stateDir);
  const existing = readToken(stateDir);
  if (existing !== undefined) return existing;
  const file = join(stateDir, TOKEN_FILE);
  // Web Crypto's global, not node:crypto: the CLI reads tokens with this module and should not
  // load Node's crypto module at start-up for a function only the manager runs.
  const token =
    preferred ?? Buffer.from(crypto.getRandomValues(new Uint8Array(TOKEN_BYTES))).toString("hex");
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${token}\n`, { mode: 0o600 });
  try {
    // link() never replaces: whoever links first wins, and nobody ever sees a half-written file.
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readToken(stateDir)!;
    // A file system without hard links: rename is still atomic, only not exclusive.
    renameSync(temporary, file);
    return token;
  } finally {
    if (existsSync(temporary)) unlinkSync(temporary);
  }
  return token;
}

/**
 * The token of `stateDir`, or undefined when there is no token file yet.
 *
 * @example
 * const token = readToken(".warden");
 * if (token === undefined) throw new Error("no manager has run here");
 */
export function readToken(stateDir: string): string | undefined {
  const file = join(stateDir, TOKEN_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new WardenError("WARDEN_ERR_CONFIG", `cannot read ${file}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const token = text.trim();
  if (!TOKEN_PATTERN.test(token)) {
    throw new WardenError(
      "WARDEN_ERR_CONFIG",
      `${file}: expected 64 hex characters (the control API token), got ${text.length} characters; delete the file to get a new token at the next start`,
    );
  }
  return token;
}

/** Creates `stateDir` private to its owner; a directory that already exists is left as it is. */
function ensureStateDir(stateDir: string): void {
  try {
    const created = mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    // mkdir's mode goes through the umask; what warden creates must end up exactly 0700.
    if (created !== undefined) chmodSync(stateDir, 0o700);
  } catch (error) {
    throw new WardenError(
      "WARDEN_ERR_CONFIG",
      `cannot create the state directory ${stateDir}: ${messageOf(error)}`,
      { cause: error },
    );
  }
}
