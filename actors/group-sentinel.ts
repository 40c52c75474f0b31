/**
 * No child outlives its manager, however the manager dies (SPEC §4): a SIGKILL, the OOM killer,
 * a native crash. None of those runs a line of the manager's code, so the guard is a tiny `sh`
 * process of its own: the manager tells it, on its standard input, which process groups are
 * alive (`+<pgid>`, `-<pgid>`); when that pipe closes without the farewell line, the manager is
 * gone and the sentinel sends SIGTERM to every group it still holds, then SIGKILL two seconds
 * later. It runs in a process group and session of its own and ignores SIGHUP, SIGINT and
 * SIGQUIT, so a closed terminal or a Ctrl-C aimed at the manager does not end it first.
 * The orphan reaping of the next start (actors/reap-orphans.ts) stays the second line.
 */
import { spawn, type ChildProcess } from "node:child_process";

/** Sent by a manager that ends in order: the groups are the manager's to stop, not ours. */
const FAREWELL = "bye";

/** Once the pipe closes: SIGTERM, this long, then SIGKILL to whatever is left. */
export const SENTINEL_GRACE_SECONDS = 2;

/**
 * The sentinel's program. Group ids are digits only (anything else is ignored), so nothing read
 * from the pipe reaches the shell as code.
 */
export const SENTINEL_SCRIPT = `
trap '' HUP INT QUIT
groups=" "
while IFS= read -r line; do
  case "$line" in
    ${FAREWELL}) exit 0 ;;
    +*[!0-9]* | -*[!0-9]* | + | -) ;;
    +*) groups="$groups\${line#+} " ;;
    -*) groups=$(printf '%s' "$groups" | sed "s/ \${line#-} / /g") ;;
  esac
done
[ "$groups" = " " ] && exit 0
for g in $groups; do kill -TERM "-$g" 2>/dev/null; kill -CONT "-$g" 2>/dev/null; done
sleep ${SENTINEL_GRACE_SECONDS}
for g in $groups; do kill -KILL "-$g" 2>/dev/null; done
exit 0
`;

/** The argv[0] the sentinel shows in `ps`, so that people (and tests) can tell it apart. */
export const SENTINEL_NAME = "warden-sentinel";

export class GroupSentinel {
  private child: ChildProcess | undefined;
  private readonly groups = new Set<number>();
  private failed = false;

  constructor(private readonly onProblem: (message: string) => void = () => {}) {}

  /** The sentinel's pid, while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Guards process group `pgid` from now on. */
  add(pgid: number): void {
    if (!Number.isSafeInteger(pgid) || pgid < 2 || this.groups.has(pgid)) return;
    this.groups.add(pgid);
    // A sentinel started now is told every group at once, this one included.
    if (this.child) this.send(`+${pgid}`);
    else this.start();
  }

  /** `pgid` is gone (or is no longer ours to kill). */
  remove(pgid: number): void {
    if (!this.groups.delete(pgid)) return;
    this.send(`-${pgid}`);
  }

  /** The manager ends in order: the sentinel leaves without touching anything. */
  close(): void {
    const child = this.child;
    this.child = undefined;
    this.groups.clear();
    if (!child?.stdin || child.stdin.destroyed) return;
    child.stdin.end(`${FAREWELL}\n`);
  }

  private send(line: string): void {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed) return;
    stdin.write(`${line}\n`);
  }

  private start(): void {
    if (this.failed) return;
    const child = spawn("/bin/sh", ["-c", SENTINEL_SCRIPT, SENTINEL_NAME], {
      stdio: ["pipe", "ignore", "ignore"],
      detached: true,
    });
    child.on("error", (error) => {
      this.failed = true;
      this.child = undefined;
      this.onProblem(
        `cannot start the sentinel that stops process daemons if the manager dies: ${error.message}`,
      );
    });
    child.stdin?.on("error", () => {});
    // Neither the process nor its pipe may keep a finished manager alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    this.child = child;
    for (const pgid of this.groups) this.send(`+${pgid}`);
  }
}
