/**
 * `warden resources [--json]` (SPEC §6a, §8): the running manager's countable resources, who
 * holds which units and who waits, from `GET /v1/resources`.
 */
import type { Command } from "commander";
import type { ResourceReport } from "../../runtime/control/control-routes-resources.ts";
import type { CliIO } from "../io.ts";
import { locateManager, type ConnectionOptions } from "../locate-manager.ts";
import { ManagerClient, addConnectionOptions } from "../manager-client.ts";
import { paint } from "../style.ts";
import { terminalSafe } from "../terminal-safe.ts";

export interface ResourcesOptions extends ConnectionOptions {
  /** Print the `GET /v1/resources` document as JSON. */
  json?: boolean;
}

/**
 * The lines of the human listing: per resource, its units held and free, then each holder with
 * its unit indexes and each waiter with what it waits for.
 *
 * @example
 * resourceLines([{ name: "gpu", capacity: 2, free: 1, held: [{ holder: "A", units: [0] }], waiting: [] }], false);
 * // ["gpu  1 of 2 held, 1 free", "  A  0"]
 */
export function resourceLines(resources: readonly ResourceReport[], color: boolean): string[] {
  if (resources.length === 0) return ["no resources (set `resources` in the configuration)"];
  const safe = (text: string) => terminalSafe(text);
  return resources.flatMap((resource) => {
    const held = resource.capacity - resource.free;
    const title = `${safe(resource.name)}  ${held} of ${resource.capacity} held, ${resource.free} free`;
    return [
      paint(color, "bold", title),
      ...resource.held.map((h) => `  ${safe(h.holder)}  ${h.units.join(",")}`),
      ...resource.waiting.map((w) =>
        paint(color, "yellow", `  ${safe(w.daemon)}  waiting: ${safe(w.waitingFor)}`),
      ),
    ];
  });
}

/**
 * `warden resources`: exits 3 when no manager runs.
 *
 * @example
 * await resources({ json: true }, io);
 */
export async function resources(options: ResourcesOptions, io: CliIO): Promise<void> {
  const client = new ManagerClient(await locateManager(options, io.cwd));
  const answer = await client.get<{ resources: ResourceReport[] }>("/v1/resources");
  if (options.json === true) io.out(JSON.stringify(answer, null, 2));
  else for (const line of resourceLines(answer.resources, io.color)) io.out(line);
}

/**
 * Adds `warden resources` to `program`.
 *
 * @example
 * registerResourcesCommand(program, io);
 */
export function registerResourcesCommand(program: Command, io: CliIO): void {
  addConnectionOptions(
    program
      .command("resources")
      .description("show the machine's resources: who holds which units, who waits")
      .option("--json", "print the manager's resources document as JSON"),
  ).action(async (options: ResourcesOptions) => resources(options, io));
}
