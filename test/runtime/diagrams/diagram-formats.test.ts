/**
 * The diagrams as text (runtime/diagrams/): Mermaid with every state, transition, daemon and
 * dependency in it; DOT that Graphviz accepts — checked by rendering it with the same Graphviz
 * (WebAssembly) that makes the SVGs, which throws on any syntax error; SVG documents that stand
 * alone. And the dependency graph: what it holds, for the catalog and for a configuration.
 */
import { describe, expect, it } from "vitest";
import { DIAGRAM_FORMAT_CHOICES, DIAGRAM_KIND_CHOICES } from "../../../cli/commands/diagram.ts";
import { CATALOGS } from "../../../machines/catalog/catalog.ts";
import { profileMembers } from "../../../machines/catalog/profile-members.ts";
import { isWardenError } from "../../../machines/errors.ts";
import type { WardenConfig } from "../../../runtime/config/types.ts";
import { chartDot, chartMermaid } from "../../../runtime/diagrams/chart-formats.ts";
import { dependencyDiagram } from "../../../runtime/diagrams/dependency-diagram.ts";
import { depsDot, depsMermaid } from "../../../runtime/diagrams/deps-formats.ts";
import {
  DIAGRAM_FORMATS,
  DIAGRAM_KINDS,
  chartOf,
  diagramText,
} from "../../../runtime/diagrams/diagram.ts";
import { renderSvg } from "../../../runtime/diagrams/render-svg.ts";

const profiles = CATALOGS.ringrift.profiles.map((profile) => profile.name);

describe("the statecharts as Mermaid and DOT", () => {
  for (const kind of ["lifecycle", "supervisor"] as const) {
    const { graph } = chartOf(kind);

    it(`${kind}: a stateDiagram-v2 with every state and every transition`, () => {
      const lines = chartMermaid(graph).split("\n");
      expect(lines[0]).toBe("stateDiagram-v2");
      for (const state of graph.states) expect(lines).toContain(`    ${state}`);
      expect(lines).toContain(`    [*] --> ${graph.initial}`);
      for (const edge of graph.edges) {
        expect(lines).toContain(`    ${edge.from} --> ${edge.to} : ${edge.label}`);
      }
      for (const state of graph.finals) expect(lines).toContain(`    ${state} --> [*]`);
      expect(lines.filter((line) => / --> /.test(line))).toHaveLength(
        graph.edges.length + 1 + graph.finals.length,
      );
    });

    it(`${kind}: a digraph Graphviz accepts, with every transition`, async () => {
      const dot = chartDot(graph);
      expect(dot).toMatch(new RegExp(`^digraph "${kind}" \\{\\n`));
      for (const edge of graph.edges) {
        expect(dot).toContain(`"${edge.from}" -> "${edge.to}" [label="${edge.label}"];`);
      }
      const svg = await renderSvg(dot);
      for (const state of graph.states) expect(svg).toContain(`>${state}</text>`);
    });
  }
});

describe("the dependency graph", () => {
  it("of a catalog profile: its members and their dependencies, an edge per dependency", () => {
    for (const profile of profiles) {
      const diagram = dependencyDiagram(undefined, profile);
      const members = profileMembers(profile, CATALOGS.ringrift);
      expect(new Set(diagram.nodes.map((node) => node.name))).toEqual(new Set(members));
      const edges = members.flatMap((name) =>
        CATALOGS.ringrift.entries
          .find((entry) => entry.name === name)!
          .dependsOn.map((dep) => `${dep} -> ${name}`),
      );
      expect(diagram.edges.map((e) => `${e.from} -> ${e.to}`).sort()).toEqual(edges.sort());
    }
  });

  it("without a configuration or profile: the whole catalog, grouped by category", () => {
    const diagram = dependencyDiagram(undefined);
    expect(diagram.title).toBe("ringrift");
    expect(diagram.nodes).toHaveLength(63);
    expect(diagram.nodes[0]).toEqual({
      name: "EVENT_ROUTER",
      group: "Core Infrastructure",
      builtIn: true,
    });
  });

  it("of a configuration: what it selects and what that needs, its own daemons ungrouped", () => {
    const config: WardenConfig = {
      catalog: "ringrift",
      daemons: {
        "my-worker": { command: "sleep", dependsOn: ["AUTO_SYNC"] },
        AUTO_SYNC: { module: "./s.ts" },
      },
      profiles: { small: ["my-worker"] },
    } as WardenConfig;
    const diagram = dependencyDiagram(config, "small");
    expect(diagram.title).toBe("configuration small");
    expect(diagram.nodes.map((node) => [node.name, node.group])).toEqual([
      ["my-worker", undefined],
      ["AUTO_SYNC", "Data Synchronization"],
      ["EVENT_ROUTER", "Core Infrastructure"],
    ]);
    expect(diagram.edges).toEqual([
      { from: "AUTO_SYNC", to: "my-worker" },
      { from: "EVENT_ROUTER", to: "AUTO_SYNC" },
    ]);
    expect(dependencyDiagram(config).nodes).toHaveLength(3);
  });

  it("refuses an unknown profile, naming the known ones", () => {
    let error: unknown;
    try {
      dependencyDiagram(undefined, "coordinatr");
    } catch (caught) {
      error = caught;
    }
    expect(isWardenError(error, "WARDEN_ERR_UNKNOWN_PROFILE")).toBe(true);
    expect((error as Error).message).toContain('did you mean "coordinator"');
  });

  it("as a flowchart and a digraph with every daemon and dependency, for every profile", async () => {
    for (const profile of profiles) {
      const diagram = dependencyDiagram(undefined, profile);
      const mermaid = depsMermaid(diagram).split("\n");
      expect(mermaid[0]).toBe("flowchart LR");
      for (const node of diagram.nodes) expect(mermaid).toContain(`        ${node.name}`);
      for (const edge of diagram.edges)
        expect(mermaid).toContain(`    ${edge.from} --> ${edge.to}`);
      const dot = depsDot(diagram);
      for (const edge of diagram.edges) expect(dot).toContain(`  "${edge.from}" -> "${edge.to}";`);
      await renderSvg(dot); // throws if Graphviz does not accept it
    }
  });

  it("keeps names of any shape well-formed in both formats", async () => {
    const odd = ['say "hi"', "end", "a-b.c", "back\\slash", "semi;colon#"];
    const config = {
      daemons: Object.fromEntries(
        odd.map((name, i) => [name, { command: "x", dependsOn: i === 0 ? [] : [odd[i - 1]!] }]),
      ),
    } as WardenConfig;
    const diagram = dependencyDiagram(config);
    const mermaid = depsMermaid(diagram);
    expect(mermaid).toContain('d0["say #quot;hi#quot;"]');
    expect(mermaid).toContain('d1["end"]');
    expect(mermaid).toContain('d4["semi#59;colon#35;"]');
    expect(mermaid).toContain("d0 --> d1");
    const svg = await renderSvg(depsDot(diagram));
    expect(svg).toContain("say &quot;hi&quot;");
    expect(svg).toContain("back\\slash");
  });
});

describe("SVG", () => {
  it("is a standalone SVG document", async () => {
    const svg = await diagramText(chartOf("lifecycle"), "svg");
    expect(svg).toMatch(/^<\?xml version="1\.0" encoding="UTF-8" standalone="no"\?>/);
    expect(svg).toMatch(/<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg.trimEnd()).toMatch(/<\/svg>$/);
  });

  it("rendering refuses DOT that Graphviz does not accept", async () => {
    await expect(renderSvg('digraph { "a" -> }')).rejects.toThrow();
  });
});

describe("the command's choices", () => {
  it("are the kinds and formats the diagrams have (the CLI keeps its own copy)", () => {
    expect(DIAGRAM_KIND_CHOICES).toEqual(DIAGRAM_KINDS);
    expect(DIAGRAM_FORMAT_CHOICES).toEqual(DIAGRAM_FORMATS);
  });
});
