/**
 * The process daemon of benchmark (i)'s memory-limit reaction: grows to just under its memory
 * limit, writes the line `crossing <Date.now()>` to stdout and at once goes over the limit.
 *
 *   node grower.mjs <limitMb> <pauseMs> rss
 *   node grower.mjs <limitMb> <pauseMs> cgroup <parent>
 *
 * What it grows against is what enforces the limit: `rss`, its own resident set, which warden's
 * sampler measures; `cgroup`, the memory its cgroup is charged for, which the kernel holds to the
 * limit (the cgroup is the one under `<parent>/warden-*` whose `cgroup.procs` lists this process;
 * the Node binary's file pages count in the resident set but not in the cgroup's charge). It
 * allocates chunks filled with ones (touched, so resident) until it is within MARGIN of the limit,
 * waits `pauseMs`, writes the line synchronously (it may be killed a moment later) and allocates
 * what takes it OVER past the limit; then it waits to be restarted.
 */
import { existsSync, readdirSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";

const MIB = 2 ** 20;
/** How far under the limit it waits: what it allocates at the crossing before it is over. */
const MARGIN = 4 * MIB;
/** How far over the limit the crossing takes it. */
const OVER = 16 * MIB;
/** The largest chunk while growing. */
const CHUNK = 16 * MIB;
/** How long to look for its cgroup: the manager moves it in as soon as spawn() returns. */
const FIND_MS = 2000;

const [limitMb, pauseMs, measure, parent] = process.argv.slice(2);
const limit = Number(limitMb) * MIB;

/** The file with the bytes this process's cgroup is charged for (v2 or v1). */
function chargeFile() {
  const pid = String(process.pid);
  for (const tree of readdirSync(parent).filter((name) => name.startsWith("warden-"))) {
    for (const entry of readdirSync(join(parent, tree), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(parent, tree, entry.name);
      const procs = readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n");
      if (!procs.includes(pid)) continue;
      const file = ["memory.current", "memory.usage_in_bytes"]
        .map((name) => join(dir, name))
        .find((path) => existsSync(path));
      if (file) return file;
    }
  }
  return undefined;
}

function measurer() {
  if (measure === "rss") return () => process.memoryUsage.rss();
  const deadline = Date.now() + FIND_MS;
  let file = chargeFile();
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (file === undefined && Date.now() < deadline) {
    Atomics.wait(pause, 0, 0, 5);
    file = chargeFile();
  }
  if (file === undefined) throw new Error(`grower: no cgroup under ${parent} holds ${process.pid}`);
  return () => Number(readFileSync(file, "utf8"));
}

const used = measurer();
const held = [];
for (;;) {
  const gap = limit - MARGIN - used();
  if (gap <= MIB) break;
  const mebibytes = Math.max(1, Math.min(CHUNK / MIB, Math.floor(gap / 2 / MIB)));
  held.push(Buffer.alloc(mebibytes * MIB, 1));
}
setTimeout(() => {
  writeSync(1, `crossing ${Date.now()}\n`);
  held.push(Buffer.alloc(limit + OVER - used(), 1));
  setInterval(() => {}, 60_000);
}, Number(pauseMs));
