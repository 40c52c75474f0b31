/** The "Every run" table: each measurement's samples, in the order taken. */
import {
  CLI_COMMANDS,
  CLI_LABELS,
  type CliFootprintResult,
  type Footprint,
} from "../cli-footprint.ts";
import type { ControlApiResult, LoadSample } from "../control-api.ts";
import type { CostSample } from "../daemon-cost.ts";
import type { Results } from "../plan.ts";
import type { CoordinatorResult, Phase } from "../ringrift-coordinator.ts";
import {
  events,
  integer,
  latency,
  mebibytes,
  micros,
  millis,
  percent,
  perSecond,
  ratio,
} from "./format.ts";

function costSamples(samples: readonly CostSample[]): string {
  return samples
    .map((s) => `${s.usPerDaemon.toFixed(1)} µs / ${integer(s.bytesPerDaemon)} B`)
    .join("; ");
}

function closes(samples: readonly CostSample[]): string {
  return samples
    .flatMap((s) => (s.closeUsPerDaemon === undefined ? [] : [micros(s.closeUsPerDaemon)]))
    .join("; ");
}

/** The "Every run" table of the benchmarks that ran. */
export function details({
  cost = [],
  bus,
  startup,
  restart,
  control,
  footprint,
  ringrift,
}: Results): string {
  const lines = ["| Measurement | Runs | Samples (in order) |", "| --- | ---: | --- |"];
  for (const result of cost) {
    lines.push(
      `| (a) warden, ${integer(result.size)} daemons | ${result.repeats} | ${costSamples(result.samples.warden)} |`,
      `| (a) bare actors, ${integer(result.size)} daemons | ${result.repeats} | ${costSamples(result.samples.baseline)} |`,
      `| (a) warden \`close()\` after \`stopAll()\`, ${integer(result.size)} daemons (not compared; first run only) | 1 | ${closes(result.samples.warden)} per daemon |`,
    );
  }
  if (bus) {
    lines.push(
      `| (b) \`EventBus.publish\` | ${bus.repeats} | ${bus.samples.warden.map(events).join("; ")} |`,
      `| (b) bare \`Subject.next\` | ${bus.repeats} | ${bus.samples.baseline.map(events).join("; ")} |`,
      `| (b) for reference: bare \`Subject.next\` with \`time: Date.now()\` (median ${events(bus.stamped)}; warden ${ratio(bus.warden / bus.stamped)} of it) | ${bus.repeats} | ${bus.samples.stamped.map(events).join("; ")} |`,
    );
  }
  if (startup) {
    lines.push(
      `| (c) \`startAll()\` wall time | ${startup.repeats} | ${startup.samples.map((s) => `${s.wallMs.toFixed(1)} ms`).join("; ")} |`,
      `| (c) \`startAll()\` until the first daemon's \`start()\` runs | ${startup.repeats} | ${startup.samples.map((s) => `${s.firstStartMs.toFixed(1)} ms`).join("; ")} |`,
    );
  }
  if (restart) {
    const { warden, bare, pm2, wardenNoticed } = restart.samples;
    lines.push(
      `| (d) warden: crash to \`DAEMON_STARTED\` of the next instance | ${warden.length} | ${warden.map(millis).join("; ")} |`,
      `| (d) warden: crash to \`DAEMON_RESTARTING\` (part of the above, not compared) | ${wardenNoticed.length} | ${wardenNoticed.map(millis).join("; ")} |`,
      `| (d) bare \`spawn()\` to the \`ready\` line | ${bare.length} | ${bare.map(millis).join("; ")} |`,
    );
    if (pm2.length > 0) {
      lines.push(
        `| (d) pm2 ${restart.pm2Version}: crash to the next instance's own ready stamp | ${pm2.length} | ${pm2.map(millis).join("; ")} |`,
      );
    }
  }
  if (control) lines.push(...controlDetails(control));
  if (footprint) lines.push(...footprintDetails(footprint));
  if (ringrift) lines.push(...ringriftDetails(ringrift));
  return lines.join("\n");
}

function loadSamples(samples: readonly LoadSample[]): string {
  return samples
    .map(
      (s) =>
        `${perSecond(s.rps)}, p50 ${latency(s.p50Ms)}, p99 ${latency(s.p99Ms)} (histogram ${s.histogramP50Ms}/${s.histogramP99Ms} ms)`,
    )
    .join("; ");
}

function controlDetails(result: ControlApiResult): string[] {
  const { restart } = result;
  const lines = [
    `| (e) \`GET /v1/status\` | ${result.status.samples.length} | ${loadSamples(result.status.samples)} |`,
    `| (e) \`GET /healthz\` | ${result.healthz.samples.length} | ${loadSamples(result.healthz.samples)} |`,
    `| (e) bare \`node:http\` yardstick | ${result.bare.samples.length} | ${loadSamples(result.bare.samples)} |`,
  ];
  const { cli, direct, help } = restart.samples;
  if (cli.length > 0) {
    lines.push(
      `| (e) \`warden restart ${restart.daemon}\`: total = CLI start + request, restart in the manager, answer and exit | ${cli.length} | ${cli.map((s) => `${millis(s.totalMs)} = ${s.toServerMs} + ${s.serverMs} + ${s.afterMs} ms`).join("; ")} |`,
    );
  }
  lines.push(
    `| (e) direct \`POST …/restart\` (restart in the manager) | ${direct.length} | ${direct.map((s) => `${millis(s.totalMs)} (${s.serverMs} ms)`).join("; ")} |`,
    `| (e) \`node bin/warden.js --help\` | ${help.length} | ${help.map(millis).join("; ")} |`,
  );
  return lines;
}

function footprintReadings(who: string, footprint: Footprint, seconds: number): string[] {
  const memory = (m: Footprint["afterStart"]) =>
    `${mebibytes(m.rssBytes)} RSS, ${mebibytes(m.privateDirtyBytes)} private dirty`;
  return [
    `| (f) ${who}: memory after start; after ${seconds.toFixed(0)} s idle | 1 | ${memory(footprint.afterStart)}; ${memory(footprint.afterIdle)} |`,
    `| (f) ${who}: CPU over the idle period | 1 | ${footprint.cpuTicks} ticks = ${percent(footprint.cpuPercent)} of a core |`,
  ];
}

function footprintDetails(result: CliFootprintResult): string[] {
  const lines: string[] = [];
  const { idle } = result;
  if (idle) {
    lines.push(
      ...footprintReadings(`warden's manager (pid ${idle.warden.pid})`, idle.warden, idle.seconds),
    );
    if (idle.pm2) {
      lines.push(
        ...footprintReadings(
          `pm2 ${result.pm2Version}'s daemon (pid ${idle.pm2.pid})`,
          idle.pm2,
          idle.seconds,
        ),
      );
    }
  }
  for (const command of CLI_COMMANDS) {
    const samples = result.cli.samples[command];
    lines.push(
      `| (f) \`${CLI_LABELS[command]}\`, spawn to exit | ${samples.length} | ${samples.map(millis).join("; ")} |`,
    );
  }
  return lines;
}

function ringriftDetails({ profile, samples }: CoordinatorResult): string[] {
  const phase = (p: Phase) =>
    `${integer(p.wallMs)} ms / ${integer(p.criticalPathMs)} ms (${ratio(p.ratio)})`;
  const row = (what: string, values: string[]) =>
    `| (g) ${what} | ${values.length} | ${values.join("; ")} |`;
  return [
    row(
      `\`${profile}\` start, first STARTING to last RUNNING / critical path`,
      samples.map((s) => phase(s.start)),
    ),
    row(
      `\`warden up\` spawned to all RUNNING (of which spawn to the first STARTING)`,
      samples.map((s) => `${integer(s.upMs)} ms (${integer(s.setupMs)} ms)`),
    ),
    row(
      `\`${profile}\` stop, first STOPPING to last STOPPED / critical path`,
      samples.map((s) => phase(s.stop)),
    ),
    row(
      "SIGTERM to the exit of `warden up` (of which SIGTERM to the first STOPPING; last STOPPED to the exit)",
      samples.map(
        (s) =>
          `${integer(s.downMs)} ms (${integer(s.signalToStoppingMs)} ms; ${integer(s.stoppedToExitMs)} ms)`,
      ),
    ),
    row(
      "slowest daemon to start; to stop",
      samples.map(
        (s) =>
          `${s.start.slowest.name} ${integer(s.start.slowest.ms)} ms; ${s.stop.slowest.name} ${integer(s.stop.slowest.ms)} ms`,
      ),
    ),
  ];
}
