/// The live dashboard served at `GET /`: one self-contained HTML page (inline CSS and script,
/// no external resource) that refreshes every 2 s from this node's own JSON routes, the mesh
/// graph included (DashboardPage+Mesh.swift).
///
/// Every value a peer can influence (addresses, reasons, user agents) reaches the DOM only
/// through `textContent` or a numeric SVG attribute, never `innerHTML`: a peer that names
/// itself `<img onerror=…>` must show as that text. The Content-Security-Policy forbids
/// every source but inline code and this origin, so even an injection could load nothing and
/// send nothing elsewhere; `connect-src 'self'` keeps the page talking to its own node only.
enum DashboardPage {
    /// The response for `GET /` (HEAD gets the same headers without the body).
    static var response: HTTPResponse {
        HTTPResponse(status: 200, contentType: "text/html; charset=utf-8", body: bytes)
            .adding("Content-Security-Policy", contentSecurityPolicy)
            .adding("X-Content-Type-Options", "nosniff")
            .adding("X-Frame-Options", "DENY")
            .adding("Referrer-Policy", "no-referrer")
            .adding("Cache-Control", "no-store")
    }

    /// Inline script and style only; fetches to this origin only; no frames, forms, plugins,
    /// or base URL changes. `img-src data:` is for the empty inline favicon (without it the
    /// browser asks for /favicon.ico and logs the 404 as a console error).
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
        + "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static let bytes = Array(html.utf8)

    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
        <title>meshnode dashboard</title>
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
        header { background: #1d2330; color: #fff; padding: 10px 18px; display: flex; gap: 18px; align-items: baseline; }
        header h1 { font-size: 18px; margin: 0; }
        #status.ok { color: #9fe2a7; } #status.bad { color: #ffb4a8; }
        main { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 14px; padding: 14px; }
        section { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; padding: 10px 14px; }
        h2 { font-size: 15px; margin: 0 0 8px; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eef0f4; font-variant-numeric: tabular-nums; }
        th { font-weight: 600; color: #4a5263; }
        .muted { color: #8a92a3; }
        .bar { background: #4c7cf0; height: 10px; border-radius: 2px; }
        td.bar-cell { width: 55%; }
        svg { width: 100%; height: 220px; background: #fbfcfd; border: 1px solid #eef0f4; }
        .legend span { margin-right: 12px; white-space: nowrap; }
        tr.pick { cursor: pointer; } tr.pick:hover { background: #eef3ff; }
        \#(meshStyle)
        </style>
        </head>
        <body data-state="loading" data-errors="0">
        <header><h1>meshnode</h1><span id="summary">loading…</span><span id="status"></span></header>
        <main>
        <section id="peers-section"><h2>Peers</h2>
        <table><thead><tr><th>address</th><th>direction</th><th>RTT</th><th>uptime</th></tr></thead>
        <tbody id="peers"></tbody></table></section>
        \#(meshSection)
        <section id="rtt-section"><h2>RTT over time (ms)</h2><svg id="rtt" viewBox="0 0 600 220" preserveAspectRatio="none"></svg>
        <div class="legend" id="legend"></div></section>
        <section id="funnel-section"><h2>Funnel (last tick)</h2>
        <table><tbody id="funnel"></tbody></table><p class="muted" id="funnel-skips"></p>
        <p id="flapping"></p></section>
        <section id="blockers-section"><h2>Top blockers (last cycle)</h2>
        <table><thead><tr><th>reason</th><th>count</th><th>samples</th></tr></thead>
        <tbody id="blockers"></tbody></table></section>
        <section id="failures-section"><h2>Recent dial failures</h2>
        <table><thead><tr><th>time</th><th>address</th><th>reason</th><th>source</th></tr></thead>
        <tbody id="failures"></tbody></table></section>
        <section id="why-section"><h2>Why <span id="why-ip" class="muted">(click a peer or a failure)</span></h2>
        <p id="why-summary" class="muted"></p>
        <table><thead><tr><th>time</th><th>event</th><th>detail</th><th>times</th></tr></thead>
        <tbody id="why"></tbody></table></section>
        </main>
        <script>
        'use strict';
        // Every value from the node goes into the DOM through textContent or a number:
        // a peer chooses its own address text and the reasons it sends.
        const byId = (id) => document.getElementById(id);
        const COLORS = ['#4c7cf0', '#e0703a', '#2f9e5b', '#b44bc4', '#c9a227', '#2aa3b8', '#d9455f', '#6b6f7a'];
        const MAX_POINTS = 150;   // per peer, about 5 minutes at one sample per 2 s
        const MAX_SERIES = 16;    // peers drawn in the chart
        const rtt = new Map();    // ip -> [{t, v}]
        let funnelAvailable = true;
        let whyIP = null;         // the peer whose decisions are shown (#why=IP in the URL)
        try {
          const match = /^#why=(.+)$/.exec(location.hash);
          if (match) whyIP = decodeURIComponent(match[1]);
        } catch (error) { whyIP = null; }
        let errors = 0;
        window.addEventListener('error', () => { errors += 1; document.body.dataset.errors = String(errors); });

        function cell(text, className) {
          const td = document.createElement('td');
          td.textContent = text === null || text === undefined ? '—' : String(text);
          if (className) td.className = className;
          return td;
        }
        function fill(tbody, rows, empty, columns) {
          const out = [];
          for (const values of rows) {
            const tr = document.createElement('tr');
            for (const value of values) tr.appendChild(value instanceof Node ? value : cell(value));
            out.push(tr);
          }
          if (out.length === 0) {
            const tr = document.createElement('tr');
            const td = cell(empty, 'muted');
            td.colSpan = columns;
            tr.appendChild(td);
            out.push(tr);
          }
          tbody.replaceChildren(...out);
        }
        function duration(seconds) {
          if (!Number.isFinite(seconds) || seconds < 0) return '—';
          const s = Math.floor(seconds);
          if (s < 60) return s + ' s';
          if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
          return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
        }
        function ms(value) { return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(2) + ' ms' : '—'; }
        function clock(unix) { return typeof unix === 'number' ? new Date(unix * 1000).toLocaleTimeString() : '—'; }
        function ipOf(addr) {
          if (typeof addr !== 'string') return null;
          if (addr.startsWith('[')) { const end = addr.indexOf(']'); return end > 1 ? addr.slice(1, end) : null; }
          const colon = addr.lastIndexOf(':');
          return colon > 0 ? addr.slice(0, colon) : addr;
        }
        // Rows of `tbody` open the decisions of the IP `ips[i]` when clicked.
        function pickable(tbody, ips) {
          Array.from(tbody.rows).forEach((row, i) => {
            if (typeof ips[i] !== 'string') return;
            row.className = 'pick';
            row.addEventListener('click', () => choose(ips[i]));
          });
        }
        function choose(ip) {
          whyIP = ip;
          history.replaceState(null, '', '#why=' + encodeURIComponent(ip));
          renderWhy();
        }
        function text(value) { return typeof value === 'string' ? value : (value === null || value === undefined ? '—' : String(value)); }
        async function get(path) {
          const response = await fetch(path, { cache: 'no-store', credentials: 'same-origin' });
          if (!response.ok) { const error = new Error(path + ' answered ' + response.status); error.status = response.status; throw error; }
          return response.json();
        }

        function renderPeers(debug) {
          const now = Date.now() / 1000;
          const peers = Array.isArray(debug.connected_peers) ? debug.connected_peers : [];
          fill(byId('peers'), peers.map((p) => [text(p.addr), text(p.direction), ms(p.last_rtt_ms),
            duration(now - Number(p.connected_since_unix))]), 'no peers connected', 4);
          pickable(byId('peers'), peers.map((p) => p.ip));
          const book = debug.peer_book_counts || {};
          byId('summary').textContent = peers.length + ' peers connected · peer book ' + text(book.total) +
            ' (hot ' + text(book.hot) + ', warm ' + text(book.warm) + ', cold ' + text(book.cold) + ')';
          for (const p of peers) {
            if (typeof p.ip !== 'string' || typeof p.last_rtt_ms !== 'number') continue;
            if (!rtt.has(p.ip) && rtt.size >= MAX_SERIES) continue;
            const series = rtt.get(p.ip) || [];
            series.push({ t: now, v: p.last_rtt_ms });
            if (series.length > MAX_POINTS) series.splice(0, series.length - MAX_POINTS);
            rtt.set(p.ip, series);
          }
          const connected = new Set(peers.map((p) => p.ip));
          for (const ip of Array.from(rtt.keys())) {
            const series = rtt.get(ip);
            if (!connected.has(ip) && now - series[series.length - 1].t > 300) rtt.delete(ip);
          }
        }
        function renderFailures(debug) {
          const failures = Array.isArray(debug.dial_failures) ? debug.dial_failures.slice(-15).reverse() : [];
          fill(byId('failures'), failures.map((f) => [new Date(Number(f.timestamp_unix) * 1000).toLocaleTimeString(),
            text(f.addr), text(f.reason), text(f.source)]), 'no dial failures', 4);
          pickable(byId('failures'), failures.map((f) => ipOf(f.addr)));
        }
        function renderReasons(reasons) {
          const list = Array.isArray(reasons.reasons) ? reasons.reasons : [];
          const blockers = list.filter((r) => r.reason !== 'already_connected' && r.reason !== 'already_connecting').slice(0, 8);
          fill(byId('blockers'), blockers.map((r) => [text(r.reason), text(r.count),
            Array.isArray(r.samples) ? r.samples.map(text).join(', ') : '—']), 'nothing blocked in the last cycle', 3);
        }
        function renderFunnel(funnel) {
          const held = Array.isArray(funnel.flapping) ? funnel.flapping : [];
          byId('flapping').textContent = held.length === 0 ? '' : 'held off (flapping): ' +
            held.slice(0, 10).map((h) => text(h.ip) + ' until ' + clock(h.until_unix)).join(', ');
          const last = funnel.last;
          if (!last) { fill(byId('funnel'), [], 'no tick yet', 3); byId('funnel-skips').textContent = ''; return; }
          const stages = [['known', last.known], ['candidates', last.candidates], ['skipped', last.skipped],
            ['dialed', last.dialed], ['TCP ok', last.tcp_ok], ['handshake ok', last.handshake_ok],
            ['still up one tick later', last.still_up_next_tick]];
          const top = Math.max(1, ...stages.map((s) => Number(s[1]) || 0));
          fill(byId('funnel'), stages.map(([name, value]) => {
            const bar = document.createElement('td');
            bar.className = 'bar-cell';
            const div = document.createElement('div');
            div.className = 'bar';
            div.style.width = Math.round(100 * (Number(value) || 0) / top) + '%';
            bar.appendChild(div);
            return [name, value === null || value === undefined ? 'pending' : value, bar];
          }), 'no tick yet', 3);
          const skips = Array.isArray(last.skipped_by_reason) ? last.skipped_by_reason : [];
          byId('funnel-skips').textContent = skips.length === 0 ? 'tick ' + text(last.tick) + ': nothing skipped'
            : 'tick ' + text(last.tick) + ' skipped: ' + skips.map((s) => text(s.reason) + ' ' + text(s.count)).join(', ');
        }
        function detail(d) {
          const bits = [];
          if (typeof d.reason === 'string') bits.push(d.reason);
          for (const key of ['source', 'direction', 'side', 'remote_reason']) {
            if (typeof d[key] === 'string') bits.push(key.replace('_', ' ') + ' ' + d[key]);
          }
          if (typeof d.session_seconds === 'number') bits.push('session ' + duration(d.session_seconds));
          for (const key of ['cooldown_until_unix', 'until_unix']) {
            if (typeof d[key] === 'number') bits.push('until ' + clock(d[key]));
          }
          return bits.join(', ');
        }
        async function renderWhy() {
          if (typeof whyIP !== 'string') return;
          const ip = whyIP;
          byId('why-ip').textContent = ip;
          let why;
          try {
            why = await get('/api/p2p/why/' + encodeURIComponent(ip));
          } catch (error) {
            if (ip !== whyIP) return;
            byId('why-summary').textContent = error.status === 404 ? 'the node knows nothing of ' + ip
              : 'unavailable: ' + error.message;
            fill(byId('why'), [], '—', 4);
            return;
          }
          if (ip !== whyIP) return;
          const now = Date.now() / 1000;
          const parts = [why.connected ? 'connected, ' + text(why.direction) : 'not connected'];
          if (typeof why.source === 'string') parts.push('source ' + why.source);
          if (typeof why.address === 'string') parts.push('listens on ' + why.address);
          const holds = [['cooling down', why.cooldown_until_unix], ['banned', why.banned_until_unix],
            ['held off (flapping)', why.flapping_until_unix]];
          for (const [name, until] of holds) {
            if (typeof until === 'number') parts.push(name + ' for ' + duration(until - now));
          }
          byId('why-summary').textContent = parts.join(' · ');
          const decisions = Array.isArray(why.decisions) ? why.decisions : [];
          fill(byId('why'), decisions.map((d) => [clock(d.ts_unix), text(d.event), detail(d),
            Number(d.repeats) > 1 ? '×' + Number(d.repeats) : '']), 'no decisions recorded', 4);
          document.body.dataset.why = 'ok';
        }
        function drawChart() {
          const svg = byId('rtt');
          const ns = 'http://www.w3.org/2000/svg';
          const width = 600, height = 220, pad = 24;
          const all = Array.from(rtt.values()).flat();
          const legend = [];
          svg.replaceChildren();
          if (all.length === 0) {
            const label = document.createElementNS(ns, 'text');
            label.setAttribute('x', '20'); label.setAttribute('y', '110'); label.setAttribute('fill', '#8a92a3');
            label.textContent = 'no RTT samples yet';
            svg.appendChild(label);
            byId('legend').replaceChildren();
            return;
          }
          const t0 = Math.min(...all.map((p) => p.t)), t1 = Math.max(...all.map((p) => p.t));
          const top = Math.max(0.001, ...all.map((p) => p.v)) * 1.1;
          const x = (t) => pad + (t1 === t0 ? 0 : (t - t0) / (t1 - t0)) * (width - 2 * pad);
          const y = (v) => height - pad - (v / top) * (height - 2 * pad);
          const axis = document.createElementNS(ns, 'text');
          axis.setAttribute('x', '4'); axis.setAttribute('y', '14'); axis.setAttribute('fill', '#4a5263');
          axis.setAttribute('font-size', '11');
          axis.textContent = top.toFixed(2) + ' ms';
          svg.appendChild(axis);
          let index = 0;
          for (const [ip, series] of rtt) {
            const color = COLORS[index % COLORS.length];
            index += 1;
            const line = document.createElementNS(ns, 'polyline');
            line.setAttribute('points', series.map((p) => x(p.t).toFixed(1) + ',' + y(p.v).toFixed(1)).join(' '));
            line.setAttribute('fill', 'none'); line.setAttribute('stroke', color); line.setAttribute('stroke-width', '2');
            svg.appendChild(line);
            const entry = document.createElement('span');
            entry.style.color = color;
            entry.textContent = '■ ' + ip;
            legend.push(entry);
          }
          byId('legend').replaceChildren(...legend);
        }
        \#(meshScript)

        async function refresh() {
          try {
            const debug = await get('/api/p2p/debug');
            renderPeers(debug);
            renderFailures(debug);
            drawChart();
            byId('status').textContent = 'updated ' + new Date().toLocaleTimeString();
            byId('status').className = 'ok';
            document.body.dataset.state = 'ok';
          } catch (error) {
            byId('status').textContent = 'cannot reach the node: ' + error.message;
            byId('status').className = 'bad';
            document.body.dataset.state = 'unreachable';
          }
          try { renderReasons(await get('/api/p2p/reasons')); } catch (error) { fill(byId('blockers'), [], 'unavailable', 3); }
          if (funnelAvailable) {
            try { renderFunnel(await get('/api/p2p/funnel')); } catch (error) {
              // An older node without the route: hide the section instead of showing an error.
              if (error.status === 404) { funnelAvailable = false; byId('funnel-section').hidden = true; }
            }
          }
          await refreshMesh();
          await renderWhy();
        }
        let busy = false;
        async function tick() { if (busy) return; busy = true; try { await refresh(); } finally { busy = false; } }
        tick();
        setInterval(tick, 2000);
        </script>
        </body>
        </html>
        """#
}
