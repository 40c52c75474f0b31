/**
 * Quoting for the two text formats the diagrams are written in, shared by the statecharts and
 * the dependency graph: DOT (what Graphviz's `dot` reads) and Mermaid. Whatever a name holds —
 * a daemon of the user's configuration may be called anything — the output stays well-formed.
 */

/**
 * A DOT double-quoted string: quotes and backslashes escaped, line breaks as `\n`.
 *
 * @example
 * dotString('say "hi"'); // "\"say \\\"hi\\\"\""
 */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

/** Words Mermaid reads as syntax when they stand alone as a node or state id. */
const MERMAID_KEYWORDS = new Set([
  "end",
  "graph",
  "flowchart",
  "subgraph",
  "state",
  "note",
  "direction",
  "class",
  "classdef",
  "style",
  "linkstyle",
  "click",
  "call",
  "href",
  "default",
]);

/**
 * Whether `name` can be a Mermaid id as it is: letters, digits and `_`, starting with a letter,
 * and not a keyword.
 *
 * @example
 * isMermaidId("AUTO_SYNC"); // true
 * isMermaidId("my-daemon"); // false: written as an id with the name as its label
 */
export function isMermaidId(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_]*$/.test(name) && !MERMAID_KEYWORDS.has(name.toLowerCase());
}

const MERMAID_ENTITIES: Readonly<Record<string, string>> = {
  "#": "#35;",
  '"': "#quot;",
  ";": "#59;",
  ":": "#58;",
};

/**
 * Text for a Mermaid label or transition: no line breaks, and the characters Mermaid would read
 * as syntax written as its `#…;` entities.
 *
 * @example
 * mermaidText('a "quoted" name'); // "a #quot;quoted#quot; name"
 */
export function mermaidText(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/[#";:]/g, (char) => MERMAID_ENTITIES[char]!);
}
