/** The PASS/MISS rows of (f): the manager's memory and idle CPU, and the CLI against `node -e 0`. */
import { CLI_COMMANDS, CLI_LABELS, type CliFootprintResult } from "../cli-footprint.ts";
import { TARGETS } from "../plan.ts";
import { mebibytes, millis, percent } from "./format.ts";
import type { Row } from "./results-table.ts";

function memoryRows({ idle, daemons, apps, pm2Version }: CliFootprintResult): Row[] {
  if (!idle?.pm2) return [];
  const { warden, pm2 } = idle;
  const target = `≤ ${TARGETS.footprintRss}×`;
  const row = (when: "afterStart" | "afterIdle", label: string): Row => {
    const ratio = warden[when].rssBytes / pm2[when].rssBytes;
    return {
      benchmark: `(f) supervisor RSS ${label}, against pm2`,
      size: `${daemons} daemons / ${apps} \`sleep\` apps, one reading`,
      warden: mebibytes(warden[when].rssBytes),
      baseline: `${mebibytes(pm2[when].rssBytes)} (pm2 ${pm2Version} daemon)`,
      ratio,
      target,
      pass: ratio <= TARGETS.footprintRss,
    };
  };
  return [
    row("afterIdle", `after ${idle.seconds.toFixed(0)} s idle`),
    {
      ...row("afterStart", "after start"),
      target: `${target} (informational)`,
      informational: true,
    },
  ];
}

function cpuRow({ idle, daemons, pm2Version }: CliFootprintResult): Row[] {
  if (!idle) return [];
  const cpu = idle.warden.cpuPercent;
  return [
    {
      benchmark: "(f) supervisor CPU while idle",
      size: `${daemons} daemons, ${idle.seconds.toFixed(0)} s without a request`,
      warden: `${percent(cpu)} of a core`,
      baseline: idle.pm2
        ? `${percent(idle.pm2.cpuPercent)} (pm2 ${pm2Version}, not compared)`
        : "— (absolute target)",
      target: `< ${TARGETS.idleCpuPercent} % of one core`,
      pass: cpu < TARGETS.idleCpuPercent,
    },
  ];
}

function cliRows({ cli, daemons }: CliFootprintResult): Row[] {
  const node = cli.medians.node;
  return CLI_COMMANDS.filter((command) => command !== "node").map((command) => {
    const ratio = cli.medians[command] / node;
    return {
      benchmark: `(f) \`${CLI_LABELS[command]}\`, spawn to exit`,
      size: `${cli.runs} runs, ${daemons} daemons`,
      warden: millis(cli.medians[command]),
      baseline: `${millis(node)} (\`${CLI_LABELS.node}\`)`,
      ratio,
      target: `≤ ${TARGETS.cliRatio}×`,
      pass: ratio <= TARGETS.cliRatio,
    };
  });
}

/** (f)'s rows: memory against pm2 (when pm2 ran), idle CPU (with /proc), and the CLI. */
export function footprintRows(result: CliFootprintResult): Row[] {
  return [...memoryRows(result), ...cpuRow(result), ...cliRows(result)];
}
