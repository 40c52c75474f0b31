/**
 * The answering side of remote control (SPEC §11): listens on `warden.control.<node>` while
 * connected and runs each authorised request's action on the local manager, answering with the
 * daemon's state once it got there (or why not). A request that is not authorised, not for this
 * node, or malformed changes nothing and is answered with why.
 */
import type {
  Msg,
  NatsConnection,
  Subscription as NatsSubscription,
} from "@nats-io/transport-node";
import type { Subscription } from "rxjs";
import { isWardenError, messageOf } from "../../machines/errors.ts";
import { MAX_DELAY_MS } from "../../machines/max-delay.ts";
import { ActionTimeout, performAction } from "../control/daemon-action.ts";
import type { Logger } from "../logger.ts";
import type { DaemonManager } from "../manager/daemon-manager.ts";
import type { ControlAuthority, SignedRequest } from "./control-auth.ts";
import {
  controlSubject,
  encodeMessage,
  parseRequest,
  type RemoteAnswer,
  type RemoteErrorCode,
} from "./control-wire.ts";
import type { NatsLink } from "./nats-link.ts";
import { remoteDaemons } from "./node-record.ts";

/** Requests acted on at once; more are refused until one finishes (a flood changes nothing). */
const MAX_IN_FLIGHT = 64;

export interface ControlResponderOptions {
  node: string;
  link: NatsLink;
  manager: DaemonManager;
  authority: ControlAuthority;
  logger: Logger;
  /** Why this node will not do what is asked even when authorised (e.g. a singleton held elsewhere). */
  refuse?: (action: SignedRequest["action"], daemon: string) => string | undefined;
}

/** The daemon that serves the control API: stopping it remotely would cut the node off. */
const CONTROL_API_DAEMON = "HEALTH_SERVER";

export class ControlResponder {
  private linkSubscription: Subscription | undefined;
  private natsSubscription: NatsSubscription | undefined;
  private inFlight = 0;

  constructor(private readonly options: ControlResponderOptions) {}

  /** Listens on every connection the link makes. */
  start(): void {
    this.linkSubscription = this.options.link.connection$.subscribe((nc) => this.listen(nc));
  }

  stop(): void {
    this.linkSubscription?.unsubscribe();
    this.natsSubscription?.unsubscribe();
    this.natsSubscription = undefined;
  }

  private listen(nc: NatsConnection | undefined): void {
    // The client keeps a subscription across reconnections: subscribe once per connection.
    if (nc === undefined || this.natsSubscription !== undefined) return;
    this.natsSubscription = nc.subscribe(controlSubject(this.options.node), {
      callback: (error, msg) => {
        if (error === null) void this.answer(msg);
      },
    });
  }

  private async answer(msg: Msg): Promise<void> {
    const reply = (answer: RemoteAnswer) => {
      if (msg.reply === undefined || msg.reply === "") return;
      try {
        msg.respond(encodeMessage(answer));
      } catch (error) {
        this.options.logger.warn(`cluster: cannot answer a control request: ${messageOf(error)}`);
      }
    };
    if (this.inFlight >= MAX_IN_FLIGHT) {
      reply(this.refused("internal", `${MAX_IN_FLIGHT} remote requests in progress; try again`));
      return;
    }
    this.inFlight++;
    try {
      reply(await this.outcome(msg.data));
    } finally {
      this.inFlight--;
    }
  }

  private async outcome(data: Uint8Array): Promise<RemoteAnswer> {
    const { node, authority, logger } = this.options;
    const parsed = parseRequest(data);
    if ("refused" in parsed) return this.refused("bad_request", parsed.refused);
    const request = parsed.request;
    if (request.to !== node) {
      return this.refused("bad_request", `the request is for node "${request.to}", not "${node}"`);
    }
    const refusal = authority.refusal(request);
    if (refusal !== undefined) {
      logger.warn(
        `cluster: refused ${request.action} ${request.daemon} from "${request.from}": ${refusal}`,
      );
      return this.refused("unauthorized", `node "${node}" refused: ${refusal}`);
    }
    const refused =
      request.daemon === CONTROL_API_DAEMON && request.action !== "start"
        ? `${CONTROL_API_DAEMON} serves this node's control API: it is not stopped from afar`
        : this.options.refuse?.(request.action, request.daemon);
    if (refused !== undefined) return this.refused("bad_request", `node "${node}": ${refused}`);
    logger.info(`cluster: ${request.action} ${request.daemon}, asked by node "${request.from}"`);
    return this.act(request);
  }

  private async act(request: SignedRequest): Promise<RemoteAnswer> {
    const { node, manager } = this.options;
    const timeoutMs = Math.min(request.timeoutMs, MAX_DELAY_MS);
    try {
      await performAction(manager, request.action, request.daemon, timeoutMs);
    } catch (error) {
      if (error instanceof ActionTimeout) {
        return this.refused(
          "timeout",
          `daemon "${request.daemon}" on node "${node}" is ${manager.stateOf(request.daemon)} after ${timeoutMs} ms (it keeps going)`,
        );
      }
      return this.refused(codeOf(error), `node "${node}": ${messageOf(error)}`);
    }
    const [daemon] = remoteDaemons([manager.statusOf(request.daemon)]);
    return daemon === undefined
      ? this.refused("internal", `no status of "${request.daemon}"`)
      : { node, ok: true, daemon };
  }

  private refused(code: RemoteErrorCode, message: string): RemoteAnswer {
    return { node: this.options.node, ok: false, error: { code, message } };
  }
}

function codeOf(error: unknown): RemoteErrorCode {
  if (!isWardenError(error)) return "internal";
  if (error.code === "WARDEN_ERR_UNKNOWN_DAEMON") return "unknown_daemon";
  if (error.code === "WARDEN_ERR_DAEMON_FAILED") return "daemon_failed";
  if (error.code === "WARDEN_ERR_DAEMON_STOPPED") return "daemon_stopped";
  return "internal";
}
