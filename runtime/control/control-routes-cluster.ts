/**
 * The cluster routes of the control API (SPEC §11, docs/cluster.md), inside the authenticated
 * `/v1` scope: `GET /v1/cluster` (every node, stale ones marked: what `warden status --cluster`
 * prints), `POST /v1/cluster/nodes/:node/daemons/:name/start|stop|restart` (one node, through
 * NATS) and `POST /v1/cluster/daemons/:name/start|stop|restart` (every node that has the
 * daemon). The local token authorises the caller here; the cluster secret authorises this
 * manager on the other nodes. A manager without `cluster` answers 404 `not_found` saying so.
 * A local start or restart of a singleton this node does not hold the lease of is refused with
 * 409 `conflict` before anything spawns.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { DEFAULTS } from "../../machines/defaults.ts";
import { MAX_DELAY_MS } from "../../machines/max-delay.ts";
import type { Cluster } from "../cluster/cluster.ts";
import { NODE_NAME_PATTERN } from "../cluster/cluster-defaults.ts";
import { ApiError, whereOf } from "./control-api-error.ts";
import { integerParam, knownQuery } from "./control-query.ts";
import { DAEMON_ACTIONS } from "./daemon-action.ts";

type ActionRequest = FastifyRequest<{ Params: { node?: string; name: string } }>;

/**
 * The routes for `cluster`, or, without one, routes that say cluster mode is off.
 *
 * @example
 * attachControlPlane(manager, loaded, targets, logger, problems, [clusterRoutes(cluster)]);
 */
export function clusterRoutes(cluster: Cluster | undefined): (v1: FastifyInstance) => void {
  return (v1) => {
    const get = (request: FastifyRequest): Cluster => {
      if (cluster !== undefined) return cluster;
      throw new ApiError(
        404,
        "not_found",
        `${whereOf(request)}: this manager is not in a cluster (no "cluster" in its configuration)`,
      );
    };
    // A singleton whose lease this node does not hold is refused before anything spawns.
    if (cluster !== undefined) {
      v1.addHook("preHandler", async (request) => {
        const route = request.routeOptions.url;
        if (route !== "/v1/daemons/:name/start" && route !== "/v1/daemons/:name/restart") return;
        const { name } = request.params as { name: string };
        const refusal = cluster.startRefusal(name);
        if (refusal === undefined) return;
        throw new ApiError(
          409,
          "conflict",
          `${whereOf(request)}: ${refusal}; a singleton runs on one node at a time (docs/cluster.md)`,
        );
      });
    }
    v1.get("/cluster", async (request) => {
      knownQuery(request.query, [], whereOf(request));
      return get(request).document();
    });
    for (const action of DAEMON_ACTIONS) {
      const act = async (request: ActionRequest) => {
        const here = whereOf(request);
        const query = knownQuery(request.query, ["timeoutMs"], here);
        const timeoutMs = integerParam(query, "timeoutMs", here, {
          min: 0,
          max: MAX_DELAY_MS,
          fallback: DEFAULTS.control.actionTimeoutMs,
        });
        const { node, name } = request.params;
        if (node !== undefined && !NODE_NAME_PATTERN.test(node)) {
          throw new ApiError(400, "bad_request", `${here}: "${node}" is not a node name`);
        }
        const results = await get(request).act({
          action,
          daemon: name,
          timeoutMs,
          ...(node !== undefined ? { node } : {}),
        });
        return { results };
      };
      v1.post(`/cluster/nodes/:node/daemons/:name/${action}`, act);
      v1.post(`/cluster/daemons/:name/${action}`, act);
    }
  };
}
