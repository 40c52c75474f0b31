/**
 * `GET /v1/resources` (docs/control-api.md, SPEC §6a): the machine's countable resources, who
 * holds which units and who waits, in the order they asked. What `warden resources` prints.
 */
import type { FastifyInstance } from "fastify";
import type { ResourceUsage } from "../../machines/resource-book.ts";
import type { DaemonManager } from "../manager/daemon-manager.ts";
import { whereOf } from "./control-api-error.ts";
import { knownQuery } from "./control-query.ts";

/** One resource in the answer: its usage, each waiter with what it waits for. */
export interface ResourceReport extends Omit<ResourceUsage, "waiting"> {
  waiting: { daemon: string; waitingFor: string }[];
}

/**
 * The answer of `GET /v1/resources`.
 *
 * @example
 * resourcesDocument(manager);
 * // { resources: [{ name: "gpu", capacity: 1, free: 0, held: [{ holder: "A", units: [0] }],
 * //                 waiting: [{ daemon: "B", waitingFor: "gpu: 1 of 1 held by A" }] }] }
 */
export function resourcesDocument(manager: DaemonManager): { resources: ResourceReport[] } {
  const { resources } = manager;
  return {
    resources: resources.usage().map((usage) => ({
      ...usage,
      waiting: usage.waiting.map((daemon) => ({
        daemon,
        waitingFor: resources.waitingFor(daemon) ?? "",
      })),
    })),
  };
}

/**
 * Registers `GET /resources` on `app` (inside the authenticated `/v1` scope).
 *
 * @example
 * await app.register(async (v1) => registerResourceRoutes(v1, manager), { prefix: "/v1" });
 */
export function registerResourceRoutes(app: FastifyInstance, manager: DaemonManager): void {
  app.get("/resources", async (request) => {
    knownQuery(request.query, [], whereOf(request));
    return resourcesDocument(manager);
  });
}
