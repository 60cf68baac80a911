// asset_details: one asset as a property card (people, certification, tags, terms), its figures,
// and the column profile where OvalEdge has one.
import { chips, formatDate, formatNumber, h, link, startView, typeBadge } from "./common.js";

const missing = () => h("span", { class: "muted" }, "—");
const text = (value) => (value === undefined || value === null || value === "" ? missing() : String(value));

function certification(value) {
  const level = String(value ?? "none").toLowerCase();
  const label = { certified: "Certified", draft: "Draft", none: "Not certified" }[level] ?? String(value);
  return h("span", { class: `cert cert-${level}` }, level === "certified" ? "✔ " : "", label);
}

function figure(label, value) {
  return h("div", { class: "figure", "data-figure": label }, h("div", { class: "value" }, value), h("div", { class: "label" }, label));
}

function percent(value) {
  return typeof value === "number" ? `${formatNumber(value, 2)} %` : "—";
}

function profileTable(profile) {
  const columns = Array.isArray(profile?.columns) ? profile.columns : [];
  if (!columns.length) return null;
  return [
    h("h2", {}, `Column profile`, profile.profiledAt ? h("span", { class: "muted" }, ` · profiled ${formatDate(profile.profiledAt)}`) : null),
    h("div", { class: "scroll" }, h("table", { class: "profile" },
      h("thead", {}, h("tr", {}, ["Column", "Type"].map((x) => h("th", { scope: "col" }, x)),
        ["Nulls", "Distinct", "Min", "Max"].map((x) => h("th", { scope: "col", class: "num" }, x)))),
      h("tbody", {}, columns.map((column) => h("tr", { "data-column": column.columnName },
        h("td", {}, column.columnName ?? ""),
        h("td", { class: "mono" }, column.dataType ?? ""),
        h("td", { class: "num" }, h("span", { class: "bar", "aria-hidden": "true" },
          h("span", { style: `width:${Math.min(100, Math.max(0, Number(column.nullPercent) || 0))}%` })), percent(column.nullPercent)),
        h("td", { class: "num" }, formatNumber(column.distinctCount)),
        h("td", { class: "num mono" }, text(column.minValue)),
        h("td", { class: "num mono" }, text(column.maxValue))))))),
  ];
}

function relationshipList(relationships) {
  const list = Array.isArray(relationships?.relationships) ? relationships.relationships : [];
  if (!list.length) return null;
  return [
    h("h2", {}, "Relationships"),
    h("ul", { class: "relationships" }, list.map((r) => h("li", {},
      h("span", { class: "mono" }, `${r.fromTable ?? ""}.${r.fromColumn ?? ""}`), " → ",
      h("span", { class: "mono" }, `${r.toTable ?? ""}.${r.toColumn ?? ""}`),
      h("span", { class: "muted" }, ` (${String(r.cardinality ?? "").toLowerCase().replaceAll("_", " ")})`)))),
  ];
}

function render(data) {
  const d = data.details ?? data;
  const profile = data.profile;
  const props = [
    ["Owner", text(d.owner)], ["Steward", text(d.steward)], ["Custodian", text(d.custodian)],
    ["Certification", certification(d.certification)],
    ["Tags", chips(d.tags, "tag")], ["Terms", chips(d.terms, "term")],
    ["Classifications", chips(d.classifications, "classification")],
    ["Domains", chips(d.dataDomains, "domain")],
    ["Critical data element", text(d.criticalDataElement)],
    ["Criticality / sensitivity", `${d.criticality ?? "—"} / ${d.sensitivity ?? "—"}`],
    ["Last crawled", formatDate(d.lastCrawled)],
  ];
  const rowCount = d.rowCount ?? profile?.rowCount;
  const figures = [
    ["Rows", formatNumber(rowCount)], ["Columns", formatNumber(d.columnCount ?? profile?.columns?.length)],
    ["DQ index", formatNumber(d.dqIndex)], ["Null density", percent(d.nullDensity)],
    ["Popularity", formatNumber(d.popularity)], ["Rating", formatNumber(d.rating, 1)],
    ["Curation score", formatNumber(d.curationScore)],
  ].filter(([, value]) => value !== "—");
  return h("main", {},
    h("article", { class: "card" },
      h("header", {}, typeBadge(d.objectType), h("h1", {}, d.objectName ?? "(no name)"),
        d.redirectUrl ? link(d.redirectUrl, { class: "open" }, "Open in OvalEdge ↗") : null),
      h("div", { class: "path" }, d.fullyQualifiedName ?? ""),
      d.businessDescription ? h("p", { class: "description" }, d.businessDescription) : null,
      h("dl", { class: "props" }, props.map(([label, value]) => [h("dt", {}, label), h("dd", { "data-prop": label }, value)])),
      figures.length ? h("div", { class: "figures" }, figures.map(([label, value]) => figure(label, value))) : null,
      profileTable(profile),
      relationshipList(data.relationships)));
}

startView("OvalEdge asset details", render);
