/** What each benchmark measures, as the report describes it. */
import { SUBSCRIBERS } from "../bus-throughput.ts";
import type { CliFootprintResult } from "../cli-footprint.ts";
import {
  CONNECTIONS,
  PIPELINING,
  RESTARTED_DAEMON,
  SETTLE_MS as CONTROL_SETTLE_MS,
} from "../control-api.ts";
import { TARGETS, type Plan, type Results } from "../plan.ts";
import { PM2_CACHE, SETTLE_MS } from "../process-restart.ts";
import { PROFILE, SETTLE_MS as RINGRIFT_SETTLE_MS } from "../ringrift-coordinator.ts";
import { JOURNAL_SUBSCRIBERS } from "../journal/throughput.ts";
import { LIMIT_MB } from "../resources/crossing.ts";
import { KERNEL_SIDE_SAMPLE_MS } from "../resources/memory-reaction.ts";
import { SLOT } from "../resources/start-path.ts";
import { CATALOG_DAEMONS } from "../simulate.ts";
import { START_MS } from "../startup-critical-path.ts";
import { integer, plural } from "./format.ts";

/** What each benchmark measures, for the ones that ran. */
export function descriptions(plan: Plan, results: Results): string {
  const items: string[] = [];
  if (results.cost) {
    items.push(`- **(a) Cost per supervised in-process daemon.** N independent daemons whose \`start\` and \`stop\`
  resolve at once go through \`DaemonManager.register\` ×N, \`startAll()\` and \`stopAll()\`. The
  baseline is N standalone XState actors of the same lifecycle machine
  (\`daemonLifecycleMachine.provide(lifecycleImplementations((name) => drivers.get(name)))\`,
  each with a trivial \`DaemonDriver\` found by name, \`resolvePolicy()\`, \`dependenciesReady: true\`), each started, sent
  START, awaited in RUNNING, sent STOP and awaited in STOPPED. Time is per daemon, from the first
  \`register\` (or \`createActor\`) to all STOPPED, without the heap measurement; heap is
  \`process.memoryUsage().heapUsed\` after \`global.gc()\` while all daemons are RUNNING, minus the
  same before, per daemon. Sizes 1,000, 10,000 and 100,000. **Target: ≤ 3× the baseline in time
  and in heap, and 100,000 daemons in one process.**`);
  }
  if (results.bus) {
    items.push(`- **(b) Event-bus throughput.** Events per second of \`EventBus.publish\` with ${SUBSCRIBERS} subscribers
  added by \`bus.subscribe\`, against a bare RxJS \`Subject.next\` of an equivalent plain object
  (\`{ id, type, source, time, data }\`) with ${SUBSCRIBERS} subscribers; every subscriber sums a field of
  the data. ${integer(plan.busEvents)} events per measurement. **Target: ≥ 0.5× the bare Subject.**`);
  }
  if (results.startup) {
    items.push(`- **(c) Start of the real daemon index.** The 60 daemons of the daemon index and their documented
  dependencies (\`bench/daemon-index-graph.ts\`), each taking ${START_MS} ms to start on real timers;
  wall time of \`startAll()\` against the graph's critical path (\`criticalPath\` from
  \`machines/dependency-graph.ts\` at ${START_MS} ms per daemon). **Target: ≤ 1.1× the critical path.**`);
  }
  if (results.restart) {
    items.push(`- **(d) Restart of a crashed process.** \`bench/fixtures/crash-on-signal.mjs\`, a Node program
  that prints \`ready\` as its first stdout line and exits with code 1 on SIGUSR2, writing its own
  wall-clock time (\`performance.timeOrigin + performance.now()\`) to a file when it is ready and
  just before it exits. warden supervises it as a process daemon (\`ready: { stdout: "^ready$" }\`,
  \`restart: "always"\`, \`backoff: { initialMs: 0, maxMs: 0, factor: 1 }\`): the time from the
  child's crash stamp to the manager's \`DAEMON_STARTED\` of the next instance, stamped the same
  way as it arrives. The baseline is a bare \`child_process.spawn\` of the same program, from the
  \`spawn()\` call to the \`data\` event carrying \`ready\`. pm2 6, which is not a dependency of
  warden (installed on demand with \`npm install --prefix ${PM2_CACHE} pm2@6\`, run with a
  \`PM2_HOME\` of its own in a temporary folder and \`pm2 kill\`ed at the end), restarts the same
  program after the same crash (fork mode, \`autorestart: true\`, \`restart_delay: 0\`, no
  unstable-restart limit): from the child's crash stamp to the next instance's own ready stamp,
  since pm2 gives no readiness signal to observe (so pm2's figure leaves out the stdout pipe that
  warden's includes). The three take turns in an order that rotates every round, after
  ${SETTLE_MS} ms of quiet each. **Target: ≤ ${TARGETS.restartRatio}× the bare spawn, and faster than pm2.**`);
  }
  if (results.control) {
    const { daemons } = results.control;
    items.push(`- **(e) The control plane.** A manager runs in a child process as a user runs it,
  \`node bin/warden.js up --config <temp>/warden.config.ts\`, with the ${daemons} daemons of the daemon
  index: \`HEALTH_SERVER\` built in, the other ${daemons - 1} in-process daemons of
  \`bench/fixtures/instant-daemon.ts\` (ready at once) with the index's dependencies and descriptions,
  \`server: { port: 0 }\`; the benchmark reads the URL and token from \`<stateDir>/manager.json\` and
  \`<stateDir>/token\`. Load: autocannon 8 (${CONNECTIONS} connections on 127.0.0.1, pipelining ${PIPELINING}, ${plan.controlSeconds} s per
  run after a ${plan.controlWarmupSeconds} s warm-up per target) against \`GET /v1/status\` with the bearer token, \`GET /healthz\`, and
  a yardstick: a bare \`node:http\` server in another child process (\`bench/fixtures/fixed-json-server.mjs\`)
  answering the bytes of a real \`/v1/status\` answer, which shows what fastify, the token check and
  building the status cost; the three take turns in a rotating order, ${CONTROL_SETTLE_MS} ms apart. Requests/s is autocannon's
  (the mean of its per-second samples); p50 and p99 come from autocannon's per-response times (its
  \`response\` event, sub-millisecond), since its latency histogram truncates to whole milliseconds
  (those figures are under "Every run"). Any error, timeout or non-2xx answer fails the run. Restart:
  \`node bin/warden.js restart ${RESTARTED_DAEMON} --config <temp>/warden.config.ts\` (${RESTARTED_DAEMON} is a leaf of the graph), from
  spawn to exit, split by the manager's own \`DAEMON_RESTARTING\` and \`DAEMON_STARTED\` stamps (whole
  ms, same machine clock); \`POST /v1/daemons/${RESTARTED_DAEMON}/restart\` sent directly on a new connection; and
  \`node bin/warden.js --help\`, the cost of starting the CLI alone; after each restart the benchmark
  checks that ${RESTARTED_DAEMON} is RUNNING and was restarted. Run alone with \`npm run bench -- --only control-api\`.
  **No target: the figures are recorded.**`);
  }
  if (results.footprint) items.push(footprintDescription(plan, results.footprint));
  if (results.ringrift) {
    items.push(`- **(g) The \`${PROFILE}\` profile of examples/ringrift.** Its ${results.ringrift.daemons} daemons started and stopped as a
  user does: \`node bin/warden.js up --config warden.config.ts --profile ${PROFILE}\` in a copy of
  examples/ringrift in a temporary folder (\`work/\` and \`.warden/\` emptied before each run), about 45
  Python stand-ins through the adapter, 8 TypeScript modules, 2 programs and the built-ins; SIGTERM
  ${RINGRIFT_SETTLE_MS} ms after the last daemon is RUNNING. Each daemon's own start time is its first
  PENDING → STARTING to its first STARTING → RUNNING, its stop time its last RUNNING → STOPPING to its
  STOPPED, as \`warden up\` prints those events (stamped by the manager); the critical path of the
  graph (\`dependencyGraphOf(configuredDaemons(config))\`, \`criticalPath\` from
  \`machines/dependency-graph.ts\`) is computed with each run's own times. Against it: the manager's
  wall time from the first STARTING to the last RUNNING (and from the first STOPPING to the last
  STOPPED), and this process's from spawning \`warden up\` to its "${results.ringrift.daemons} daemons running" line (and from
  SIGTERM to its exit with code 0). Run alone with \`npm run bench -- --only ringrift-coordinator\`.
  **No target: the figures are recorded.**`);
  }
  if (results.journal) {
    items.push(`- **(h) The journal.** \`EventBus.publish\` with ${JOURNAL_SUBSCRIBERS} durable subscribers (named, as daemons'
  subscriptions are) on a bus with the SQLite journal (\`runtime/journal/journal.ts\` in a temporary
  state directory), timed until the last batch is written (\`whenFlushed\`), against the same publishes
  and subscribers on a bus without one, alternating, ${plan.journalRepeats} runs each of
  ${integer(plan.journalEvents)} events. Latency: ${integer(plan.journalLatencyEvents)} events at 10,000/s, from \`publish\` to
  \`publishAcknowledged\` resolving (the event is in the file), against the in-memory bus's publish to
  the next turn of the loop. Cross-process: a second Node process appends ${integer(plan.crossProcessEvents)} events at
  200/s to the journal's inbox (\`appendToInbox\`, the documented way in), each stamped with the wall
  time of its append; a DaemonManager running CROSS_PROCESS_POLLER delivers them, and the latency is
  the time to the subscriber (${plan.crossProcessRuns} runs; medians of each run's p50 and p99). Recovery: the quickstart
  under \`warden up --supervised\` in a temporary copy; ${plan.recoveryRuns} times, after the manager has run 1.5 s,
  SIGKILL to the manager and the time until the new manager prints "N daemons running" (the supervisor's
  restart delay, full jitter up to 500 ms, included). Run alone with \`npm run bench -- --only journal\`.`);
  }
  if (results.resources) items.push(resourcesDescription(plan, results));
  if (results.simulate) items.push(simulateDescription(plan, results));
  if (results.cluster) items.push(clusterDescription(plan, results));
  return items.join("\n");
}

function simulateDescription(plan: Plan, { simulate }: Results): string {
  return `- **(j) \`warden simulate\`.** One simulated day (24 h) of the ${CATALOG_DAEMONS}-daemon ringrift catalog under the
  default fault mix (\`runSimulation\`, runtime/simulate/run-simulation.ts, in this process), after a
  warm-up day, ${plural(plan.simulateDays, "run")}; then ${integer(plan.simulateSeeds)} seeds of a simulated hour each (the whole catalog, default
  faults, invariants checked) split over ${simulate?.seeds.workers ?? "2"} worker processes (\`bench/simulate-seeds.ts\`), each
  process's start included, one run. Wall time, and CPU time (user + system of this process, or of
  the workers spread over them: what the run takes on an otherwise idle machine), each with the
  simulated time over it. Run alone with \`npm run bench -- --only simulate\`. **Target: a day in
  ≤ ${TARGETS.simulatedDayMs / 1000} s of wall time on a 2-core machine; 1,000 seeds of an hour in under a minute.**`;
}

function clusterDescription(plan: Plan, { cluster }: Results): string {
  const skipped = cluster?.skipped ? ` Skipped here: ${cluster.reason}.` : "";
  const ttl = cluster && !cluster.skipped ? ` ${integer(cluster.ttlMs)} ms` : "";
  return `- **(k) Cluster.** Managers with in-process daemons and real journals in temporary folders, and a
  nats-server of their own on a free loopback port (\`bench/cluster.ts\`). Cross-node events: a bus
  event published on node a, journaled, sent to JetStream, consumed, journaled and delivered on
  node b's bus, node b in a process of its own as on another machine, against raw JetStream (awaited
  publishes of the same bytes, an acknowledged pull consumer in a process of its own); latency of
  ${integer(plan.clusterLatencyEvents)} events of each side one at a time, from the publish to the receiver having it, in rounds
  that alternate the sides after a warm-up of each (p50 and p99: the median of the rounds'), and the
  throughput of a burst of ${integer(plan.clusterBurstEvents)}. Failover: two nodes with a singleton, the holder's NATS
  connection closed until the other node runs it (lease TTL${ttl}; median of ${plural(plan.clusterFailovers, "failover")}). Restart:
  \`Cluster.act\` restarting a daemon on node b from node a, round trip, against \`manager.restart\` on
  b, alternating, ${plan.clusterRestarts} each. Run alone with \`npm run bench -- --only cluster\` (it needs
  \`nats-server\` on PATH and is skipped without).${skipped} **Target: latency ≤ ${TARGETS.clusterLatencyRatio}× raw NATS; failover
  ≤ lease TTL + 1 s.**`;
}

const rounds = (n: number) => `${n} warm-up round${n === 1 ? "" : "s"}`;

function resourcesDescription(plan: Plan, { resources }: Results): string {
  const memory = resources?.memory;
  const kernel =
    memory?.kernelSkipped === undefined
      ? `where the manager may create cgroups, the daemon's cgroup carries the limit and the
  kernel kills the daemon; the grower measures what its cgroup is charged for, and the sampler looks once
  every ${integer(KERNEL_SIDE_SAMPLE_MS / 1000)} s so that only the kernel acts (the resident set also counts the Node binary's
  file pages, which the cgroup is not charged for). Its baseline is the kernel alone: this process
  makes a cgroup with the same limit beside the manager's, spawns the same grower and moves it in
  at once, and times from the stamp to the child's \`exit\` (SIGKILL)${memory?.bareSkipped ? ` (left out here: ${memory.bareSkipped})` : ""}.`
      : `skipped here: ${memory.kernelSkipped}.`;
  return `- **(i) Resources and limits.** Start path: the 60 daemons of the daemon index with their
  dependencies (\`bench/daemon-index-graph.ts\`), in-process and ready at once, started by \`startAll()\`
  on a fresh DaemonManager, timed until it resolves (wall time, and the CPU time of this process
  meanwhile, \`process.cpuUsage()\`, which other processes on the cores disturb less): with \`resources: { ${SLOT}: 60 }\` and every daemon
  registered with \`requires: { ${SLOT}: 1 }\` (each start asks the root supervisor for its unit and always
  gets it) against no resources at all, alternating, ${plan.resourcesStartRuns} runs each after ${rounds(plan.resourcesStartWarmups)},
  \`manager.close()\` after each. A start where daemons contend is left out: a unit is held while its
  daemon runs, so a daemon waiting behind ready-at-once daemons would wait for ever. Memory limit: a
  process daemon, \`node bench/resources/grower.mjs\` with \`limits.memoryMb: ${LIMIT_MB}\`, grows in touched chunks
  to within 4 MiB of the limit, writes \`crossing <Date.now()>\` to stdout (synchronously) and at once
  allocates what takes it 16 MiB over; the reaction is the manager's \`DAEMON_RESTARTING\` (reason
  \`memory\`) \`time\` minus that stamp. Sampler alone: cgroups switched off (\`redetectCgroups\` with no
  support), the default ${integer(memory?.sampleMs ?? 0)} ms cadence; the grower measures its own resident set, as the
  sampler does, and waits a pause spread over one cadence before crossing, so that the crossings
  fall at every phase of the sampler's tick. The kernel: ${kernel} A manager of its own on a fresh
  state directory for each crossing, the kinds taking turns, ${plan.memoryReactionRuns} runs each after
  ${rounds(plan.memoryReactionWarmups)}. Run alone with \`npm run bench -- --only resources\`. **No target: the figures
  are recorded.**`;
}

function footprintDescription(plan: Plan, { daemons, apps }: CliFootprintResult): string {
  return `- **(f) The CLI and the manager's footprint.** A manager runs in a child process as in production,
  \`node bin/warden.js up --config <temp>/warden.config.json --no-output --log-level warn\`: a JSON
  configuration (\`stateDir: "state"\`, \`server: { host: "127.0.0.1", port: 0 }\`) with the ${daemons} daemons of
  the daemon index, \`HEALTH_SERVER\` built in and the other ${daemons - 1} the plain-JavaScript
  \`bench/fixtures/instant-daemon.mjs\` with the index's dependencies. JSON and \`.mjs\`, not (e)'s
  \`.ts\` files, so that the manager loads no TypeScript loader, as a deployment of compiled daemons
  would. Beside it, pm2 6 (installed as for (d), with a \`PM2_HOME\` in the temporary folder)
  supervises ${apps} apps of the same names, each \`sleep 100000\` (\`interpreter: "none"\`, fork mode,
  \`autorestart: true\`): as many supervised things, each as cheap as can be. Once every daemon is
  RUNNING (\`GET /readyz\`) and every app online (\`pm2 jlist\`), the benchmark reads each supervisor's
  \`VmRSS\` (\`/proc/<pid>/status\`) and \`Private_Dirty\` (\`/proc/<pid>/smaps_rollup\`): warden's manager
  process, its in-process daemons included, and pm2's daemon (the pid in \`pm2.pid\`), not its
  \`sleep\` processes. It then leaves both alone for ${plan.footprintIdleSeconds} s, without a single request, and reads
  them again, with the CPU time each used meanwhile (\`utime\` + \`stime\` of \`/proc/<pid>/stat\`, in
  ticks of \`getconf CLK_TCK\`) as a percentage of one core. Then, so that its requests do not
  disturb the idle period, the CLI: \`node -e 0\` (the baseline: Node starting and exiting),
  \`node bin/warden.js status --config F\`, \`node bin/warden.js --help\` and
  \`node bin/warden.js restart ${RESTARTED_DAEMON} --config F\` (after which the benchmark checks that ${RESTARTED_DAEMON} is
  RUNNING and was restarted), each a child process timed from spawn to exit with exit code 0,
  taking turns in a rotating order, ${CONTROL_SETTLE_MS} ms apart. Run alone with
  \`npm run bench -- --only cli-footprint\`. **Target: the manager's RSS after idling ≤ ${TARGETS.footprintRss}×
  pm2's daemon's (after start: shown, not counted), its idle CPU < ${TARGETS.idleCpuPercent} % of one core, and
  each command ≤ ${TARGETS.cliRatio}× \`node -e 0\`.**`;
}
