// asset_lineage: the graph as SVG, upstream sources on the left, the asset in the middle,
// downstream consumers on the right. Each node shows its type and opens in OvalEdge.
import { formatNumber, h, link, s, startView, typeBadge, typeFamily, typeLabel } from "./common.js";
import { NODE, edgePath, graphOf, layout } from "./lineage-layout.js";

const NAME_CHARS = 27; // what fits on a node at 12.5 px; the full name is in the tooltip
const META_CHARS = 34;

const clip = (text, max) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function where(node) {
  return [node.connectionName, node.schemaName].filter(Boolean).join(".");
}

function heading(band) {
  if (band === 0) return "Asset";
  const hops = Math.abs(band);
  return `${band < 0 ? "Upstream" : "Downstream"} · ${hops} hop${hops > 1 ? "s" : ""}`;
}

function nodeElement(node, isRoot, lit) {
  const family = typeFamily(node.objectType);
  const name = String(node.objectName ?? node.id);
  const meta = `${typeLabel(node.objectType).toUpperCase()} · ${where(node)}`;
  const group = s("g", {
    class: `node ${family}${isRoot ? " root" : ""}`, "data-object-id": node.id, "data-object-type": node.objectType,
    "data-band": node.band, transform: `translate(${node.x},${node.y})`,
  },
  s("title", {}, `${name} (${typeLabel(node.objectType)})\n${node.fullyQualifiedName ?? where(node)}\nOpen in OvalEdge`),
  s("rect", { class: "box", width: NODE.width, height: NODE.height, rx: 6 }),
  s("rect", { class: "stripe", width: 5, height: NODE.height, rx: 2 }),
  s("text", { class: "name", x: 13, y: 17 }, clip(name, NAME_CHARS)),
  s("text", { class: "meta", x: 13, y: 33 }, clip(meta, META_CHARS)));
  group.addEventListener("mouseenter", () => lit(node.id, true));
  group.addEventListener("mouseleave", () => lit(node.id, false));
  return node.redirectUrl
    ? link(node.redirectUrl, { svg: true, "aria-label": `${name}, ${typeLabel(node.objectType)}: open in OvalEdge` }, group)
    : group;
}

function render(data) {
  const graph = graphOf(data);
  const root = data.root;
  if (!root) return h("main", {}, h("h1", {}, "Lineage"), h("p", { class: "muted" }, "No lineage in this answer."));
  const { columns, width, height } = layout(graph);
  const edgeElements = new Map();
  const lit = (id, on) => {
    for (const [edge, element] of edgeElements) if (edge.source === id || edge.target === id) element.classList.toggle("lit", on);
  };
  const edges = graph.edges.map((edge) => {
    const element = s("path", {
      class: "edge", d: edgePath(graph.nodes.get(edge.source), graph.nodes.get(edge.target)),
      "data-source": edge.source, "data-target": edge.target,
    }, edge.transformation ? s("title", {}, `${edge.sourceName ?? edge.source} → ${edge.targetName ?? edge.target}: ${edge.transformation}`) : null);
    edgeElements.set(edge, element);
    return element;
  });
  const nodes = [...graph.nodes.values()].map((node) => nodeElement(node, node.id === root.objectId, lit));
  const headings = columns.map((column) => s("text", { class: "heading", x: column.x, y: 18 },
    `${heading(column.band)}${column.band ? ` (${column.count})` : ""}`));
  const upstream = [...graph.nodes.values()].filter((n) => n.band < 0).length;
  const downstream = [...graph.nodes.values()].filter((n) => n.band > 0).length;
  const types = [...new Set([...graph.nodes.values()].map((n) => n.objectType))];
  return h("main", {},
    h("h1", {}, `Lineage of ${root.objectName}`),
    h("p", { class: "summary" },
      `${formatNumber(upstream)} upstream · ${formatNumber(downstream)} downstream · ${formatNumber(graph.edges.length)} edges`,
      data.depth !== undefined ? ` · depth ${data.depth}` : "",
      data.requestedDepth !== undefined && data.requestedDepth !== data.depth ? ` (asked ${data.requestedDepth})` : "",
      graph.dropped ? ` · ${graph.dropped} edges lead to nodes cut from this answer` : ""),
    h("div", { class: "legend", "aria-label": "Node types" }, types.map(typeBadge)),
    h("div", { class: "graph" },
      s("svg", { class: "lineage", width, height, viewBox: `0 0 ${width} ${height}`, role: "img",
        "aria-label": `Lineage graph of ${root.objectName}: ${upstream} upstream and ${downstream} downstream assets` },
      s("g", { class: "headings" }, headings), s("g", { class: "edges" }, edges), s("g", { class: "nodes" }, nodes))));
}

startView("OvalEdge lineage", render);
