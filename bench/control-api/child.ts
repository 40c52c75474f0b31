/**
 * The child processes of benchmarks (e) and (f): their output is kept (the tail), they are
 * stopped by pid.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { STEP_TIMEOUT_MS } from "./settings.ts";

/** How long a stopped child has to exit after SIGTERM before it gets SIGKILL. */
const KILL_AFTER_MS = 10_000;
/** Output kept from each child, for the error message if it fails. */
const TAIL_CHARS = 4_000;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process whose output is kept (the tail) and which is stopped by its pid. */
export class Child {
  private output = "";
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;

  constructor(
    readonly what: string,
    readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString("utf8")).slice(-TAIL_CHARS);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.exited = new Promise((resolve) => {
      child.once("error", (error) => {
        keep(Buffer.from(`\n${error.message}\n`));
        this.exit = { code: null, signal: null };
        resolve(this.exit);
      });
      child.once("close", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  tail(): string {
    return this.output.trim() === "" ? "(no output)" : this.output.trim();
  }

  /** Fails with the child's output when it has exited. */
  checkAlive(): void {
    if (this.exit === undefined) return;
    throw new Error(
      `control-api: ${this.what} exited (${this.exit.code ?? this.exit.signal}); its output:\n${this.tail()}`,
    );
  }

  /** Its exit, stopping it first if it has not exited after `ms`. */
  async exitWithin(ms: number): Promise<Exit> {
    const timer = setTimeout(() => void this.stop(), ms);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM to its pid, SIGKILL after KILL_AFTER_MS; resolves once it has exited. */
  async stop(): Promise<void> {
    const pid = this.child.pid;
    if (this.exit !== undefined || pid === undefined) return;
    signal(pid, "SIGTERM");
    const timer = setTimeout(() => signal(pid, "SIGKILL"), KILL_AFTER_MS);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    // Gone already: what the signal was for.
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** `node <args>` in `cwd`, without colours, its output kept. */
export function spawnNode(what: string, args: string[], cwd: string): Child {
  return new Child(
    what,
    spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
}

/** Where a timed run keeps its child meanwhile, so that a signal can stop it. */
export interface RunHolder {
  dir: string;
  cli?: Child;
}

/**
 * `node <args>` in `holder.dir`, timed from spawn to exit with `performance.now()` (`ms`;
 * `at` and `exitAt` are `Date.now()` stamps); fails unless it exits with code 0 within
 * STEP_TIMEOUT_MS.
 */
export async function runTimed(
  holder: RunHolder,
  args: string[],
  what: string,
): Promise<{ at: number; exitAt: number; ms: number }> {
  const at = Date.now();
  const began = performance.now();
  const child = spawnNode(what, args, holder.dir);
  holder.cli = child;
  const { code, signal } = await child.exitWithin(STEP_TIMEOUT_MS);
  const ms = performance.now() - began;
  const exitAt = Date.now();
  holder.cli = undefined;
  if (code !== 0) {
    throw new Error(
      `control-api: \`${what}\` exited (${code ?? signal}); its output:\n${child.tail()}`,
    );
  }
  return { at, exitAt, ms };
}
