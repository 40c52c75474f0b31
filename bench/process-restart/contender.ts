/**
 * What the contenders of benchmark (d) share: the crashing program
 * (bench/fixtures/crash-on-signal.mjs), the stamps it writes, and the shape of a contender.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { poll } from "../wait.ts";

export const FIXTURE = fileURLToPath(new URL("../fixtures/crash-on-signal.mjs", import.meta.url));
export const DAEMON = "crasher";
/** The longest any one step may take before the benchmark gives up with an error. */
export const STEP_TIMEOUT_MS = 15_000;
const POLL_MS = 2;

/** A wall-clock time in ms with sub-ms resolution, comparable across processes. */
export const wallClock = () => performance.timeOrigin + performance.now();

export type ContenderName = "warden" | "bare" | "pm2";

export interface Measurement {
  /** Crash to ready (spawn to ready for the bare spawn), ms. */
  ms: number;
  /** warden only: crash to `DAEMON_RESTARTING`, ms. */
  noticedMs?: number;
}

export interface Contender {
  name: ContenderName;
  measure(): Promise<Measurement>;
  close(): Promise<void>;
}

export interface Stamp {
  kind: "ready" | "crash";
  pid: number;
  at: number;
}

/** The stamps a fixture process appends to one file, read back as they come. */
export class StampFile {
  constructor(readonly path: string) {
    writeFileSync(path, "");
  }

  read(): Stamp[] {
    return readFileSync(this.path, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => {
        const [kind, pid, at] = line.split(" ");
        if ((kind !== "ready" && kind !== "crash") || !pid || !at) {
          throw new Error(`${this.path}: malformed stamp line "${line}"`);
        }
        return { kind, pid: Number(pid), at: Number(at) };
      });
  }

  /** The first stamp at index `from` or later that matches. */
  next(what: string, match: (stamp: Stamp) => boolean, from = 0): Promise<Stamp> {
    return poll(() => this.read().slice(from).find(match), what, {
      label: "process-restart",
      timeoutMs: STEP_TIMEOUT_MS,
      everyMs: POLL_MS,
    });
  }
}

export const isCrashOf = (stamp: Stamp, pid: number) => stamp.kind === "crash" && stamp.pid === pid;

/** Crashes the instance `pid` (SIGUSR2); returns its pid. */
export function crash(pid: number | undefined, who: string): number {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 1) {
    throw new Error(`process-restart: ${who} has no running instance to crash (pid ${pid})`);
  }
  process.kill(pid, "SIGUSR2");
  return pid;
}
