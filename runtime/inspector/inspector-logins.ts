/**
 * The inspector's logins (SPEC §10, docs/inspector.md): one-time login tokens, minted for a
 * holder of the bearer token (`warden inspect`), each exchanged at most once, shortly after it
 * was made, for a browser session. Both are random, bounded in number and expire; they live in
 * the control server's memory only, so a new manager (or a restarted HEALTH_SERVER) forgets them.
 */
import { randomBytes } from "node:crypto";
import { tokenMatches } from "../control/token-check.ts";

export interface InspectorLoginLimits {
  /** How long a login token may wait to be used; default 60 s. */
  tokenTtlMs: number;
  /** Unused login tokens kept at once; minting more forgets the oldest. Default 32. */
  maxTokens: number;
  /** How long a session lasts from its login; default 12 hours. */
  sessionTtlMs: number;
  /** Sessions kept at once; a new login ends the oldest. Default 64. */
  maxSessions: number;
}

export const DEFAULT_LOGIN_LIMITS: InspectorLoginLimits = {
  tokenTtlMs: 60_000,
  maxTokens: 32,
  sessionTtlMs: 12 * 3600_000,
  maxSessions: 64,
};

/** Random bytes in a login token and in a session id (256 bits, as the bearer token). */
const SECRET_BYTES = 32;

/** A login token just minted. */
export interface LoginToken {
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** A session a login token was exchanged for. */
export interface InspectorSession {
  id: string;
  expiresAt: number;
}

/**
 * One-time login tokens and the sessions they become.
 *
 * @example
 * const logins = new InspectorLogins();
 * const { token } = logins.mint();
 * const session = logins.exchange(token); // a session, once
 * logins.exchange(token); // undefined: used
 * logins.isSession(session!.id); // true until it expires
 */
export class InspectorLogins {
  /** Unused tokens by value, oldest first (a Map keeps insertion order). */
  private readonly tokens = new Map<string, number>();
  private readonly sessions = new Map<string, number>();
  private readonly limits: InspectorLoginLimits;

  constructor(
    limits: Partial<InspectorLoginLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_LOGIN_LIMITS, ...limits };
  }

  /** A new login token; past {@link InspectorLoginLimits.maxTokens}, the oldest unused is dropped. */
  mint(): LoginToken {
    this.prune();
    const token = secret();
    const expiresAt = this.now() + this.limits.tokenTtlMs;
    this.tokens.set(token, expiresAt);
    dropOldest(this.tokens, this.limits.maxTokens);
    return { token, expiresAt };
  }

  /**
   * The session `token` becomes, or undefined when it is unknown, used or expired. Either way
   * the token is gone afterwards: it logs in at most once.
   */
  exchange(token: string | undefined): InspectorSession | undefined {
    this.prune();
    if (token === undefined) return undefined;
    const match = [...this.tokens.keys()].find((known) => tokenMatches(known, token));
    if (match === undefined) return undefined;
    this.tokens.delete(match);
    const session = { id: secret(), expiresAt: this.now() + this.limits.sessionTtlMs };
    this.sessions.set(session.id, session.expiresAt);
    dropOldest(this.sessions, this.limits.maxSessions);
    return session;
  }

  /** True when `id` names a session that has not expired. */
  isSession(id: string | undefined): boolean {
    this.prune();
    if (id === undefined) return false;
    // Hashed and compared in constant time, as the bearer token: no timing tells a prefix.
    return [...this.sessions.keys()].some((known) => tokenMatches(known, id));
  }

  /** How many unused tokens and live sessions are kept (for tests and bounds). */
  get counts(): { tokens: number; sessions: number } {
    this.prune();
    return { tokens: this.tokens.size, sessions: this.sessions.size };
  }

  private prune(): void {
    const now = this.now();
    for (const entries of [this.tokens, this.sessions]) {
      for (const [key, expiresAt] of entries) if (expiresAt <= now) entries.delete(key);
    }
  }
}

function secret(): string {
  return randomBytes(SECRET_BYTES).toString("base64url");
}

function dropOldest(entries: Map<string, number>, max: number): void {
  for (const key of entries.keys()) {
    if (entries.size <= max) return;
    entries.delete(key);
  }
}
