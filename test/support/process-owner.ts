/**
 * A stand-in for a manager that will be killed with SIGKILL: runs one process daemon through a
 * ProcessDriver, prints `leader:<pid>` and `ready` once it is ready, then waits for ever.
 *
 *   node --import tsx test/support/process-owner.ts <stateDir> <name> <command> [args…]
 *
 * The daemon says it is ready with a stdout line `ready`.
 */
import { systemClock } from "../../actors/clock.ts";
import { ProcessDriver } from "../../actors/process-daemon.ts";
import { EventBus } from "../../runtime/bus/event-bus.ts";

const [stateDir, name, command, ...args] = process.argv.slice(2);
if (stateDir === undefined || name === undefined || command === undefined) {
  throw new Error("usage: process-owner.ts <stateDir> <name> <command> [args…]");
}
const say = (level: string) => (message: string, fields?: Record<string, unknown>) =>
  console.error(level, message, JSON.stringify(fields ?? {}));
const driver = new ProcessDriver({
  name,
  spec: { command, args, ready: { stdout: "^ready$" } },
  stateDir,
  bus: new EventBus({ clock: systemClock }).client(name),
  logger: { debug: say("debug"), info: say("info"), warn: say("warn"), error: say("error") },
  clock: systemClock,
  heartbeatTimeoutMs: undefined,
});
await driver.start(new AbortController().signal);
console.log(`leader:${driver.details().pid}`);
console.log("ready");
setInterval(() => {}, 1 << 30);
