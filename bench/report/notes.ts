/** The paragraphs under the tables that explain some figures, for the benchmarks that ran. */
import type { ControlApiResult } from "../control-api.ts";
import type { Results } from "../plan.ts";
import { latency, millis, ratio } from "./format.ts";

/** The paragraphs after "Every run", each followed by a blank line; empty when none applies. */
export function notes({ startup, restart, control }: Results): string {
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
