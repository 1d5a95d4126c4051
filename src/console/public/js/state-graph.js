// Draws a workflow's Mermaid stateDiagram-v2 (GET /workflows/{id}?format=mermaid) as a small SVG
// state graph, without a Mermaid library: the service emits only `[*] --> a`, `a --> b: EVENT` and
// `a --> [*]` lines, which are parsed here and laid out in rows by distance from the start.

const SVG = 'http://www.w3.org/2000/svg';

/** Parses the transitions of a stateDiagram-v2 text. */
export function parseMermaid(text) {
  const states = [];
  const seen = new Set();
  const add = (name) => {
    if (!seen.has(name)) {
      seen.add(name);
      states.push(name);
    }
  };
  const edges = [];
  const finals = new Set();
  let initial;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('%%') || line.startsWith('stateDiagram') || line.startsWith('class'))
      continue;
    const m = /^(\[\*\]|[\w-]+)\s*-->\s*(\[\*\]|[\w-]+)\s*(?::\s*(.*))?$/.exec(line);
    if (!m) continue;
    const [, from, to, label] = m;
    if (from === '[*]') {
      initial = to;
      add(to);
    } else if (to === '[*]') {
      finals.add(from);
      add(from);
    } else {
      add(from);
      add(to);
      const signed = /\(signed\)\s*$/.test(label ?? '');
      edges.push({ from, to, event: (label ?? '').replace(/\s*\(signed\)\s*$/, '').trim(), signed });
    }
  }
  return { initial: initial ?? states[0], states, edges, finals };
}

function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs))
    if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Splits a state name into at most two lines of about `max` characters. */
function labelLines(name, max = 20) {
  const text = name.replace(/_/g, ' ');
  if (text.length <= max) return [text];
  const words = text.split(' ');
  let first = '';
  while (words.length && (first + ' ' + words[0]).trim().length <= max)
    first = `${first} ${words.shift()}`.trim();
  if (!first) first = words.shift();
  return [first, words.join(' ')];
}

/** Rows by breadth-first distance from the initial state; unreachable states go last. */
function layers(graph) {
  const depth = new Map([[graph.initial, 0]]);
  const queue = [graph.initial];
  while (queue.length) {
    const state = queue.shift();
    for (const e of graph.edges) {
      if (e.from === state && !depth.has(e.to)) {
        depth.set(e.to, depth.get(state) + 1);
        queue.push(e.to);
      }
    }
  }
  const maxDepth = Math.max(0, ...depth.values());
  for (const s of graph.states) if (!depth.has(s)) depth.set(s, maxDepth + 1);
  const rows = [];
  for (const s of graph.states) {
    const d = depth.get(s);
    (rows[d] ??= []).push(s);
  }
  const packed = rows.filter(Boolean);
  // Order each row by where its parents stand in the row above, to keep edges from crossing.
  for (let r = 1; r < packed.length; r++) {
    const above = packed[r - 1];
    const weight = (state) => {
      const parents = graph.edges
        .filter((e) => e.to === state && above.includes(e.from))
        .map((e) => above.indexOf(e.from));
      return parents.length ? parents.reduce((a, b) => a + b, 0) / parents.length : above.length;
    };
    const order = new Map(packed[r].map((s, i) => [s, [weight(s), i]]));
    packed[r].sort((a, b) => order.get(a)[0] - order.get(b)[0] || order.get(a)[1] - order.get(b)[1]);
  }
  return { rows: packed, depth };
}

/**
 * An SVG of the workflow with `current` highlighted and the transitions leaving it labelled. The
 * SVG is one image for assistive technology (role="img" with a text alternative); the console
 * lists the same transitions as text beside it.
 */
export function renderStateGraph(graph, current, { title } = {}) {
  const NODE_W = 190;
  const NODE_H = 40;
  const GAP_X = 26;
  const ROW_H = 64;
  const MARGIN_X = 70;
  const TOP = 34;
  const { rows } = layers(graph);
  const widest = Math.max(...rows.map((r) => r.length));
  const width = MARGIN_X * 2 + widest * NODE_W + (widest - 1) * GAP_X;
  const height = TOP + rows.length * ROW_H + 10;
  const pos = new Map();
  rows.forEach((row, r) => {
    const rowWidth = row.length * NODE_W + (row.length - 1) * GAP_X;
    const x0 = (width - rowWidth) / 2;
    row.forEach((state, i) => {
      pos.set(state, { x: x0 + i * (NODE_W + GAP_X), y: TOP + r * ROW_H, row: r });
    });
  });

  const titleId = `sg-title-${Math.random().toString(36).slice(2, 8)}`;
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'state-graph',
    role: 'img',
    'aria-labelledby': titleId,
    preserveAspectRatio: 'xMidYMin meet',
  });
  root.style.maxWidth = `${width}px`;
  root.append(
    svg(
      'title',
      { id: titleId },
      `${title ?? 'Workflow'}: ${graph.states.length} states; current state ${current ? current.replace(/_/g, ' ') : 'none'}`,
    ),
  );
  const defs = svg('defs');
  for (const [id, colour] of [
    ['arrow', '#4b5563'],
    ['arrow-next', '#1d4ed8'],
  ]) {
    const marker = svg('marker', {
      id: `${titleId}-${id}`,
      viewBox: '0 0 10 10',
      refX: 9,
      refY: 5,
      markerUnits: 'userSpaceOnUse',
      markerWidth: 8,
      markerHeight: 8,
      orient: 'auto-start-reverse',
    });
    marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: colour }));
    defs.append(marker);
  }
  root.append(defs);

  // Start marker.
  const start = pos.get(graph.initial);
  if (start) {
    root.append(svg('circle', { cx: start.x + NODE_W / 2, cy: 10, r: 6, fill: '#111827' }));
    root.append(
      svg('line', {
        x1: start.x + NODE_W / 2,
        y1: 16,
        x2: start.x + NODE_W / 2,
        y2: start.y - 2,
        stroke: '#4b5563',
        'stroke-width': 1.5,
        'marker-end': `url(#${titleId}-arrow)`,
      }),
    );
  }

  // Edges: short forward edges straight down, the rest as arcs in the side margins.
  const edgesLayer = svg('g', { class: 'edges' });
  const labelsLayer = svg('g', { class: 'edge-labels' });
  let leftLane = 0;
  let rightLane = 0;
  for (const e of graph.edges) {
    const a = pos.get(e.from);
    const b = pos.get(e.to);
    if (!a || !b) continue;
    const next = e.from === current;
    const colour = next ? '#1d4ed8' : '#6b7280';
    let d;
    let lx;
    let ly;
    if (b.row === a.row + 1) {
      const x1 = a.x + NODE_W / 2;
      const y1 = a.y + NODE_H;
      const x2 = b.x + NODE_W / 2;
      const y2 = b.y;
      d = `M${x1},${y1} C${x1},${y1 + 20} ${x2},${y2 - 20} ${x2},${y2 - 2}`;
      lx = (x1 + x2) / 2;
      ly = (y1 + y2) / 2;
    } else {
      const forward = b.row > a.row;
      const lane = forward ? ++leftLane : ++rightLane;
      const side = forward ? -1 : 1;
      const xa = forward ? a.x : a.x + NODE_W;
      const xb = forward ? b.x : b.x + NODE_W;
      const outer =
        (forward ? Math.min(a.x, b.x) : Math.max(a.x, b.x) + NODE_W) + side * (14 + (lane % 6) * 9);
      const ya = a.y + NODE_H / 2 + (forward ? 6 : -6);
      const yb = b.y + NODE_H / 2 + (forward ? -6 : 6);
      d = `M${xa},${ya} C${outer},${ya} ${outer},${yb} ${xb + side * 2},${yb}`;
      lx = outer;
      ly = (ya + yb) / 2;
    }
    const path = svg('path', {
      d,
      fill: 'none',
      stroke: colour,
      'stroke-width': next ? 2.2 : 1.2,
      'stroke-dasharray': b.row <= a.row ? '4 3' : null,
      'marker-end': `url(#${titleId}-${next ? 'arrow-next' : 'arrow'})`,
      class: next ? 'edge edge-next' : 'edge',
      'data-event': e.event,
    });
    path.append(
      svg(
        'title',
        {},
        `${e.from.replace(/_/g, ' ')} → ${e.to.replace(/_/g, ' ')}: ${e.event}${e.signed ? ' (signed)' : ''}`,
      ),
    );
    edgesLayer.append(path);
    if (next) {
      const text = `${e.event}${e.signed ? ' ✍' : ''}`;
      const label = svg('text', { x: lx, y: ly + 4, 'text-anchor': 'middle', class: 'edge-label' }, text);
      const w = text.length * 6.2 + 8;
      labelsLayer.append(
        svg('rect', { x: lx - w / 2, y: ly - 8, width: w, height: 16, rx: 3, class: 'edge-label-bg' }),
      );
      labelsLayer.append(label);
    }
  }
  root.append(edgesLayer);

  const nodes = svg('g', { class: 'nodes' });
  for (const state of graph.states) {
    const p = pos.get(state);
    const isCurrent = state === current;
    const isFinal = graph.finals.has(state);
    const g = svg('g', {
      class: `node${isCurrent ? ' current' : ''}${isFinal ? ' final' : ''}`,
      'data-state': state,
      'aria-current': isCurrent ? 'step' : null,
    });
    g.append(svg('rect', { x: p.x, y: p.y, width: NODE_W, height: NODE_H, rx: 10 }));
    if (isFinal) {
      g.append(
        svg('rect', { x: p.x + 3, y: p.y + 3, width: NODE_W - 6, height: NODE_H - 6, rx: 8, class: 'inner' }),
      );
    }
    const lines = labelLines(state);
    lines.forEach((line, i) => {
      const y = p.y + NODE_H / 2 + 4 + (i - (lines.length - 1) / 2) * 13;
      g.append(svg('text', { x: p.x + NODE_W / 2, y, 'text-anchor': 'middle' }, line));
    });
    nodes.append(g);
  }
  root.append(nodes);
  root.append(labelsLayer);
  return root;
}
