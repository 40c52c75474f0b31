/**
 * No child outlives its manager, however the manager dies (SPEC §4): a SIGKILL, the OOM killer,
 * a native crash. None of those runs a line of the manager's code, so the guard is a tiny `sh`
 * process of its own: the manager tells it, on its standard input, which instances are alive
 * (`+<pgid> <instance id>`, `-<pgid>`); when that pipe closes without the farewell line, the
 * manager is gone and the sentinel sends SIGTERM (and SIGCONT) to every process group it still
 * holds and to every process whose environment carries one of their WARDEN_INSTANCE ids (those
 * that left the group with setsid, actors/process-descendants.ts), then SIGKILL two seconds
 * later. Where daemons have cgroups (actors/daemon-cgroup.ts), the manager tells it their
 * directories too (`c <dir>`): every process in them gets the same signals, and the emptied
 * directories are removed. It runs in a process group and session of its own and ignores SIGHUP, SIGINT and
 * SIGQUIT, so a closed terminal or a Ctrl-C aimed at the manager does not end it first.
 * The orphan reaping of the next start (actors/reap-orphans.ts) stays the second line.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { INSTANCE_ENV } from "./process-descendants.ts";

/** Sent by a manager that ends in order: the groups are the manager's to stop, not ours. */
const FAREWELL = "bye";

/** Once the pipe closes: SIGTERM, this long, then SIGKILL to whatever is left. */
export const SENTINEL_GRACE_SECONDS = 2;

/** One instance of a process daemon: its process group and the marker its descendants carry. */
export interface GuardedInstance {
  pgid: number;
  /** Hex digits (actors/process-descendants.ts newInstanceId). */
  instanceId: string;
  /** Its cgroup's directories, where it has one (under /sys/fs/cgroup). */
  cgroups?: readonly string[] | undefined;
}

/**
 * The sentinel's program. Group ids must be digits and instance ids hex digits (anything else is
 * ignored), so nothing read from the pipe reaches the shell as code; cgroup directories must lie
 * under /sys/fs/cgroup/ and hold only letters, digits and `_.-/` (no `..`). `marked` lists the
 * pids whose /proc/<pid>/environ holds one of the ids (GNU grep's -z reads NUL-separated
 * entries), `members` those in the cgroups.
 */
export const SENTINEL_SCRIPT = `
trap '' HUP INT QUIT
groups=" "
ids=" "
cgroups=" "
while IFS=' ' read -r pgid id; do
  case "$pgid" in
    ${FAREWELL}) exit 0 ;;
    c) case "$id" in
         /sys/fs/cgroup/*[!A-Za-z0-9_./-]* | *..*) ;;
         /sys/fs/cgroup/?*) case "$cgroups" in *" $id "*) ;; *) cgroups="$cgroups$id " ;; esac ;;
       esac
       continue ;;
    +*[!0-9]* | -*[!0-9]* | + | -) continue ;;
  esac
  case "$id" in *[!0-9a-f]*) continue ;; esac
  case "$pgid" in
    +*) groups="$groups\${pgid#+} "; [ -n "$id" ] && ids="$ids$id " ;;
    -*) groups=$(printf '%s' "$groups" | sed "s/ \${pgid#-} / /g")
        [ -n "$id" ] && ids=$(printf '%s' "$ids" | sed "s/ $id / /g") ;;
  esac
done
members() {
  for d in $cgroups; do cat "$d/cgroup.procs" 2>/dev/null; done
}
removecgroups() {
  n=0
  while [ -n "$(members)" ] && [ $n -lt 20 ]; do sleep 0.1; n=$((n + 1)); done
  for d in $cgroups; do rmdir "$d" 2>/dev/null; done
  for d in $cgroups; do rmdir "\${d%/*}" 2>/dev/null; done
}
[ "$groups" = " " ] && [ -z "$(members)" ] && { removecgroups; exit 0; }
marked() {
  for id in $ids; do
    grep -lzx "${INSTANCE_ENV}=$id" /proc/[0-9]*/environ 2>/dev/null | sed 's|^/proc/||; s|/environ$||'
  done
}
pids=$(marked; members)
for g in $groups; do kill -TERM "-$g" 2>/dev/null; kill -CONT "-$g" 2>/dev/null; done
for p in $pids; do [ "$p" != "$$" ] && kill -TERM "$p" 2>/dev/null && kill -CONT "$p" 2>/dev/null; done
sleep ${SENTINEL_GRACE_SECONDS}
for g in $groups; do kill -KILL "-$g" 2>/dev/null; done
for p in $(marked; members); do [ "$p" != "$$" ] && kill -KILL "$p" 2>/dev/null; done
removecgroups
exit 0
`;

/** The argv[0] the sentinel shows in `ps`, so that people (and tests) can tell it apart. */
export const SENTINEL_NAME = "warden-sentinel";

export class GroupSentinel {
  private child: ChildProcess | undefined;
  private readonly guarded = new Map<number, GuardedInstance>();
  /** The cgroup directories the running sentinel was told. */
  private readonly toldCgroups = new Set<string>();
  private failed = false;

  constructor(private readonly onProblem: (message: string) => void = () => {}) {}

  /** The sentinel's pid, while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Guards `instance` from now on. */
  add(instance: GuardedInstance): void {
    const { pgid, instanceId } = instance;
    if (!Number.isSafeInteger(pgid) || pgid < 2 || this.guarded.has(pgid)) return;
    if (!/^[0-9a-f]*$/.test(instanceId)) return;
    this.guarded.set(pgid, instance);
    // A sentinel started now is told every instance at once, this one included.
    if (this.child) this.tell(instance);
    else this.start();
  }

  /** `instance` is gone (or is no longer ours to kill). */
  remove(instance: GuardedInstance): void {
    if (!this.guarded.delete(instance.pgid)) return;
    this.send(`-${instance.pgid} ${instance.instanceId}`);
  }

  /** The manager ends in order: the sentinel leaves without touching anything. */
  close(): void {
    const child = this.child;
    this.child = undefined;
    this.guarded.clear();
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
    this.toldCgroups.clear();
    for (const instance of this.guarded.values()) this.tell(instance);
  }

  /** `+<pgid> <id>`, after the cgroup directories not told yet. */
  private tell({ pgid, instanceId, cgroups }: GuardedInstance): void {
    for (const dir of cgroups ?? []) {
      if (this.toldCgroups.has(dir)) continue;
      this.toldCgroups.add(dir);
      this.send(`c ${dir}`);
    }
    this.send(`+${pgid} ${instanceId}`);
  }
}
