// asset_explorer: the hits as a table (type, name, path, owner, link), sortable by any column.
import { formatNumber, h, link, startView, typeBadge, typeLabel } from "./common.js";

const COLUMNS = [
  { key: "type", label: "Type", value: (hit) => typeLabel(hit.objectType) },
  { key: "name", label: "Name", value: (hit) => hit.objectName ?? "" },
  { key: "path", label: "Path", value: (hit) => hit.fullyQualifiedName ?? "" },
  { key: "owner", label: "Owner", value: (hit) => hit.owner ?? "" },
];

// Exact glossary-term or tag lookups answer with these lists instead of (or beside) items.
function hitsOf(data) {
  const items = Array.isArray(data.items) ? data.items : [];
  const extra = [...(data.glossaryTerms ?? []), ...(data.tags ?? [])].filter((x) => x && typeof x === "object");
  return [...items, ...extra.filter((x) => !items.some((i) => i.objectId === x.objectId && i.objectType === x.objectType))];
}

function row(hit) {
  return h("tr", { "data-object-id": hit.objectId, "data-object-type": hit.objectType },
    h("td", {}, typeBadge(hit.objectType)),
    h("td", {}, h("div", { class: "name" }, hit.objectName ?? "(no name)"),
      hit.businessDescription ? h("div", { class: "desc" }, hit.businessDescription) : null),
    h("td", { class: "path" }, hit.fullyQualifiedName ?? ""),
    h("td", {}, hit.owner ?? h("span", { class: "muted" }, "—")),
    h("td", {}, hit.redirectUrl ? link(hit.redirectUrl, { class: "open", title: `Open ${hit.objectName} in OvalEdge` }, "Open ↗")
      : h("span", { class: "muted" }, "—")),
  );
}

function render(data) {
  const hits = hitsOf(data);
  if (!hits.length) return h("main", {}, h("h1", {}, "Catalog search"), h("p", { class: "muted" }, "No assets matched."));
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  const body = h("tbody", {}, hits.map(row));
  let sorted = { key: null, direction: 1 };
  const headers = COLUMNS.map((column) => {
    const th = h("th", { scope: "col", "aria-sort": "none", "data-key": column.key },
      h("button", { type: "button", title: `Sort by ${column.label.toLowerCase()}`, onclick: () => sortBy(column) },
        column.label, h("span", { class: "arrow", "aria-hidden": "true" })));
    column.th = th;
    return th;
  });

  function sortBy(column) {
    sorted = { key: column.key, direction: sorted.key === column.key ? -sorted.direction : 1 };
    const order = hits.map((hit, index) => ({ hit, index }))
      .sort((a, b) => sorted.direction * collator.compare(column.value(a.hit), column.value(b.hit)) || a.index - b.index);
    body.replaceChildren(...order.map(({ hit }) => row(hit)));
    for (const other of COLUMNS) other.th.setAttribute("aria-sort", other === column ? (sorted.direction > 0 ? "ascending" : "descending") : "none");
  }

  const total = typeof data.total === "number" ? data.total : hits.length;
  const page = data.page && data.limit && total > hits.length ? ` · page ${data.page}, ${data.limit} a page` : "";
  return h("main", {},
    h("h1", {}, "Catalog search"),
    h("p", { class: "summary" }, `${formatNumber(hits.length)} of ${formatNumber(total)} hits${page} · in relevance order until you sort`),
    h("div", { class: "scroll" },
      h("table", { class: "hits" },
        h("thead", {}, h("tr", {}, headers, h("th", { scope: "col" }, "OvalEdge"))),
        body)));
}

startView("OvalEdge catalog search", render);
