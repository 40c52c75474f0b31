/**
 * The inspector page's script (`/inspector/app.js`): plain browser JavaScript, no library, no
 * build step. This part loads the data, draws the dependency graph coloured by state, follows
 * the event stream (EventSource) for live changes, and keeps the timeline and dead letters; the
 * daemon panel is in inspector-panel-script.ts. Both run in one function scope.
 *
 * Written without template literals: the text sits in a TypeScript template itself.
 */
import { PANEL_SCRIPT } from "./inspector-panel-script.ts";

const CORE_SCRIPT = String.raw`
const API = "/inspector/api/";
const STATES = ["PENDING", "STARTING", "RUNNING", "STOPPING", "STOPPED", "FAILED", "RESTARTING"];
const STATE_OF_EVENT = {
  DAEMON_STARTING: "STARTING", DAEMON_STARTED: "RUNNING", DAEMON_STOPPING: "STOPPING",
  DAEMON_STOPPED: "STOPPED", DAEMON_FAILED: "FAILED", DAEMON_RESTARTING: "RESTARTING",
};
const MAX_EVENTS = 500;
const app = {
  daemons: new Map(), nodes: new Map(), selected: null, events: [], seen: new Set(),
  types: new Set(), chartSvg: null, loggedOut: false, source: null,
};
const byId = (id) => document.getElementById(id);

function element(tag, attributes, text) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

async function request(path, options) {
  const response = await fetch(API + path, Object.assign({ credentials: "same-origin",
    headers: { accept: "application/json" } }, options || {}));
  if (response.status === 401) loggedOut();
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body && body.error ? body.error.message : "HTTP " + response.status;
    throw new Error(message);
  }
  return body;
}

function loggedOut() {
  if (app.loggedOut) return;
  app.loggedOut = true;
  if (app.source) app.source.close();
  showBanner("The inspector session has ended or the manager restarted: run warden inspect for a new login.");
  setConnection(false, "logged out");
}

function showBanner(text) {
  const banner = byId("banner");
  banner.textContent = text;
  banner.hidden = text === "";
}

function setConnection(connected, text) {
  const node = byId("connection");
  node.dataset.connected = String(connected);
  node.textContent = text;
}

/** An SVG drawn by the server, as a node of this document; nothing active is kept. */
function svgNode(text) {
  const parsed = new DOMParser().parseFromString(text, "image/svg+xml");
  const svg = parsed.documentElement;
  if (svg.nodeName !== "svg") throw new Error("the drawing is not an SVG document");
  for (const bad of svg.querySelectorAll("script, foreignObject, a")) bad.remove();
  for (const node of svg.querySelectorAll("*")) {
    for (const attribute of [...node.attributes]) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on") || name.endsWith("href")) node.removeAttribute(attribute.name);
    }
    if (node.id && !/^(daemon|state)-/.test(node.id)) node.removeAttribute("id");
  }
  return document.importNode(svg, true);
}

async function loadStatus() {
  const { manager, daemons } = await request("status");
  byId("manager").textContent = "pid " + manager.pid + (manager.config ? " · " + manager.config : "");
  const names = new Set();
  for (const status of daemons) {
    names.add(status.name);
    app.daemons.set(status.name, status);
  }
  for (const name of [...app.daemons.keys()]) if (!names.has(name)) app.daemons.delete(name);
  renderDaemonList();
  for (const name of names) paintDaemon(name);
  fillSelect(byId("filter-daemon"), [...app.daemons.keys()]);
  return daemons;
}

async function loadGraph() {
  const { svg, daemons } = await request("graph");
  const graph = byId("graph");
  graph.replaceChildren(svgNode(svg));
  app.nodes.clear();
  daemons.forEach((name, index) => {
    const node = graph.querySelector("#daemon-" + index);
    if (!node) return;
    node.dataset.daemon = name;
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "button");
    node.addEventListener("click", () => select(name));
    node.addEventListener("keydown", (event) => { if (event.key === "Enter") select(name); });
    app.nodes.set(name, node);
    paintDaemon(name);
  });
}

function paintDaemon(name) {
  const status = app.daemons.get(name);
  if (!status) return;
  const item = byId("daemon-list").querySelector('[data-daemon="' + CSS.escape(name) + '"]');
  if (item) { item.dataset.state = status.state; item.textContent = name + " " + status.state; }
  const node = app.nodes.get(name);
  if (!node) return;
  node.dataset.state = status.state;
  node.setAttribute("aria-label", name + ": " + status.state);
  node.classList.toggle("selected", app.selected === name);
  let title = node.querySelector("title");
  if (!title) title = node.insertBefore(document.createElementNS(node.namespaceURI, "title"), node.firstChild);
  title.textContent = name + " — " + status.state;
}

function renderDaemonList() {
  const list = byId("daemon-list");
  list.replaceChildren(...[...app.daemons.values()].map((status) => {
    const item = element("li", { "data-daemon": status.name, "data-state": status.state, tabindex: "0" },
      status.name + " " + status.state);
    item.addEventListener("click", () => select(status.name));
    return item;
  }));
}

function renderLegend() {
  byId("legend").replaceChildren(...STATES.map((state) => element("span", { "data-state": state }, state)));
}

function fillSelect(select, values) {
  const chosen = select.value;
  const known = new Set([...select.options].map((option) => option.value));
  for (const value of values) if (!known.has(value)) select.append(element("option", { value }, value));
  select.value = chosen;
}

function followEvents() {
  const source = new EventSource(API + "events");
  app.source = source;
  source.onopen = () => {
    setConnection(true, "live");
    loadStatus().catch(() => {});
  };
  source.onerror = () => {
    if (source.readyState === EventSource.CLOSED) {
      // Refused (a 401 closes it for good): ask why.
      request("status").then(() => setTimeout(followEvents, 2000), () => {});
      setConnection(false, "disconnected");
    } else setConnection(false, "reconnecting…");
  };
  source.onmessage = (message) => {
    let event;
    try { event = JSON.parse(message.data); } catch { return; }
    receive(event, true);
  };
}

function receive(event, live) {
  if (app.seen.has(event.id)) return;
  app.seen.add(event.id);
  app.events.push(event);
  if (app.events.length > MAX_EVENTS) app.seen.delete(app.events.shift().id);
  const daemon = event.data && typeof event.data.daemon === "string" ? event.data.daemon : undefined;
  const status = daemon === undefined ? undefined : app.daemons.get(daemon);
  const state = STATE_OF_EVENT[event.type];
  if (status && live) {
    if (state) status.state = state;
    if (event.type === "DAEMON_HEALTH_CHANGED") status.healthy = event.data.healthy;
    paintDaemon(daemon);
    if (app.selected === daemon) schedulePanel();
  }
  if (!app.types.has(event.type)) {
    app.types.add(event.type);
    fillSelect(byId("filter-type"), [...app.types].sort());
  }
  if (matches(event)) {
    const list = byId("timeline");
    list.prepend(timelineItem(event));
    while (list.childElementCount > MAX_EVENTS) list.lastElementChild.remove();
  }
}

function matches(event) {
  const type = byId("filter-type").value;
  const daemon = byId("filter-daemon").value;
  if (type && event.type !== type) return false;
  if (!daemon) return true;
  return (event.data && event.data.daemon === daemon) || event.source === daemon;
}

function renderTimeline() {
  byId("timeline").replaceChildren(...app.events.filter(matches).reverse().map(timelineItem));
}

function timelineItem(event) {
  const item = element("li", { "data-type": event.type });
  const state = STATE_OF_EVENT[event.type];
  if (state) item.dataset.state = state;
  item.append(element("span", { class: "time" }, clock(event.time)), element("span", { class: "type" }, event.type),
    document.createTextNode(summary(event)));
  return item;
}

function summary(event) {
  const data = event.data;
  if (!data || typeof data !== "object") return "from " + event.source + (data === undefined ? "" : " " + JSON.stringify(data));
  if (typeof data.daemon !== "string") return "from " + event.source + " " + JSON.stringify(data).slice(0, 300);
  const parts = [data.daemon];
  if (data.from) parts.push("from " + data.from);
  if (data.reason) parts.push("(" + data.reason + ")");
  if (data.attempt !== undefined) parts.push("attempt " + data.attempt + ", next start in " + data.delayMs + " ms");
  if (data.healthy !== undefined) parts.push(data.healthy ? "healthy" : "unhealthy" + (data.detail ? ": " + data.detail : ""));
  if (data.forced) parts.push("forced");
  if (data.exitCode !== undefined && data.exitCode !== null) parts.push("exit code " + data.exitCode);
  if (data.signal) parts.push("signal " + data.signal);
  if (data.error) parts.push("— " + data.error);
  return parts.join(" ");
}

function clock(time) {
  const date = new Date(time);
  return date.toLocaleTimeString([], { hour12: false }) + "." + String(date.getMilliseconds()).padStart(3, "0");
}

async function loadDeadLetters() {
  const { entries, total, parked, evicted } = await request("dlq");
  byId("dlq-count").textContent = "(" + total + ", " + parked + " parked" + (evicted ? ", " + evicted + " evicted" : "") + ")";
  byId("dlq").tBodies[0].replaceChildren(...entries.slice().reverse().map((letter) => {
    const row = element("tr", { "data-id": letter.id });
    const next = letter.parked ? "parked" : letter.nextRetryAt === null ? "" : clock(letter.nextRetryAt);
    for (const cell of [letter.id, letter.event.type, letter.subscriber, letter.attempts, next, letter.error]) {
      row.append(element("td", {}, cell));
    }
    return row;
  }));
}

function every(ms, task) {
  setInterval(() => { if (!app.loggedOut) task().catch(() => {}); }, ms);
}

async function start() {
  renderLegend();
  byId("filter-type").addEventListener("change", renderTimeline);
  byId("filter-daemon").addEventListener("change", renderTimeline);
  setUpPanel();
  try {
    await loadStatus();
    await loadGraph();
  } catch (error) {
    if (!app.loggedOut) showBanner("Cannot load the inspector's data: " + error.message);
    return;
  }
  followEvents();
  loadDeadLetters().catch(() => {});
  every(5000, loadStatus);
  every(10000, loadDeadLetters);
  every(3000, () => (app.selected ? loadPanel() : Promise.resolve()));
}
`;

/** The whole script, as served. */
export const INSPECTOR_SCRIPT = `"use strict";\n(() => {\n${CORE_SCRIPT}\n${PANEL_SCRIPT}\ndocument.addEventListener("DOMContentLoaded", start);\n})();\n`;
