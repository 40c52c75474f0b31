/**
 * Benchmark (e)'s set-up: the manager (`warden up` in a child process with the daemon index) and
 * the bare `node:http` yardstick, started and checked before anything is measured.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readToken } from "../../runtime/control/api-token.ts";
import { HEALTH_SERVER } from "../../runtime/control/control-plane.ts";
import { readManagerInfo } from "../../runtime/control/manager-discovery.ts";
import type { DaemonStatus } from "../../runtime/manager/daemon-manager.ts";
import { DAEMON_INDEX } from "../daemon-index-graph.ts";
import { poll } from "../wait.ts";
import type { AutocannonInstance } from "./autocannon.ts";
import { spawnNode, type Child } from "./child.ts";
import { send, type Answer } from "./http.ts";
import { polling, STEP_TIMEOUT_MS, WARDEN_BIN } from "./settings.ts";

const DAEMON_MODULE = fileURLToPath(new URL("../fixtures/instant-daemon.ts", import.meta.url));
const BARE_SERVER = fileURLToPath(new URL("../fixtures/fixed-json-server.mjs", import.meta.url));
/** The longest the manager may take to listen with every daemon RUNNING. */
const MANAGER_READY_TIMEOUT_MS = 60_000;

export interface Manager {
  child: Child;
  url: string;
  token: string;
}

/** Everything benchmark (e) has running, for the measurements and for stopping it all. */
export interface Session {
  dir: string;
  config: string;
  manager: Manager;
  bare: { child: Child; url: string };
  cli?: Child;
  cannon?: AutocannonInstance;
}

/**
 * A manager's configuration with the daemon index: the index's daemons but HEALTH_SERVER, which
 * is built in, each the in-process daemon of `module` with the index's dependencies;
 * `stateDir: "state"` next to the file, the control API on a free loopback port. (f),
 * cli-footprint, writes it as JSON.
 */
export function indexConfig(module: string) {
  const daemons = Object.fromEntries(
    DAEMON_INDEX.filter((entry) => entry.type !== HEALTH_SERVER).map((entry) => [
      entry.type,
      {
        module,
        description: entry.description,
        ...(entry.dependencies.length > 0 ? { dependsOn: entry.dependencies } : {}),
      },
    ]),
  );
  return { stateDir: "state", server: { host: "127.0.0.1", port: 0 }, daemons };
}

/** The configuration of (e)'s manager, `indexConfig` as a TypeScript module. */
export function writeConfig(dir: string): string {
  const config = indexConfig(DAEMON_MODULE);
  const file = join(dir, "warden.config.ts");
  writeFileSync(
    file,
    `// The manager of benchmark (e), control-api (bench/control-api.ts).\n` +
      `export default ${JSON.stringify(config, null, 2)};\n`,
  );
  return file;
}

/** `warden up` in a child process, once its control API answers and every daemon is RUNNING. */
export async function startManager(dir: string, config: string): Promise<Manager> {
  const child = spawnNode(
    "the manager (warden up)",
    [WARDEN_BIN, "up", "--config", config, "--no-output", "--log-level", "warn"],
    dir,
  );
  const stateDir = join(dir, "state");
  try {
    const { url, token } = await poll(
      () => {
        child.checkAlive();
        const info = readManagerInfo(stateDir);
        const token = info && readToken(stateDir);
        return info && token ? { url: info.url, token } : undefined;
      },
      "the manager's manager.json and token",
      polling(MANAGER_READY_TIMEOUT_MS),
    );
    await poll(
      async () => {
        child.checkAlive();
        return (await send("GET", `${url}/readyz`)).status === 200 ? true : undefined;
      },
      "every daemon to be RUNNING (GET /readyz)",
      polling(MANAGER_READY_TIMEOUT_MS),
    );
    return { child, url, token };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** Fails unless `GET /v1/status` answered with every daemon of the index RUNNING. */
export function checkStatus(answer: Answer): void {
  if (answer.status !== 200) {
    throw new Error(`control-api: GET /v1/status answered ${answer.status}: ${answer.body}`);
  }
  const { daemons } = JSON.parse(answer.body) as { daemons: DaemonStatus[] };
  const running = daemons.filter((daemon) => daemon.state === "RUNNING").length;
  if (daemons.length !== DAEMON_INDEX.length || running !== daemons.length) {
    throw new Error(
      `control-api: expected ${DAEMON_INDEX.length} daemons RUNNING, the manager has ${running} of ${daemons.length}`,
    );
  }
}

/** The bare node:http server answering `body`, once it listens. */
export async function startBareServer(
  dir: string,
  body: string,
): Promise<{ child: Child; url: string }> {
  const file = join(dir, "status.json");
  writeFileSync(file, body);
  const child = spawnNode("the bare node:http server", [BARE_SERVER, file], dir);
  try {
    const port = await poll(
      () => {
        child.checkAlive();
        return /^listening (\d+)$/m.exec(child.tail())?.[1];
      },
      "the bare server to listen",
      polling(STEP_TIMEOUT_MS),
    );
    return { child, url: `http://127.0.0.1:${port}/v1/status` };
  } catch (error) {
    await child.stop();
    throw error;
  }
}
