/**
 * The daemon panel of the inspector page (part of `/inspector/app.js`, see inspector-script.ts):
 * a clicked daemon's facts, its lifecycle chart with the current state highlighted, metrics,
 * recent transitions with the backoff, the tail of a process daemon's log, and the start, stop
 * and restart buttons.
 */
export const PANEL_SCRIPT = String.raw`
const SERVING_DAEMON = "HEALTH_SERVER";
let panelTimer = null;
let panelLoading = null;

function setUpPanel() {
  byId("panel-close").addEventListener("click", () => select(null));
  for (const button of byId("panel").querySelectorAll("button[data-action]")) {
    button.addEventListener("click", () => act(button.dataset.action));
  }
}

function select(name) {
  const previous = app.selected;
  app.selected = name;
  if (previous) paintDaemon(previous);
  byId("panel").hidden = name === null;
  if (name === null) return;
  paintDaemon(name);
  byId("panel-name").textContent = name;
  byId("panel-message").textContent = "";
  byId("panel-message").className = "";
  const status = app.daemons.get(name);
  if (status) renderFacts(status, []);
  loadPanel().catch((error) => message(error.message, true));
}

function schedulePanel() {
  if (panelTimer !== null) return;
  panelTimer = setTimeout(() => {
    panelTimer = null;
    loadPanel().catch(() => {});
  }, 150);
}

async function loadPanel() {
  const name = app.selected;
  if (name === null) return;
  // One request at a time: a slow answer is not overtaken by an older one.
  if (panelLoading) return panelLoading;
  panelLoading = (async () => {
    try {
      const [details] = await Promise.all([request("daemons/" + encodeURIComponent(name)), loadChart()]);
      if (app.selected !== name) return;
      app.daemons.set(name, details.status);
      paintDaemon(name);
      renderFacts(details.status, details.transitions);
      renderLog(details.status, details.log);
    } finally {
      panelLoading = null;
    }
  })();
  return panelLoading;
}

async function loadChart() {
  if (app.chartSvg) return;
  const { svg } = await request("lifecycle");
  app.chartSvg = svgNode(svg);
  byId("chart").replaceChildren(app.chartSvg);
}

function renderFacts(status, transitions) {
  const badge = byId("panel-state");
  badge.textContent = status.state;
  badge.dataset.state = status.state;
  byId("chart").dataset.current = status.state;
  for (const node of byId("chart").querySelectorAll("g.node")) {
    const current = node.id === "state-" + status.state;
    node.classList.toggle("current", current);
    if (current) node.dataset.state = status.state;
    else delete node.dataset.state;
  }
  const serving = status.name === SERVING_DAEMON;
  for (const button of byId("panel").querySelectorAll("button[data-action]")) {
    button.disabled = serving && button.dataset.action !== "start";
    button.title = button.disabled ? "it serves this page: stop the manager instead" : "";
  }
  const facts = [
    ["state", status.state + " (" + status.reason + ")"],
    ["kind", status.kind === "process" ? "process" : "in-process module"],
    ["description", status.description],
    ["depends on", status.dependsOn.length ? status.dependsOn.join(", ") : "nothing"],
    ["critical", status.critical ? "yes" : undefined],
    ["restarts", status.restarts],
    ["backoff", backoffOf(status, transitions)],
    ["health", status.healthy === undefined ? "not checked" : status.healthy ? "healthy" : "unhealthy"],
    ["uptime", status.uptimeMs === undefined ? undefined : duration(status.uptimeMs)],
    ["last error", status.lastError],
    ["exit", status.exitCode === undefined ? undefined : "code " + status.exitCode + (status.signal ? ", signal " + status.signal : "")],
  ];
  if (status.process) {
    facts.push(["command", status.process.command], ["pid", status.process.pid], ["status text", status.process.statusText]);
  }
  byId("panel-facts").replaceChildren(...facts.filter(([, value]) => value !== undefined && value !== "")
    .flatMap(([key, value]) => [element("dt", {}, key), element("dd", { "data-fact": key }, value)]));
  const metrics = Object.entries(status.metrics || {});
  byId("panel-metrics").tBodies[0].replaceChildren(...(metrics.length ? metrics.map(([key, value]) => {
    const row = element("tr");
    row.append(element("td", {}, key), element("td", {}, value));
    return row;
  }) : [element("tr", {}, "none reported")]));
  byId("panel-transitions").replaceChildren(...transitions.slice().reverse().map(timelineItem));
}

/** The latest restart's attempt and delay; while RESTARTING, when the next start is due. */
function backoffOf(status, transitions) {
  const last = transitions.filter((event) => event.type === "DAEMON_RESTARTING").pop();
  if (!last || last.data.delayMs === undefined) return undefined;
  const text = "attempt " + last.data.attempt + ", delay " + duration(last.data.delayMs);
  if (status.state !== "RESTARTING") return text;
  return text + ", next start ≈ " + clock(last.time + last.data.delayMs) + " (once its dependencies run)";
}

function renderLog(status, log) {
  const pre = byId("panel-log");
  if (status.kind !== "process" || !log) {
    pre.textContent = "An in-process daemon has no log file: what it logs goes to the manager's standard error.";
  } else if (!log.found) {
    pre.textContent = "No log file yet.";
  } else {
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.textContent = log.lines.join("\n");
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }
}

async function act(action) {
  const name = app.selected;
  if (name === null) return;
  message(action + " requested…", false);
  try {
    const status = await request("daemons/" + encodeURIComponent(name) + "/" + action, { method: "POST" });
    message(action + " requested (was " + status.state + ")", false);
  } catch (error) {
    message(action + " refused: " + error.message, true);
  }
  schedulePanel();
}

function message(text, isError) {
  const node = byId("panel-message");
  node.textContent = text;
  node.className = isError ? "error" : "";
}

function duration(ms) {
  if (ms < 1000) return Math.round(ms) + " ms";
  if (ms < 120000) return (ms / 1000).toFixed(1) + " s";
  if (ms < 7200000) return Math.round(ms / 60000) + " min";
  return (ms / 3600000).toFixed(1) + " h";
}
`;
