/**
 * The Graphviz sources of the inspector's two drawings: the dependency graph of the manager's
 * daemons and the lifecycle chart. Nodes carry ids the page finds them by (`daemon-<index>`,
 * `state-<STATE>`); colours come from the page's style sheet, by state.
 */
import type { ChartEdge } from "./lifecycle-transitions.ts";

const FONT = "Helvetica,Arial,sans-serif";

/** A daemon as the dependency graph needs it. */
export interface GraphDaemon {
  name: string;
  dependsOn: readonly string[];
}

/**
 * A left-to-right graph: each daemon a node (`id="daemon-<index>"` in the order given), an
 * arrow from each dependency to its dependents (the order they start in).
 *
 * @example
 * dependencyDot([{ name: "db", dependsOn: [] }, { name: "api", dependsOn: ["db"] }]);
 * // digraph deps { … "daemon-0" [id="daemon-0", label="db"]; … "daemon-0" -> "daemon-1"; }
 */
export function dependencyDot(daemons: readonly GraphDaemon[]): string {
  const index = new Map(daemons.map((daemon, at) => [daemon.name, at]));
  const lines = [
    "digraph deps {",
    `  graph [rankdir=LR, nodesep=0.25, ranksep=0.6, bgcolor="transparent", fontname=${quoted(FONT)}];`,
    `  node [shape=box, style="rounded,filled", fillcolor="white", fontname=${quoted(FONT)}, fontsize=12, height=0.35, margin="0.2,0.06"];`,
    `  edge [color="#8a94a6", arrowsize=0.6];`,
  ];
  daemons.forEach((daemon, at) => {
    const id = `daemon-${at}`;
    lines.push(`  ${quoted(id)} [id=${quoted(id)}, class="daemon", label=${quoted(daemon.name)}];`);
  });
  daemons.forEach((daemon, at) => {
    for (const dependency of daemon.dependsOn) {
      const from = index.get(dependency);
      if (from !== undefined) lines.push(`  "daemon-${from}" -> "daemon-${at}";`);
    }
  });
  lines.push("}");
  return lines.join("\n");
}

/**
 * The lifecycle chart, top to bottom: each state a node (`id="state-<STATE>"`), each edge
 * labelled with the events that take it.
 *
 * @example
 * lifecycleDot(["PENDING", "STARTING"], [{ from: "PENDING", to: "STARTING", labels: ["always"] }]);
 */
export function lifecycleDot(states: readonly string[], edges: readonly ChartEdge[]): string {
  const lines = [
    "digraph lifecycle {",
    `  graph [rankdir=TB, nodesep=0.5, ranksep=0.45, bgcolor="transparent", fontname=${quoted(FONT)}];`,
    `  node [shape=box, style="rounded,filled", fillcolor="white", fontname=${quoted(FONT)}, fontsize=12];`,
    `  edge [color="#8a94a6", fontcolor="#5b6475", fontname=${quoted(FONT)}, fontsize=8, arrowsize=0.6];`,
  ];
  for (const state of states) {
    lines.push(`  ${quoted(state)} [id=${quoted(`state-${state}`)}, class="state"];`);
  }
  for (const edge of edges) {
    lines.push(
      `  ${quoted(edge.from)} -> ${quoted(edge.to)} [label=${quoted(edge.labels.join("\n"))}];`,
    );
  }
  lines.push("}");
  return lines.join("\n");
}

/**
 * A DOT quoted string: backslashes and quotes escaped (so no `\N`-style escape of Graphviz
 * applies to a daemon's name), line breaks as Graphviz's own, other control characters dropped.
 *
 * @example
 * quoted('a"b\\c'); // "\"a\\\"b\\\\c\""
 */
export function quoted(text: string): string {
  const escaped = text
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\r?\n/g, "\\n")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, " ");
  return `"${escaped}"`;
}
