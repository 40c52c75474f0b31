/**
 * The dead-man switch of singleton daemons (SPEC §11): a tiny process of its own that SIGKILLs a
 * singleton's process group when its deadline passes without being extended. The manager sets
 * the deadline after every lease renewal to a point before the lease can expire; if the manager
 * freezes (SIGSTOP, a stalled VM, a debugger) and cannot renew, the daemon is killed before
 * another node may take the lease, so two instances never run at once. The fence runs in a
 * process group of its own, so that freezing the manager's group does not freeze it; it exits
 * when its standard input closes (the manager is gone: the group sentinel stops the daemons).
 */
import { spawn, type ChildProcess } from "node:child_process";

/**
 * The fence's program: lines `arm <pgid> <deadline ms since the epoch>` and `disarm <pgid>`;
 * anything else is ignored. Group ids below 2 are refused (never a signal to -1 or 0).
 */
const FENCE_SCRIPT = `
const armed = new Map();
let buffer = "";
for (const signal of ["SIGINT", "SIGHUP", "SIGQUIT"]) process.on(signal, () => {});
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  buffer += chunk;
  let end;
  while ((end = buffer.indexOf("\\n")) >= 0) {
    const line = buffer.slice(0, end);
    buffer = buffer.slice(end + 1);
    const match = /^(arm|disarm) (\\d{1,10})(?: (\\d{1,16}))?$/.exec(line);
    if (!match || Number(match[2]) < 2) continue;
    if (match[1] === "arm" && match[3] !== undefined) armed.set(Number(match[2]), Number(match[3]));
    else armed.delete(Number(match[2]));
  }
  if (buffer.length > 4096) buffer = "";
});
process.stdin.on("end", () => process.exit(0));
setInterval(() => {
  const now = Date.now();
  for (const [pgid, deadline] of armed) {
    if (now < deadline) continue;
    try { process.kill(-pgid, "SIGKILL"); } catch {}
    armed.delete(pgid);
  }
}, 25);
`;

export class LeaseFence {
  private child: ChildProcess | undefined;

  /**
   * Kills process group `pgid` at `deadline` (ms since the epoch, this machine's clock) unless
   * armed again later or disarmed. Starts the fence process on first use.
   *
   * @example
   * fence.arm(4242, Date.now() + 11_000);
   */
  arm(pgid: number, deadline: number): void {
    if (!Number.isInteger(pgid) || pgid < 2) return;
    this.send(`arm ${pgid} ${Math.floor(deadline)}`);
  }

  disarm(pgid: number): void {
    if (!Number.isInteger(pgid) || pgid < 2 || this.child === undefined) return;
    this.send(`disarm ${pgid}`);
  }

  /** Ends the fence (closing its input); what it still holds is not killed. */
  close(): void {
    this.child?.stdin?.end();
    this.child = undefined;
  }

  private send(line: string): void {
    const child = this.child ?? this.start();
    child.stdin?.write(`${line}\n`);
  }

  private start(): ChildProcess {
    const child = spawn(process.execPath, ["-e", FENCE_SCRIPT], {
      stdio: ["pipe", "ignore", "ignore"],
      detached: true,
    });
    // A fence that dies is started again at the next arm.
    child.once("exit", () => {
      if (this.child === child) this.child = undefined;
    });
    child.stdin?.on("error", () => {});
    child.unref();
    this.child = child;
    return child;
  }
}
