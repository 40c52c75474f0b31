/**
 * Who listens on a TCP port, for the error of a manager whose control port is taken: Linux lists
 * listening sockets in /proc/net/tcp{,6} by inode, and each process's open sockets as
 * `/proc/<pid>/fd/* -> socket:[inode]`. Only processes whose fds we may read are found (all of
 * them as root, our own otherwise); elsewhere, or when nothing is found, the answer is undefined.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/** /proc/net/tcp state of a listening socket. */
const LISTEN = "0A";
/** A machine with more processes than this is not scanned further. */
const MAX_PROCESSES = 20_000;

export interface PortHolder {
  pid: number;
  /** Its command line, shortened. */
  command: string;
}

/**
 * The process listening on TCP `port`, when it can be found.
 *
 * @example
 * portHolder(7070); // { pid: 4242, command: "node server.js" }
 */
export function portHolder(port: number): PortHolder | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  let scanned = 0;
  for (const entry of safeReaddir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    if (++scanned > MAX_PROCESSES) break;
    const pid = Number(entry);
    for (const fd of safeReaddir(`/proc/${pid}/fd`)) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        // Closed meanwhile, or not ours to read.
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined && inodes.has(inode)) return { pid, command: commandOf(pid) };
    }
  }
  return undefined;
}

/** Inodes of the sockets listening on `port`, IPv4 and IPv6. */
export function listeningInodes(port: number, read = readProcFile): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of (read(table) ?? "").split("\n").slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      if (!local || fields[3] !== LISTEN || fields[9] === undefined) continue;
      if (local.slice(local.lastIndexOf(":") + 1) === hexPort) inodes.add(fields[9]);
    }
  }
  return inodes;
}

function commandOf(pid: number): string {
  const raw = readProcFile(`/proc/${pid}/cmdline`) ?? "";
  const command = raw.split("\0").filter(Boolean).join(" ");
  return command.length > 120 ? `${command.slice(0, 119)}…` : command || `pid ${pid}`;
}

function readProcFile(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    // No /proc (not Linux), or the process is gone.
    return undefined;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    // Gone meanwhile or not readable: nothing to find there.
    return [];
  }
}
