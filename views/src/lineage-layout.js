// Where each node of a lineage answer goes: one band per hop, upstream bands to the left of the
// asset, downstream bands to the right. Within a band, nodes are ordered to keep edges short
// (barycentre sweeps). A band of up to MAX_ROWS nodes is one column, which keeps every edge in
// the open between bands (a graph of 55 nodes is about 1,100 px tall); a longer band is wrapped
// into several columns rather than growing into one endless column.

export const NODE = { width: 220, height: 42 };
const ROW_GAP = 10;
const WRAP_GAP = 26; // between the columns of one wrapped band
const BAND_GAP = 84; // between bands: room for the edges to fan out
const MAX_ROWS = 20;
const TOP = 34; // the band headings sit above the nodes
const MARGIN = 16;

// The graph as nodes (id -> node with its band) and edges, from asset_lineage's answer.
export function graphOf(data) {
  const nodes = new Map();
  const add = (raw, band) => {
    if (!raw || raw.objectId === undefined || nodes.has(raw.objectId)) return;
    nodes.set(raw.objectId, { ...raw, id: raw.objectId, band });
  };
  add(data.root, 0);
  for (const raw of data.upstream ?? []) add(raw, -Math.max(1, Number(raw.level) || 1));
  for (const raw of data.downstream ?? []) add(raw, Math.max(1, Number(raw.level) || 1));
  const edges = [];
  let dropped = 0;
  const seen = new Set();
  for (const edge of data.edges ?? []) {
    const key = `${edge.sourceId}->${edge.targetId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (nodes.has(edge.sourceId) && nodes.has(edge.targetId)) edges.push({ ...edge, source: edge.sourceId, target: edge.targetId });
    else dropped += 1; // an end was cut from the answer to fit: nothing to draw it to
  }
  return { nodes, edges, dropped };
}

function neighbours(edges) {
  const of = new Map();
  const link = (a, b) => { if (!of.has(a)) of.set(a, []); of.get(a).push(b); };
  for (const { source, target } of edges) { link(source, target); link(target, source); }
  return of;
}

// Order each band by the mean position of its neighbours in the band next to it, toward the asset.
function orderBands(bands, edges) {
  const near = neighbours(edges);
  const position = new Map();
  const index = (band) => band.forEach((node, i) => position.set(node.id, i / Math.max(1, band.length - 1)));
  const keys = [...bands.keys()].sort((a, b) => a - b);
  for (const key of keys) {
    bands.get(key).sort((a, b) => String(a.objectName).localeCompare(String(b.objectName)));
    index(bands.get(key));
  }
  const sweep = (sequence) => {
    for (const key of sequence) {
      const inward = key > 0 ? key - 1 : key + 1;
      const band = bands.get(key);
      const centre = (node) => {
        const around = (near.get(node.id) ?? []).filter((id) => bands.get(inward)?.some((n) => n.id === id));
        return around.length ? around.reduce((sum, id) => sum + position.get(id), 0) / around.length : position.get(node.id);
      };
      const centres = new Map(band.map((node) => [node.id, centre(node)]));
      band.sort((a, b) => centres.get(a.id) - centres.get(b.id));
      index(band);
    }
  };
  for (let pass = 0; pass < 3; pass += 1) {
    sweep(keys.filter((k) => k > 0));
    sweep(keys.filter((k) => k < 0).reverse());
  }
}

export function layout(graph) {
  const bands = new Map();
  for (const node of graph.nodes.values()) {
    if (!bands.has(node.band)) bands.set(node.band, []);
    bands.get(node.band).push(node);
  }
  orderBands(bands, graph.edges);
  const keys = [...bands.keys()].sort((a, b) => a - b);
  const rowsOf = (band) => Math.ceil(band.length / Math.ceil(band.length / MAX_ROWS));
  const tallest = Math.max(...keys.map((key) => rowsOf(bands.get(key))));
  const height = TOP + tallest * (NODE.height + ROW_GAP) - ROW_GAP + MARGIN;
  const columns = [];
  let x = MARGIN;
  for (const key of keys) {
    const band = bands.get(key);
    const rows = rowsOf(band);
    const wraps = Math.ceil(band.length / rows);
    band.forEach((node, i) => {
      const column = Math.floor(i / rows);
      const row = i % rows;
      const inColumn = Math.min(rows, band.length - column * rows);
      // Centre each column vertically so short bands sit level with the asset.
      const offset = ((tallest - inColumn) * (NODE.height + ROW_GAP)) / 2;
      node.x = x + column * (NODE.width + WRAP_GAP);
      node.y = TOP + offset + row * (NODE.height + ROW_GAP);
    });
    const width = wraps * NODE.width + (wraps - 1) * WRAP_GAP;
    columns.push({ band: key, x, width, count: band.length });
    x += width + BAND_GAP;
  }
  return { columns, width: x - BAND_GAP + MARGIN, height };
}

// An edge from the right side of its source to the left side of its target; one that does not
// run rightwards (inside a band) bows out to the right so it stays visible.
export function edgePath(source, target) {
  const sx = source.x + NODE.width;
  const sy = source.y + NODE.height / 2;
  const tx = target.x;
  const ty = target.y + NODE.height / 2;
  if (tx > sx) {
    const bend = Math.max(30, (tx - sx) / 2);
    return `M${sx},${sy} C${sx + bend},${sy} ${tx - bend},${ty} ${tx},${ty}`;
  }
  const out = Math.max(sx, target.x + NODE.width) + 36;
  return `M${sx},${sy} C${out},${sy} ${out},${ty} ${target.x + NODE.width},${ty}`;
}
