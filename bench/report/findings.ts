/** What profiling found while these benchmarks were written: fixed text, not regenerated. */
export const FINDINGS = `## What the profiles showed

Found with \`node --cpu-prof\` on this machine on 2026-11-23, while writing these benchmarks; the
figures below are from then, not from the run above.

- **XState scanned every delayed event of the system whenever any actor stopped**
  (\`scheduler.cancelAll\`), invoked promises included. All daemons share one system, so
  \`startAll()\` + \`stopAll()\` was O(n²): 10,000 daemons took ≈ 7.1 ms each, 61% of it in
  \`cancelAll\`; 100,000 would have taken hours. \`indexDelayedEvents\` (actors/clock.ts) indexes the
  delayed events by actor: ≈ 0.9 ms each.
- **XState drains an actor's deferred effects with \`Array#shift\`**, which V8 turns into a copy
  beyond ≈ 16,000 entries: a root transition that sends to every daemon (START, SHUTDOWN) was
  O(n²). \`queueDeferredEffects\` (actors/clock.ts) gives the root an O(1) queue: 100,000 daemons
  went from ≈ 0.81–0.90 to ≈ 0.65 ms each.
- **XState copies the context with \`Object.assign({}, context, update)\` on every \`assign\`, and V8
  makes an object built that way with 20 or more properties a slow dictionary** (≈ 15 µs per copy
  instead of ≈ 1 µs with 10,000 live contexts). The lifecycle context had 23 fields; grouped into
  19, a bare lifecycle actor's start/stop cycle went from ≈ 0.37–0.55 to ≈ 0.26–0.30 ms and from
  ≈ 10.0 to ≈ 8.6 KB, and warden's from ≈ 14.2 to ≈ 12.9 KB per daemon. Keep that context at 19
  fields or fewer.
- **Stopping an actor copies its parent's children map** (a dictionary after the first delete,
  ≈ 2 µs per entry), so stopping a group supervisor is O(size²). Groups of 64 instead of 256 took
  \`close()\` of 30,000 daemons from ≈ 0.6 to ≈ 0.12 ms per daemon. It is still ≈ 0.3–0.4 ms per daemon
  at 100,000 (the root's map of 1,563 groups, and garbage collection of a 1.3 GB heap).
- **Event bus**: skipping Subjects nobody observes, not allocating a closure per delivery, and
  building the envelope id without a \`Number#toString(36)\` per event took \`EventBus.publish\` from
  0.39× to 0.60× of a bare \`Subject.next\` (A/B in one process, same ids). Most of what remains is
  the timestamp: a clock read (\`Date.now()\`) costs ≈ 60–75 ns on this VM (kvm-clock), about half
  of a bare \`Subject.next\` to 4 subscribers, so the ratio sits at 0.5–0.6 and dips under 0.5 when
  other processes load the machine.
- **Start of the daemon index** (target 1.1× not met): the critical path EVENT_ROUTER →
  CLUSTER_MONITOR → ADAPTIVE_RESOURCES is 60 ms, and three things add to it. (1) \`startAll()\`
  first hands all 60 daemons to the supervisor (spawning 60 lifecycle actors, ≈ 6–25 ms) before the
  first \`start()\` runs. (2) When EVENT_ROUTER is RUNNING, its 47 dependents receive
  DEPENDENCIES_READY synchronously, in registration order, and each daemon's \`start()\` runs in a
  microtask after that whole cascade (\`InProcessDriver.start\` defers it with
  \`Promise.resolve().then\`), so CLUSTER_MONITOR starts 4–13 ms late; then the 47 timers fire in the
  same order and CLUSTER_MONITOR, 29th, is reported RUNNING ≈ 6 ms after its own timer. (3) Each
  \`setTimeout(20)\` fires 0.3–1.5 ms late. Experiments outside the tree: sending DEPENDENCIES_READY
  to the longest chains first *and* calling \`start()\` synchronously brought it to ≈ 1.2–1.3×;
  either alone ≈ 1.4×. Both change when daemon code runs and in what order, so neither was made
  here; 1.1× would also need the first starts to begin before all daemons are registered.
- **(d) on 2026-11-28** (not a change of warden): the same test machine spawned a Node program in
  ≈ 120 ms where the run of 2026-11-23 took ≈ 66 ms, and \`node -e 0\` took ≈ 110 ms. Checked out
  at the commit that measured 1.18× (fc5027c), (d) gives 1.32× here today (162.7 ms against
  122.9 ms), as the current tree does (1.33–1.48× across today's runs): warden's restart costs
  ≈ 40–60 ms above the bare spawn on this machine, ≈ 12 ms on the faster one. Not explained
  yet; profile the restart path on this machine before changing it. The CLI ratios of (f) also
  move by ± 0.1 between runs here (\`warden status\` 1.42–1.51×, \`warden restart\` 1.36–1.54× after
  its single round trip).
- **A daemon's driver wrapped for DAEMON_WATCHDOG** (heartbeat times, interruptible starts) costs
  every start a promise hop: with it on every daemon, (c) went from 1.09× to 1.15×. Daemons are
  wrapped only once a watchdog is made for the manager.
- **(f) idle CPU**: prom-client's event-loop delay monitor woke every 10 ms (≈ 0.7 % of a core on
  its own); 100 ms keeps the metric for a tenth of the wake-ups. What is left is the state
  directory guard (1 s), V8's memory reducer shrinking the heap during the first minute, and
  the promise hook of the AsyncLocalStorage that attributes errors to daemons.
- **(f) RSS**: V8's memory reducer takes warden's manager from ≈ 100 to ≈ 77 MiB within the
  first minute idle; a 5 s idle shows no drop. Of the 77 MiB, ≈ 43 MiB are Node's own shared
  pages, as for pm2; the private rest is ≈ 34 MiB against pm2's ≈ 18 MiB. The libraries alone
  (fastify, pino, xstate, rxjs, zod, prom-client) settle at ≈ 66 MiB in a bare process.
  \`--max-semi-space-size\` (1 or 4 MiB) does not help after the first minute; bundling and
  minifying the manager saves ≈ 3 MiB.
- **(h) journal throughput** (2026-11-28): each journaled event costs ≈ 1.2–1.5 µs in SQLite
  (a row of seven columns, 64 rows per INSERT, one transaction per turn of the loop) on top of the
  in-memory bus's ≈ 0.2 µs, so the journaled bus runs at ≈ 0.1× of the in-memory one (target
  0.2×) while far above its absolute target. Measured alone: one JSON column instead of seven
  costs the same; a statement per row costs twice as much; a batch per row would halve the cost
  but leave a journal nobody can query by type, time or position.
`;
