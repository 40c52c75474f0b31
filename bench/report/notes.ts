/** The paragraphs under the tables that explain some figures, for the benchmarks that ran. */
import {
  CLI_LABELS,
  type CliFootprintResult,
  type Footprint,
  type Memory,
} from "../cli-footprint.ts";
import type { ControlApiResult } from "../control-api.ts";
import type { Results } from "../plan.ts";
import type { CoordinatorResult } from "../ringrift-coordinator.ts";
import { integer, latency, mebibytes, millis, percent, ratio } from "./format.ts";

/** The paragraphs after "Every run", each followed by a blank line; empty when none applies. */
export function notes({ startup, restart, control, footprint, ringrift }: Results): string {
  const paragraphs: string[] = [];
  if (startup) {
    paragraphs.push(`For (c), a one-at-a-time start would take ${startup.sequentialMs} ms; \`startAll()\` spent a median
${startup.firstStartMs.toFixed(1)} ms handing the 60 daemons to the supervisor before the first
\`start()\` ran.`);
  }
  if (restart) {
    paragraphs.push(`For (d), warden published \`DAEMON_RESTARTING\` a median ${millis(restart.wardenNoticed)} after the
child's crash stamp (the child's own exit is part of that); the rest, about
${millis(restart.warden - restart.wardenNoticed)}, went to starting the next instance until its \`ready\` line.`);
  }
  if (restart?.pm2Skipped) paragraphs.push(`For (d), pm2 was not measured: ${restart.pm2Skipped}.`);
  if (control) paragraphs.push(controlNote(control));
  if (footprint) paragraphs.push(footprintNote(footprint));
  if (ringrift) paragraphs.push(ringriftNote(ringrift));
  return paragraphs.map((paragraph) => `${paragraph}\n\n`).join("");
}

function controlNote({ status, healthz, bare, restart }: ControlApiResult): string {
  const load = `For (e), \`GET /v1/status\` answered at ${ratio(status.rps / bare.rps)} the yardstick's rate (p99
${latency(status.p99Ms)} against ${latency(bare.p99Ms)}) and \`GET /healthz\` at ${ratio(healthz.rps / bare.rps)}; autocannon, the manager and the
yardstick share the machine's cores, so these are figures of this machine, not of the server alone.`;
  const { cli } = restart;
  if (!cli) return `${load} \`warden restart\` was not measured: ${restart.cliSkipped}.`;
  return `${load} Of the ${millis(cli.totalMs)} that \`warden restart\` took, ${millis(cli.toServerMs)} passed before the manager began the
restart (starting the CLI alone, \`--help\`, took ${millis(restart.helpMs)}), ${millis(cli.serverMs)} went to the restart in the manager,
and ${millis(cli.afterMs)} to the answer and the exit.`;
}

function footprintNote(result: CliFootprintResult): string {
  const { idle, cli } = result;
  const node = cli.medians.node;
  const extra = (["status", "help", "restart"] as const)
    .map((command) => `\`${CLI_LABELS[command]}\` +${millis(cli.medians[command] - node)}`)
    .join(", ");
  const cliText = `Medians beyond the ${millis(node)} of \`node -e 0\`: ${extra}.`;
  const pm2Text = result.pm2Skipped ? ` pm2 was not measured: ${result.pm2Skipped}.` : "";
  if (!idle) {
    return `For (f), memory and CPU were not measured: ${result.procSkipped}.${pm2Text} ${cliText}`;
  }
  const memory = (m: Memory) =>
    `${mebibytes(m.rssBytes)} RSS (${mebibytes(m.privateDirtyBytes)} private dirty)`;
  const seconds = idle.seconds.toFixed(0);
  const readings = (f: Footprint) =>
    `had ${memory(f.afterStart)} after start and ${memory(f.afterIdle)} after ${seconds} s idle, and used ${f.cpuTicks} ticks of CPU meanwhile (${percent(f.cpuPercent)} of a core)`;
  const pm2 = idle.pm2 ? `; pm2 ${result.pm2Version}'s daemon ${readings(idle.pm2)}` : "";
  const counted = idle.pm2
    ? ` pm2's ${result.apps} \`sleep\` processes are not counted; warden's daemons run inside its manager.`
    : "";
  return `For (f), warden's manager with ${result.daemons} daemons ${readings(idle.warden)}${pm2}
(\`getconf CLK_TCK\` ${idle.clockTicks}).${counted}${pm2Text} ${cliText}`;
}

function ringriftNote(result: CoordinatorResult): string {
  const { start, stop } = result.typical;
  const chain = (names: readonly string[]) => names.map((name) => `\`${name}\``).join(" → ");
  return `For (g), in the run with the median start ratio the critical path of the start was ${chain(start.chain)}
(${integer(start.criticalPathMs)} ms; slowest daemon ${start.slowest.name}, ${integer(start.slowest.ms)} ms) and of the stop ${chain([...stop.chain].reverse())}
(${integer(stop.criticalPathMs)} ms). Each daemon's own time is measured while the others start (or stop) beside
it on the same cores, so the sum of them (a median ${integer(result.startSumMs)} ms to start, ${integer(result.stopSumMs)} ms to stop) is not
what starting them one at a time would take. Before the first STARTING, \`warden up\` spent a median
${integer(result.setupMs)} ms starting Node, loading the configuration and building the manager; after SIGTERM,
${integer(result.signalToStoppingMs)} ms passed before the first STOPPING and ${integer(result.stoppedToExitMs)} ms from the last STOPPED to the exit.`;
}
