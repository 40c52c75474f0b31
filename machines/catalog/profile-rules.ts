/**
 * Profile by node role (SPEC §6, ADR-002's second negative consequence): `profileRules` is an
 * ordered list of `{ profile, when }`, and `warden up --profile auto` takes the first rule whose
 * every condition holds for this machine. Pure: the machine's facts are passed in.
 */

/** What `warden up --profile auto` knows of the machine it runs on. */
export interface NodeFacts {
  hostname: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Whether the machine has a GPU (an NVIDIA device: runtime/catalog/node-facts.ts). */
  gpu: boolean;
  /** Processors available to this process. */
  cpus: number;
}

/** When a rule applies: every condition given must hold (none given: always). */
export interface ProfileRuleConditions {
  /** A glob over the hostname: `*` any run of characters, `?` one character. */
  hostname?: string;
  /** Environment variables and a glob each; a variable that is not set matches no glob. */
  env?: Readonly<Record<string, string>>;
  gpu?: boolean;
  minCpus?: number;
}

export interface ProfileRule {
  profile: string;
  when: ProfileRuleConditions;
}

/** The rule that matched (its index in the list) and why, one reason per condition. */
export interface ProfileRuleMatch {
  index: number;
  rule: ProfileRule;
  reasons: string[];
}

/**
 * The first rule whose conditions all hold for `facts`, with the reasons; undefined when none
 * does.
 *
 * @example
 * matchProfileRule(
 *   [{ profile: "training_node", when: { gpu: true } }, { profile: "selfplay", when: {} }],
 *   { hostname: "gpu-3", env: {}, gpu: false, cpus: 8 },
 * ); // { index: 1, rule: { profile: "selfplay", when: {} }, reasons: ["no conditions"] }
 */
export function matchProfileRule(
  rules: readonly ProfileRule[],
  facts: NodeFacts,
): ProfileRuleMatch | undefined {
  for (const [index, rule] of rules.entries()) {
    const reasons = reasonsFor(rule.when, facts);
    if (reasons !== undefined) return { index, rule, reasons };
  }
  return undefined;
}

/**
 * The facts as one line, for the message when no rule matches.
 *
 * @example
 * describeFacts({ hostname: "cpu-1", env: {}, gpu: false, cpus: 4 });
 * // 'hostname "cpu-1", no GPU, 4 CPUs'
 */
export function describeFacts(facts: NodeFacts, envNames: readonly string[] = []): string {
  const env = envNames.map((name) =>
    facts.env[name] === undefined ? `${name} unset` : `${name}=${JSON.stringify(facts.env[name])}`,
  );
  return [
    `hostname ${JSON.stringify(facts.hostname)}`,
    facts.gpu ? "a GPU" : "no GPU",
    `${facts.cpus} CPU${facts.cpus === 1 ? "" : "s"}`,
    ...env,
  ].join(", ");
}

/**
 * A glob as an anchored regular expression: `*` is any run of characters, `?` one character,
 * everything else itself.
 *
 * @example
 * globToRegExp("gpu-*").test("gpu-3"); // true
 */
export function globToRegExp(glob: string): RegExp {
  const source = [...glob]
    .map((char) =>
      char === "*" ? ".*" : char === "?" ? "." : char.replace(/[.+^${}()|[\]\\]/g, "\\$&"),
    )
    .join("");
  return new RegExp(`^${source}$`, "s");
}

/** One reason per condition when all hold; undefined as soon as one does not. */
function reasonsFor(when: ProfileRuleConditions, facts: NodeFacts): string[] | undefined {
  const reasons: string[] = [];
  if (when.hostname !== undefined) {
    if (!globToRegExp(when.hostname).test(facts.hostname)) return undefined;
    reasons.push(
      `hostname ${JSON.stringify(facts.hostname)} matches ${JSON.stringify(when.hostname)}`,
    );
  }
  for (const [name, glob] of Object.entries(when.env ?? {})) {
    const value = facts.env[name];
    if (value === undefined || !globToRegExp(glob).test(value)) return undefined;
    reasons.push(`${name}=${JSON.stringify(value)} matches ${JSON.stringify(glob)}`);
  }
  if (when.gpu !== undefined) {
    if (when.gpu !== facts.gpu) return undefined;
    reasons.push(facts.gpu ? "a GPU is present" : "no GPU is present");
  }
  if (when.minCpus !== undefined) {
    if (facts.cpus < when.minCpus) return undefined;
    reasons.push(`${facts.cpus} CPUs ≥ ${when.minCpus}`);
  }
  return reasons.length > 0 ? reasons : ["no conditions"];
}
