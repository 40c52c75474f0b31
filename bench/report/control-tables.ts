/** The tables of (e), which has no target: its figures stand outside the PASS/MISS table. */
import type { ControlApiResult, LoadResult } from "../control-api.ts";
import { integer, latency, millis, perSecond } from "./format.ts";

/** (e) has no target: its figures get tables of their own, outside the PASS/MISS table. */
export function controlTables(result: ControlApiResult): string {
  const { status, healthz, bare, restart } = result;
  const loadRow = (what: string, load: LoadResult) =>
    `| ${what} | ${perSecond(load.rps)} | ${latency(load.p50Ms)} | ${latency(load.p99Ms)} |`;
  const load = [
    "| (e) Control API under load | Requests/s (median) | p50 latency (median) | p99 latency (median) |",
    "| --- | ---: | ---: | ---: |",
    loadRow(
      `\`GET /v1/status\` with the token, ${result.daemons} daemons (${integer(result.statusBytes)} B of JSON)`,
      status,
    ),
    loadRow(`\`GET /healthz\` (${integer(result.healthzBytes)} B of JSON)`, healthz),
    loadRow(
      `yardstick: bare \`node:http\` answering the same ${integer(result.statusBytes)} B of JSON`,
      bare,
    ),
  ];
  const { cli, direct, daemon } = restart;
  const steps = cli
    ? [
        `| \`warden restart ${daemon} --config F\`: spawn of the CLI to its exit, ${daemon} RUNNING again | ${millis(cli.totalMs)} |`,
        `| … of which CLI process start + request: spawn to the manager's \`DAEMON_RESTARTING\` | ${millis(cli.toServerMs)} |`,
        `| … of which the restart in the manager: \`DAEMON_RESTARTING\` to \`DAEMON_STARTED\` | ${millis(cli.serverMs)} |`,
        `| … of which the answer, its printing and the exit: \`DAEMON_STARTED\` to the CLI's exit | ${millis(cli.afterMs)} |`,
      ]
    : [`| \`warden restart ${daemon}\`: not measured (${restart.cliSkipped}) | — |`];
  const restartTable = [
    `| (e) Restart of ${daemon} through the control API | Median |`,
    "| --- | ---: |",
    ...steps,
    `| \`POST /v1/daemons/${daemon}/restart\` sent directly: request to answer (RUNNING) | ${millis(direct.totalMs)} |`,
    `| … of which the restart in the manager: \`DAEMON_RESTARTING\` to \`DAEMON_STARTED\` | ${millis(direct.serverMs)} |`,
    `| for reference: \`node bin/warden.js --help\`, spawn to exit (starting the CLI alone) | ${millis(restart.helpMs)} |`,
  ];
  return `${load.join("\n")}\n\n${restartTable.join("\n")}`;
}
