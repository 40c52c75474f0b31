/**
 * The inspector's style sheet (`/inspector/app.css`). States have one colour each, in the graph,
 * the lists and the lifecycle chart; only the system's own fonts are used.
 */
export const INSPECTOR_CSS = `
:root {
  --bg: #f6f7f9; --fg: #1d2330; --muted: #5b6475; --line: #d8dce3; --card: #fff;
  --pending: #e7e9ee; --pending-line: #8a94a6;
  --starting: #dbeafe; --starting-line: #2f6fdb;
  --running: #d3f4dc; --running-line: #2f9e55;
  --stopping: #fde9c8; --stopping-line: #c27b0c;
  --stopped: #eceff3; --stopped-line: #5b6475;
  --failed: #fbd5d5; --failed-line: #c62828;
  --restarting: #fff3bf; --restarting-line: #b88a00;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  background: var(--bg); color: var(--fg); }
header { display: flex; gap: 1em; align-items: baseline; padding: .6em 1em; background: var(--card);
  border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.1em; margin: 0; }
#manager { color: var(--muted); flex: 1; }
#connection[data-connected="true"] { color: var(--running-line); }
#connection[data-connected="false"] { color: var(--failed-line); }
#banner { margin: 0; padding: .6em 1em; background: var(--failed); color: var(--failed-line); }
main { display: flex; gap: 1em; padding: 1em; align-items: flex-start; }
section, aside { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .8em 1em; }
#graph-section { flex: 1; min-width: 0; }
#panel { width: 520px; max-width: 50vw; }
#timeline-section, #dlq-section { margin: 0 1em 1em; }
h2 { font-size: 1em; margin: 0 0 .6em; }
h3 { font-size: .9em; margin: 1em 0 .4em; color: var(--muted); }
#graph { overflow: auto; max-height: 70vh; }
#graph svg { max-width: 100%; height: auto; }
#chart { overflow: auto; max-height: 480px; }
/* The chart's labels must stay legible: it scrolls rather than shrinks past this width. */
#chart svg { width: 100%; min-width: 720px; height: auto; }
#graph g.node { cursor: pointer; outline: none; }
#graph g.node:focus-visible > path, #graph g.node:focus-visible > polygon { stroke-width: 3; stroke-dasharray: 4 2; }
#graph g.node.selected > path, #graph g.node.selected > polygon { stroke-width: 3; }
#legend, #daemon-list { display: flex; flex-wrap: wrap; gap: .4em; padding: 0; margin: .4em 0; list-style: none; }
#daemon-list li { cursor: pointer; }
.state-badge, #legend span, #daemon-list li { display: inline-block; padding: .05em .5em; border-radius: 999px;
  border: 1px solid var(--pending-line); background: var(--pending); font-size: .85em; }
.panel-head { display: flex; gap: .6em; align-items: center; }
.panel-head h2 { margin: 0; flex: 1; overflow-wrap: anywhere; }
#panel-close { border: none; background: none; font-size: 1.3em; cursor: pointer; }
.buttons { display: flex; gap: .5em; margin: .6em 0; }
button { font: inherit; padding: .25em .8em; border: 1px solid var(--line); border-radius: 4px;
  background: var(--card); cursor: pointer; }
button:disabled { opacity: .5; cursor: default; }
#panel-message { min-height: 1.4em; margin: 0; color: var(--muted); }
#panel-message.error { color: var(--failed-line); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2em .8em; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
td, th { text-align: left; padding: .15em .5em .15em 0; border-bottom: 1px solid var(--line); vertical-align: top;
  overflow-wrap: anywhere; }
#panel-log { max-height: 320px; overflow: auto; background: #10141c; color: #e7e9ee; padding: .6em;
  font-size: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
ol { padding-left: 1.4em; margin: 0; }
#timeline { list-style: none; padding: 0; max-height: 50vh; overflow: auto; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
#timeline li { padding: .1em 0; border-bottom: 1px solid var(--line); }
.time { color: var(--muted); margin-right: .6em; }
.type { font-weight: 600; margin-right: .6em; }
.filters { display: flex; gap: 1em; margin-bottom: .5em; }
[data-state="PENDING"] { --c: var(--pending); --l: var(--pending-line); }
[data-state="STARTING"] { --c: var(--starting); --l: var(--starting-line); }
[data-state="RUNNING"] { --c: var(--running); --l: var(--running-line); }
[data-state="STOPPING"] { --c: var(--stopping); --l: var(--stopping-line); }
[data-state="STOPPED"] { --c: var(--stopped); --l: var(--stopped-line); }
[data-state="FAILED"] { --c: var(--failed); --l: var(--failed-line); }
[data-state="RESTARTING"] { --c: var(--restarting); --l: var(--restarting-line); }
.state-badge[data-state], #legend span[data-state], #daemon-list li[data-state] { background: var(--c); border-color: var(--l); }
#graph g.node[data-state] > path, #graph g.node[data-state] > polygon { fill: var(--c); stroke: var(--l); }
#chart g.node > path, #chart g.node > polygon { fill: #fff; stroke: var(--pending-line); }
#chart g.node.current > path, #chart g.node.current > polygon { fill: var(--c); stroke: var(--l); stroke-width: 3; }
#chart g.node.current text { font-weight: 700; }
.hidden { display: none; }
`;
