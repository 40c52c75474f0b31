/**
 * A statechart graph (machine-graph.ts) as text: a Mermaid `stateDiagram-v2` for review in
 * Markdown, and a Graphviz `digraph` (from which the SVG is rendered). Both list every state
 * first, in definition order, then the initial arrow, every transition in the graph's order and
 * an arrow out of each final state, so the same machine always gives the same text.
 */
import { dotString, isMermaidId, mermaidText } from "./diagram-text.ts";
import type { ChartGraph } from "./machine-graph.ts";

/**
 * The chart as a Mermaid state diagram.
 *
 * @example
 * chartMermaid(machineGraph(daemonLifecycleMachine)).split("\n")[0]; // "stateDiagram-v2"
 */
export function chartMermaid(graph: ChartGraph): string {
  const ids = new Map(
    graph.states.map((state, i) => [state, isMermaidId(state) ? state : `s${i}`]),
  );
  const id = (state: string) => ids.get(state) ?? state;
  const lines = ["stateDiagram-v2"];
  for (const state of graph.states) {
    lines.push(
      id(state) === state ? `    ${state}` : `    state "${mermaidText(state)}" as ${id(state)}`,
    );
  }
  if (graph.initial !== undefined) lines.push(`    [*] --> ${id(graph.initial)}`);
  for (const edge of graph.edges) {
    lines.push(`    ${id(edge.from)} --> ${id(edge.to)} : ${mermaidText(edge.label)}`);
  }
  for (const state of graph.finals) lines.push(`    ${id(state)} --> [*]`);
  return `${lines.join("\n")}\n`;
}

/**
 * The chart as a Graphviz digraph: rounded boxes for the states, a dot for the initial arrow, a
 * double border for final states, each transition an edge labelled with its event and guard.
 *
 * @example
 * chartDot(machineGraph(supervisorMachine)).startsWith('digraph "supervisor" {'); // true
 */
export function chartDot(graph: ChartGraph): string {
  const lines = [
    `digraph ${dotString(graph.id)} {`,
    "  rankdir=LR;",
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=12];',
    '  edge [fontname="Helvetica", fontsize=9];',
  ];
  const finals = new Set(graph.finals);
  if (graph.initial !== undefined) {
    lines.push('  "__initial" [shape=point, width=0.15, label=""];');
  }
  for (const state of graph.states) {
    lines.push(`  ${dotString(state)}${finals.has(state) ? " [peripheries=2]" : ""};`);
  }
  if (graph.initial !== undefined) lines.push(`  "__initial" -> ${dotString(graph.initial)};`);
  for (const edge of graph.edges) {
    lines.push(
      `  ${dotString(edge.from)} -> ${dotString(edge.to)} [label=${dotString(edge.label)}];`,
    );
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
