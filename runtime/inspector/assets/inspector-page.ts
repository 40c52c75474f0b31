/**
 * The inspector's HTML documents: the page itself and the small pages of the login. Everything
 * the page loads comes from this server (`/inspector/app.js`, `/inspector/app.css`): it works
 * offline, and its Content-Security-Policy forbids anything else.
 */

/** Sent with every inspector answer: nothing but this server's own scripts, styles and data. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The inspector page; the script fills it in. */
export const INSPECTOR_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>warden inspector</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/inspector/app.css">
<script src="/inspector/app.js" defer></script>
</head>
<body>
<header>
  <h1>warden inspector</h1>
  <span id="manager"></span>
  <span id="connection" data-connected="false">connecting…</span>
</header>
<p id="banner" role="alert" hidden></p>
<main>
  <section id="graph-section" aria-labelledby="graph-title">
    <h2 id="graph-title">Daemons</h2>
    <div id="legend"></div>
    <div id="graph" aria-label="dependency graph: each daemon coloured by its state"></div>
    <ul id="daemon-list" aria-label="daemons and their states"></ul>
  </section>
  <aside id="panel" hidden aria-labelledby="panel-name">
    <div class="panel-head">
      <h2 id="panel-name"></h2>
      <span id="panel-state" class="state-badge"></span>
      <button type="button" id="panel-close" aria-label="close">×</button>
    </div>
    <div class="buttons">
      <button type="button" data-action="start">Start</button>
      <button type="button" data-action="stop">Stop</button>
      <button type="button" data-action="restart">Restart</button>
    </div>
    <p id="panel-message" role="status"></p>
    <dl id="panel-facts"></dl>
    <h3>Lifecycle</h3>
    <div id="chart" aria-label="lifecycle chart with the current state highlighted"></div>
    <h3>Metrics</h3>
    <table id="panel-metrics"><tbody></tbody></table>
    <h3>Recent transitions</h3>
    <ol id="panel-transitions"></ol>
    <h3>Log</h3>
    <pre id="panel-log"></pre>
  </aside>
</main>
<section id="timeline-section" aria-labelledby="timeline-title">
  <h2 id="timeline-title">Events</h2>
  <div class="filters">
    <label>Type <select id="filter-type"><option value="">all types</option></select></label>
    <label>Daemon <select id="filter-daemon"><option value="">all daemons</option></select></label>
  </div>
  <ol id="timeline"></ol>
</section>
<section id="dlq-section" aria-labelledby="dlq-title">
  <h2 id="dlq-title">Dead letters <span id="dlq-count"></span></h2>
  <table id="dlq">
    <thead><tr><th>id</th><th>event</th><th>subscriber</th><th>attempts</th><th>next retry</th><th>error</th></tr></thead>
    <tbody></tbody>
  </table>
</section>
</body>
</html>
`;

/**
 * What a login answers: the session cookie is set, and this page goes on to the inspector (a
 * navigation from this server's own page, so the SameSite=Strict cookie goes with it).
 */
export const LOGGED_IN_HTML = smallPage(
  "warden inspector",
  '<meta http-equiv="refresh" content="0; url=/inspector">',
  '<p>Logged in. <a href="/inspector">Open the inspector</a>.</p>',
);

/** A login URL that was used, expired or never made. */
export const LOGIN_REFUSED_HTML = smallPage(
  "warden inspector: login refused",
  "",
  "<p>This login link was used already, has expired or is not one of this manager's. " +
    "Run <code>warden inspect</code> again for a new one.</p>",
);

/** The page without a session. */
export const LOGIN_NEEDED_HTML = smallPage(
  "warden inspector: login needed",
  "",
  "<p>The inspector needs a login. Run <code>warden inspect</code> and open the URL it prints " +
    "(it works once, within a minute).</p>",
);

function smallPage(title: string, head: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title}</title><link rel="icon" href="data:,">${head}</head>
<body>${body}</body>
</html>
`;
}
