/**
 * What `warden init` writes (cli/commands/init.ts): a commented starter configuration in one of
 * three formats and an example in-process daemon module. All three formats describe the same
 * daemons: `heartbeat`, an in-process module, and `ticker`, a process (a `sh` loop).
 */

import type { InitFormat } from "./init.ts";

/** A file to write, its path relative to the target folder (always with `/`). */
export interface StarterFile {
  path: string;
  text: string;
}

/** What the process daemon of the starter runs: it says it is ready, then ticks every 5 s. */
const TICKER_SCRIPT = `echo "ticker ready"; while true; do echo "tick $(date +%T)"; sleep 5; done`;

/**
 * The files of a starter project in `format`: the configuration and the daemon module it names.
 * `schemaRef` is the `$schema` of a `.json` or `.yaml` configuration, relative to it.
 *
 * @example
 * starterFiles("yaml", "./node_modules/warden/schema/warden.config.schema.json").map((f) => f.path);
 * // ["warden.config.yaml", "daemons/heartbeat.mjs"]
 */
export function starterFiles(format: InitFormat, schemaRef: string): StarterFile[] {
  switch (format) {
    case "ts":
      return [
        { path: "warden.config.ts", text: tsConfig() },
        { path: "daemons/heartbeat.ts", text: heartbeatTs() },
      ];
    case "json":
      return [
        { path: "warden.config.json", text: jsonConfig(schemaRef) },
        { path: "daemons/heartbeat.mjs", text: heartbeatMjs("warden.config.json") },
      ];
    case "yaml":
      return [
        { path: "warden.config.yaml", text: yamlConfig(schemaRef) },
        { path: "daemons/heartbeat.mjs", text: heartbeatMjs("warden.config.yaml") },
      ];
  }
}

function tsConfig(): string {
  return `// warden.config.ts: the daemons warden supervises. \`warden validate\` checks this file without
// starting anything; \`warden up\` runs the daemons in dependency order until Ctrl-C, then stops
// them in reverse order. Paths in it are relative to this file.
//
// Two kinds of daemon:
//  - in-process: a module whose default export is the daemon (an object with start and stop) or
//    a factory that receives the definition's \`options\` (see ./daemons/heartbeat.ts);
//  - process: any program (\`command\`, \`args\`), run in its own process group; what it prints is
//    shown by \`warden up\` and kept in .warden/logs/<name>.log (\`warden logs <name> -f\`).
import { defineConfig } from "warden";

export default defineConfig({
  // Logs, pid records and the control API's token live here.
  stateDir: ".warden",
  // The control and health API (\`warden status\`, /healthz, /metrics); port 0 picks a free one.
  server: { host: "127.0.0.1", port: 7070 },
  daemons: {
    heartbeat: {
      module: "./daemons/heartbeat.ts",
      options: { everyMs: 5000 }, // handed to the module's factory
      heartbeatTimeoutMs: 15000, // no ctx.heartbeat() for this long: stuck, so restarted
      description: "an in-process daemon: publishes a HEARTBEAT event every 5 s",
    },
    ticker: {
      command: "sh",
      args: ["-c", ${JSON.stringify(TICKER_SCRIPT)}],
      // RUNNING once a stdout line matches this regular expression. Or { notify: true } (the
      // program writes READY=1 to $WARDEN_NOTIFY_SOCKET), { tcp: 8080 }, { http: "http://..." },
      // or { spawn: true } (the default: ready once started).
      ready: { stdout: "ticker ready" },
      dependsOn: ["heartbeat"], // started once heartbeat is RUNNING, stopped before it
      restart: "on-failure", // "always" | "on-failure" (the default) | "never"
      backoff: { initialMs: 500, maxMs: 30000, factor: 2 }, // delays between restarts
      stopTimeoutMs: 5000, // SIGTERM to its process group, then SIGKILL after this long
      description: "a process daemon: a shell loop that prints a line every 5 s",
    },
  },
  // Named sets of daemons: \`warden up --profile core\` starts these and their dependencies.
  profiles: { core: ["heartbeat"] },
});
`;
}

function jsonConfig(schemaRef: string): string {
  const config = {
    $schema: schemaRef,
    stateDir: ".warden",
    server: { host: "127.0.0.1", port: 7070 },
    daemons: {
      heartbeat: {
        description:
          "an in-process daemon: the module's default export is a factory that receives options; it publishes a HEARTBEAT event every 5 s",
        module: "./daemons/heartbeat.mjs",
        options: { everyMs: 5000 },
        heartbeatTimeoutMs: 15000,
      },
      ticker: {
        description:
          "a process daemon: any program, in its own process group; RUNNING once a stdout line matches ready.stdout; output in .warden/logs/ticker.log",
        command: "sh",
        args: ["-c", TICKER_SCRIPT],
        ready: { stdout: "ticker ready" },
        dependsOn: ["heartbeat"],
        restart: "on-failure",
        backoff: { initialMs: 500, maxMs: 30000, factor: 2 },
        stopTimeoutMs: 5000,
      },
    },
    profiles: { core: ["heartbeat"] },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

function yamlConfig(schemaRef: string): string {
  // The script is single-quoted in YAML: it holds double quotes and no single quote.
  return `# yaml-language-server: $schema=${schemaRef}
#
# warden.config.yaml: the daemons warden supervises. \`warden validate\` checks this file without
# starting anything; \`warden up\` runs the daemons in dependency order until Ctrl-C, then stops
# them in reverse order. Paths in it are relative to this file.

# Logs, pid records and the control API's token live here.
stateDir: .warden

# The control and health API (\`warden status\`, /healthz, /metrics); port 0 picks a free one.
server:
  host: 127.0.0.1
  port: 7070

daemons:
  # An in-process daemon: a module run inside warden. Its default export is the daemon (an
  # object with start and stop) or, as here, a factory that receives \`options\`.
  heartbeat:
    module: ./daemons/heartbeat.mjs
    options:
      everyMs: 5000
    # No ctx.heartbeat() for this long: the daemon is stuck, so it is restarted.
    heartbeatTimeoutMs: 15000
    description: "an in-process daemon: publishes a HEARTBEAT event every 5 s"

  # A process daemon: any program, run in its own process group. What it prints is shown by
  # \`warden up\` and kept in .warden/logs/ticker.log (\`warden logs ticker -f\`).
  ticker:
    command: sh
    args:
      - "-c"
      - '${TICKER_SCRIPT}'
    # RUNNING once a stdout line matches this regular expression. Or notify: true (the program
    # writes READY=1 to $WARDEN_NOTIFY_SOCKET), tcp: 8080, http: "http://...", or spawn: true
    # (the default: ready once started).
    ready:
      stdout: ticker ready
    # Started once heartbeat is RUNNING, stopped before it.
    dependsOn: [heartbeat]
    # always | on-failure (the default) | never; restarts wait with exponential backoff.
    restart: on-failure
    backoff: { initialMs: 500, maxMs: 30000, factor: 2 }
    # SIGTERM to its process group, then SIGKILL after this long.
    stopTimeoutMs: 5000
    description: "a process daemon: a shell loop that prints a line every 5 s"

# Named sets of daemons: \`warden up --profile core\` starts these and their dependencies.
profiles:
  core: [heartbeat]
`;
}

/** The daemon object's methods, the same in the `.ts` and `.mjs` module. */
const DAEMON_METHODS = `    // Returns (or resolves) once the daemon is ready; a throw is a failed start, retried with
    // backoff. ctx.logger's lines go to the standard error of \`warden up\`.
    start(ctx) {
      ctx.logger.info(\`beating every \${everyMs} ms\`);
      lastBeat = Date.now();
      timer = setInterval(() => {
        beats++;
        lastBeat = Date.now();
        ctx.heartbeat(); // proof of life for heartbeatTimeoutMs
        ctx.bus.publish("HEARTBEAT", { beats }); // see them: \`warden events --type HEARTBEAT\`
      }, everyMs);
    },
    // Undoes start (timers, connections); called on stop, restart and shutdown.
    stop() {
      clearInterval(timer);
    },
    // Optional: checked every health.intervalMs; repeated failures restart the daemon.
    healthCheck() {
      const healthy = Date.now() - lastBeat < 3 * everyMs;
      return { healthy, detail: \`\${beats} beats\` };
    },
    // Optional: exported on the control API's /metrics.
    getMetrics() {
      return { beats };
    },
`;

function heartbeatTs(): string {
  return `// An in-process daemon: warden imports this module and runs it inside its own process.
// The default export is the daemon (an object with start and stop) or, as here, a factory that
// receives the \`options\` of its definition in warden.config.ts.
import type { InProcessDaemon } from "warden";

/** Publishes a HEARTBEAT event on warden's bus every \`everyMs\` milliseconds. */
export default function heartbeat(options: { everyMs?: number } = {}): InProcessDaemon {
  const everyMs = options.everyMs ?? 5000;
  let timer: ReturnType<typeof setInterval> | undefined;
  let beats = 0;
  let lastBeat = Date.now();
  return {
${DAEMON_METHODS}  };
}
`;
}

function heartbeatMjs(configFile: string): string {
  return `// An in-process daemon: warden imports this module and runs it inside its own process.
// The default export is the daemon (an object with start and stop) or, as here, a factory that
// receives the \`options\` of its definition in ${configFile}. Plain JavaScript, so it runs
// without a TypeScript loader; the JSDoc types come from the warden package.

/**
 * Publishes a HEARTBEAT event on warden's bus every \`everyMs\` milliseconds.
 *
 * @param {{ everyMs?: number }} [options]
 * @returns {import("warden").InProcessDaemon}
 */
export default function heartbeat(options = {}) {
  const everyMs = options.everyMs ?? 5000;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let timer;
  let beats = 0;
  let lastBeat = Date.now();
  return {
${DAEMON_METHODS}  };
}
`;
}
