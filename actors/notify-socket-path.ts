import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Unix socket paths are limited to 107 bytes on Linux (103 on macOS). */
const MAX_SOCKET_PATH_BYTES = 100;

/**
 * Where the notify socket of `daemon` lives: `<stateDir>/run/<daemon>.sock`, or, when that path
 * is too long for a Unix socket, a folder under the system's temporary directory named after
 * the state directory, so that two managers never share one. Anyone can guess that name and
 * create the folder first: NotifySocket.listen() creates it with mode 0700 and refuses one that
 * is not ours alone (actors/private-directory.ts).
 *
 * @example
 * notifySocketPath("/srv/app/.warden", "trainer"); // "/srv/app/.warden/run/trainer.sock"
 */
export function notifySocketPath(stateDir: string, daemon: string): string {
  const file = `${daemon.replace(/[^A-Za-z0-9._-]/g, "_")}.sock`;
  const preferred = join(stateDir, "run", file);
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH_BYTES) return preferred;
  const id = createHash("sha256").update(stateDir).digest("hex").slice(0, 16);
  const short = join(tmpdir(), `warden-${id}`, file);
  if (Buffer.byteLength(short) <= MAX_SOCKET_PATH_BYTES) return short;
  const hashed = createHash("sha256").update(daemon).digest("hex").slice(0, 16);
  return join(tmpdir(), `warden-${id}`, `${hashed}.sock`);
}
