/**
 * The inspector's drawings: the lifecycle chart read from the machine definition (every
 * transition of SPEC §2 is there), the dependency graph, both rendered to SVG in-process with
 * the node ids the page finds them by, and the page's assets (offline, valid script).
 */
import { Script } from "node:vm";
import { describe, expect, it } from "vitest";
import { lifecycleChart } from "../../../runtime/inspector/lifecycle-transitions.ts";
import { dependencyDot, lifecycleDot, quoted } from "../../../runtime/inspector/inspector-dot.ts";
import { svgOf } from "../../../runtime/inspector/graphviz-svg.ts";
import { INSPECTOR_SCRIPT } from "../../../runtime/inspector/assets/inspector-script.ts";
import { INSPECTOR_CSS } from "../../../runtime/inspector/assets/inspector-style.ts";
import { INSPECTOR_HTML } from "../../../runtime/inspector/assets/inspector-page.ts";
import { LIFECYCLE_STATES } from "../../../machines/lifecycle-states.ts";

/** The from → to pairs of SPEC §2's table. */
const SPEC_TRANSITIONS = [
  ["PENDING", "STARTING"],
  ["PENDING", "STOPPED"],
  ["STARTING", "RUNNING"],
  ["STARTING", "RESTARTING"],
  ["STARTING", "FAILED"],
  ["STARTING", "STOPPING"],
  ["RUNNING", "STOPPING"],
  ["RUNNING", "RESTARTING"],
  ["RUNNING", "FAILED"],
  ["RUNNING", "STOPPED"],
  ["STOPPING", "STOPPED"],
  ["RESTARTING", "STARTING"],
  ["RESTARTING", "STOPPED"],
  ["FAILED", "PENDING"],
  ["STOPPED", "PENDING"],
];

describe("inspector drawings", () => {
  it("the lifecycle chart has the seven states and every transition of SPEC §2, labelled", () => {
    const { states, edges } = lifecycleChart();
    expect([...states].sort()).toEqual([...LIFECYCLE_STATES].sort());
    const pairs = edges.map((edge) => [edge.from, edge.to]);
    for (const pair of SPEC_TRANSITIONS) expect(pairs).toContainEqual(pair);
    const crash = edges.find((edge) => edge.from === "RUNNING" && edge.to === "RESTARTING")!;
    expect(crash.labels).toContain("CRASHED [restartAllowed]");
    const timeout = edges.find((edge) => edge.from === "STARTING" && edge.to === "FAILED")!;
    expect(timeout.labels).toContain("after startTimeout");
    expect(edges.every((edge) => edge.from !== edge.to)).toBe(true);
  });

  it("renders the chart and the graph to SVG with ids the page finds nodes by", async () => {
    const { states, edges } = lifecycleChart();
    // Graphviz writes "-" in ids as "&#45;", which the browser's parser reads back as "-".
    const chart = (await svgOf(lifecycleDot(states, edges))).replaceAll("&#45;", "-");
    expect(chart.startsWith("<svg")).toBe(true);
    for (const state of LIFECYCLE_STATES) expect(chart).toContain(`id="state-${state}"`);
    const graph = (
      await svgOf(
        dependencyDot([
          { name: "db", dependsOn: [] },
          { name: 'we"ird\\N <name>', dependsOn: ["db"] },
          { name: "api", dependsOn: ["db", "missing"] },
        ]),
      )
    ).replaceAll("&#45;", "-");
    expect(graph).toContain('id="daemon-0"');
    expect(graph).toContain('id="daemon-2"');
    // The name is drawn as it is, escaped for XML (no Graphviz \N expansion, no markup).
    expect(graph).toContain("we&quot;ird\\N &lt;name&gt;");
    expect(graph).not.toContain("<name>");
    expect(graph).not.toContain("<!--");
  });

  it("quotes DOT strings so that no character of a name escapes them", () => {
    expect(quoted('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoted("line\nbreak\u0007")).toBe('"line\\nbreak "');
  });

  it("the page's assets reference nothing outside the server, and the script parses", () => {
    for (const asset of [INSPECTOR_HTML, INSPECTOR_SCRIPT, INSPECTOR_CSS]) {
      expect(asset).not.toMatch(/https?:\/\//);
      expect(asset).not.toMatch(/(src|href)="\/\//);
      expect(asset).not.toMatch(/@import|url\(/);
    }
    expect(() => new Script(INSPECTOR_SCRIPT)).not.toThrow();
  });
});
