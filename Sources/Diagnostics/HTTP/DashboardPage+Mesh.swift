/// The dashboard's mesh graph: `GET /api/p2p/mesh` drawn as inline SVG. The nodes of the
/// testnet sit on a ring in the route's order (this node at the top, then its siblings
/// clockwise in IP order), outside peers on a wider ring; an arrow goes from the side that dialed to the side that accepted. This node is
/// filled dark, a sibling that does not answer is drawn in red with a dashed outline, an
/// outside peer grey and dashed; a session only one of its two ends reports is dashed.
/// Values reach the SVG as text (`textContent`, `<title>`) or as numbers.
extension DashboardPage {
    static let meshStyle = """
        svg#mesh { height: 380px; }
        #mesh .mesh-node { cursor: pointer; }
        #mesh text { font-size: 11px; fill: #1d2330; }
        .key { display: inline-block; width: 10px; height: 10px; border-radius: 50%; vertical-align: -1px; margin-right: 4px; }
        """

    static let meshSection = """
        <section id="mesh-section"><h2>Mesh <span id="mesh-note" class="muted"></span></h2>
        <svg id="mesh" viewBox="0 0 600 380" data-nodes="0" data-edges="0"></svg>
        <div class="legend"><span><i class="key" style="background:#1d2330"></i>this node</span>
        <span><i class="key" style="background:#4c7cf0"></i>testnet node</span>
        <span><i class="key" style="background:#fff;border:1px dashed #d9455f"></i>not answering</span>
        <span><i class="key" style="background:#eef0f4;border:1px dashed #8a92a3"></i>outside peer</span>
        <span>→ dialed by the arrow's tail; dashed: seen by one side only</span></div></section>
        """

    static let meshScript = #"""
        const MESH_MAX_NODES = 512;
        let meshAvailable = true;
        function svgElement(name, attributes) {
          const element = document.createElementNS('http://www.w3.org/2000/svg', name);
          for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
          return element;
        }
        function drawMesh(mesh) {
          const svg = byId('mesh');
          const nodes = (Array.isArray(mesh.nodes) ? mesh.nodes : [])
            .filter((n) => n && typeof n.ip === 'string').slice(0, MESH_MAX_NODES);
          const known = new Set(nodes.map((n) => n.ip));
          const edges = (Array.isArray(mesh.edges) ? mesh.edges : [])
            .filter((e) => e && known.has(e.from) && known.has(e.to) && e.from !== e.to);
          const members = nodes.filter((n) => n.kind !== 'outside');
          const outside = nodes.filter((n) => n.kind === 'outside');
          // Rings are ellipses 1.5 times wider than high: the panel is wider than it is high.
          const width = 600, height = 380, cx = width / 2, cy = height / 2 + 4, stretch = 1.5;
          const inner = outside.length > 0 ? 105 : 135, outer = 155;
          // Smaller circles when many share a ring (a 64-node testnet), names only when they fit.
          const crowd = Math.max(1, members.length, outside.length * inner / outer);
          const r = Math.max(4, Math.min(15, (0.8 * Math.PI * inner) / crowd));
          const labelled = nodes.length <= 24;
          const place = new Map();
          // The outer ring starts half a step past the inner one, so that an outside peer does
          // not sit right behind a testnet node.
          const ring = (list, radius, start) => list.forEach((n, i) => {
            const angle = start + (2 * Math.PI * i) / list.length;
            const lone = list.length === 1 && radius === inner;
            place.set(n.ip, { x: lone ? cx : cx + stretch * radius * Math.cos(angle),
              y: lone ? cy : cy + radius * Math.sin(angle) });
          });
          ring(members, inner, -Math.PI / 2);
          ring(outside, outer, -Math.PI / 2 + Math.PI / Math.max(1, members.length));
          const defs = svgElement('defs', {});
          const marker = svgElement('marker', { id: 'mesh-arrow', viewBox: '0 0 10 10', refX: 10, refY: 5,
            markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
          marker.appendChild(svgElement('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#4a5263' }));
          defs.appendChild(marker);
          const parts = [defs];
          const pairs = new Set(edges.map((e) => e.from + '>' + e.to));
          const memberIPs = new Set(members.map((n) => n.ip));
          for (const e of edges) {
            const a = place.get(e.from), b = place.get(e.to);
            const dx = b.x - a.x, dy = b.y - a.y, length = Math.hypot(dx, dy) || 1;
            const ux = dx / length, uy = dy / length;
            // Both directions at once (a duplicate being settled): side by side, not on top.
            const shift = pairs.has(e.to + '>' + e.from) ? 4 : 0;
            const seen = Array.isArray(e.seen_by) ? e.seen_by.filter((s) => typeof s === 'string') : [];
            const oneSided = memberIPs.has(e.from) && memberIPs.has(e.to) && seen.length < 2;
            const line = svgElement('line', {
              class: 'mesh-edge', x1: (a.x + ux * r - uy * shift).toFixed(1), y1: (a.y + uy * r + ux * shift).toFixed(1),
              x2: (b.x - ux * (r + 2) - uy * shift).toFixed(1), y2: (b.y - uy * (r + 2) + ux * shift).toFixed(1),
              stroke: '#4a5263', 'stroke-width': 1.6, 'marker-end': 'url(#mesh-arrow)' });
            if (oneSided) line.setAttribute('stroke-dasharray', '5 4');
            line.dataset.from = e.from;
            line.dataset.to = e.to;
            const title = svgElement('title', {});
            title.textContent = e.from + ' dialed ' + e.to + (seen.length ? ' (seen by ' + seen.join(', ') + ')' : '');
            line.appendChild(title);
            parts.push(line);
          }
          for (const n of nodes) {
            const p = place.get(n.ip);
            const down = n.kind === 'sibling' && n.reachable === false;
            const style = n.kind === 'self' ? { fill: '#1d2330', stroke: '#1d2330' }
              : n.kind === 'outside' ? { fill: '#eef0f4', stroke: '#8a92a3', 'stroke-dasharray': '3 3' }
              : down ? { fill: '#ffffff', stroke: '#d9455f', 'stroke-dasharray': '3 3' }
              : { fill: '#4c7cf0', stroke: '#2d56c4' };
            const group = svgElement('g', { class: 'mesh-node ' + (down ? 'down' : String(n.kind)) });
            group.dataset.ip = n.ip;
            group.appendChild(svgElement('circle', Object.assign({ cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: r,
              'stroke-width': n.kind === 'self' ? 3 : 1.5 }, style)));
            // Labels outward: above a node in the upper half, below one in the lower half.
            const above = p.y < cy - 1;
            if (labelled || n.kind === 'self') {
              const label = svgElement('text', { x: p.x.toFixed(1), y: (above ? p.y - r - 6 : p.y + r + 13).toFixed(1),
                'text-anchor': 'middle' });
              label.textContent = n.kind === 'self' ? n.ip + ' (this node)' : n.ip;
              group.appendChild(label);
            }
            const title = svgElement('title', {});
            const what = n.kind === 'self' ? 'this node' : n.kind === 'outside' ? 'outside peer (not in this testnet)'
              : down ? 'testnet node, not answering: ' + text(n.error) : 'testnet node';
            title.textContent = (typeof n.addr === 'string' ? n.addr : n.ip) + ': ' + what;
            group.appendChild(title);
            if (n.kind !== 'self') group.addEventListener('click', () => choose(n.ip));
            parts.push(group);
          }
          svg.replaceChildren(...parts);
          svg.dataset.nodes = String(nodes.length);
          svg.dataset.edges = String(edges.length);
          const siblings = Number(mesh.siblings) || 0, unreachable = Number(mesh.unreachable) || 0;
          byId('mesh-note').textContent = siblings === 0
            ? '(this node and its peers; on a testnet every node is shown)'
            : '(' + (siblings + 1) + ' testnet nodes' + (unreachable ? ', ' + unreachable + ' not answering' : '') +
              ', ' + edges.length + ' sessions' + (mesh.truncated ? ', truncated' : '') + ')';
        }
        async function refreshMesh() {
          if (!meshAvailable) return;
          try { drawMesh(await get('/api/p2p/mesh')); } catch (error) {
            // An older node without the route: hide the section instead of showing an error.
            if (error.status === 404) { meshAvailable = false; byId('mesh-section').hidden = true; return; }
            byId('mesh-note').textContent = '(unavailable: ' + error.message + ')';
          }
        }
        """#
}
