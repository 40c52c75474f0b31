/**
 * The dependency graph (dependency-diagram.ts) as text: a Mermaid `flowchart` and a Graphviz
 * `digraph`, left to right in start order. Catalog daemons sit in a box per category; built-in
 * infrastructure daemons are shaded. Groups, nodes and edges keep the diagram's order, so the same
 * graph always gives the same text.
 */
import type { DependencyDiagram, DependencyNode } from "./dependency-diagram.ts";
import { dotString, isMermaidId, mermaidText } from "./diagram-text.ts";

/** The shade of built-in daemons, in both formats. */
const BUILT_IN_FILL = "#e3ecfa";

/** The diagram's nodes by group, in order of first appearance; ungrouped ones under undefined. */
function byGroup(nodes: readonly DependencyNode[]): Map<string | undefined, DependencyNode[]> {
  const groups = new Map<string | undefined, DependencyNode[]>();
  for (const node of nodes) {
    const list = groups.get(node.group) ?? [];
    list.push(node);
    groups.set(node.group, list);
  }
  return groups;
}

/**
 * The graph as a Mermaid flowchart.
 *
 * @example
 * depsMermaid(dependencyDiagram(undefined, "ephemeral")).split("\n")[0]; // "flowchart LR"
 */
export function depsMermaid(diagram: DependencyDiagram): string {
  const ids = new Map(
    diagram.nodes.map((node, i) => [node.name, isMermaidId(node.name) ? node.name : `d${i}`]),
  );
  const id = (name: string) => ids.get(name) ?? name;
  const nodeLine = (node: DependencyNode) =>
    id(node.name) === node.name ? node.name : `${id(node.name)}["${mermaidText(node.name)}"]`;
  const lines = ["flowchart LR"];
  let index = 0;
  for (const [group, nodes] of byGroup(diagram.nodes)) {
    if (group === undefined) {
      for (const node of nodes) lines.push(`    ${nodeLine(node)}`);
      continue;
    }
    index += 1;
    lines.push(`    subgraph group__${index}["${mermaidText(group)}"]`);
    for (const node of nodes) lines.push(`        ${nodeLine(node)}`);
    lines.push("    end");
  }
  for (const edge of diagram.edges) lines.push(`    ${id(edge.from)} --> ${id(edge.to)}`);
  const builtIns = diagram.nodes.filter((node) => node.builtIn).map((node) => id(node.name));
  if (builtIns.length > 0) {
    lines.push(`    classDef builtin fill:${BUILT_IN_FILL}`);
    lines.push(`    class ${builtIns.join(",")} builtin`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The graph as a Graphviz digraph, one cluster per category.
 *
 * @example
 * depsDot(dependencyDiagram(undefined, "ephemeral")).includes('"EVENT_ROUTER" -> "EPHEMERAL_SYNC";'); // true
 */
export function depsDot(diagram: DependencyDiagram): string {
  const lines = [
    `digraph ${dotString(diagram.title)} {`,
    "  rankdir=LR;",
    '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=11];',
    '  edge [color="#555555"];',
  ];
  const nodeLine = (node: DependencyNode) =>
    node.builtIn
      ? `${dotString(node.name)} [style="rounded,filled", fillcolor=${dotString(BUILT_IN_FILL)}];`
      : `${dotString(node.name)};`;
  let index = 0;
  for (const [group, nodes] of byGroup(diagram.nodes)) {
    if (group === undefined) {
      for (const node of nodes) lines.push(`  ${nodeLine(node)}`);
      continue;
    }
    index += 1;
    lines.push(`  subgraph "cluster_${index}" {`);
    lines.push(
      `    label=${dotString(group)}; style=rounded; color="#bbbbbb"; fontname="Helvetica";`,
    );
    for (const node of nodes) lines.push(`    ${nodeLine(node)}`);
    lines.push("  }");
  }
  for (const edge of diagram.edges) {
    lines.push(`  ${dotString(edge.from)} -> ${dotString(edge.to)};`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}
