// metadata_changes_between_crawls: tables and columns added, removed and changed between two
// crawls, from the changes OvalEdge recorded (the Markdown report is for the model).
import { formatDate, formatNumber, h, link, startView } from "./common.js";

// changeType -> what kind of change it is, in words, and the colour family it takes.
const CHANGES = {
  TABLE_ADDED: ["table", "Added", "added"], TABLE_DELETED: ["table", "Removed", "removed"],
  COLUMN_ADDED: ["column", "Added", "added"], COLUMN_DELETED: ["column", "Removed", "removed"],
  COLUMN_RENAMED: ["column", "Renamed", "changed"], DATA_TYPE_CHANGED: ["column", "Type changed", "changed"],
};
const MARKS = { added: "+", removed: "−", changed: "~" };
const TILES = [
  ["tablesAdded", "tables added"], ["tablesDeleted", "tables removed"], ["columnsAdded", "columns added"],
  ["columnsDeleted", "columns removed"], ["columnsRenamed", "columns renamed"], ["dataTypesChanged", "types changed"],
];

function changeLabel(kind) {
  const [, label, family] = CHANGES[kind] ?? [null, String(kind ?? "Changed"), "changed"];
  return h("span", { class: `change change-${family}` }, `${MARKS[family]} ${label}`);
}

function named(change, text) {
  return change.redirectUrl ? link(change.redirectUrl, { title: "Open in OvalEdge" }, text) : text;
}

function before(change) {
  if (change.changeType === "COLUMN_RENAMED") return h("del", {}, change.oldName ?? "");
  if (change.changeType === "DATA_TYPE_CHANGED" || change.changeType === "COLUMN_DELETED") return h("span", { class: "mono" }, change.oldDataType ?? "");
  return "";
}

function after(change) {
  if (change.changeType === "COLUMN_RENAMED") return h("ins", {}, change.newName ?? "");
  if (change.changeType === "DATA_TYPE_CHANGED" || change.changeType === "COLUMN_ADDED") return h("span", { class: "mono" }, change.newDataType ?? "");
  return "";
}

function section(title, rows, headings) {
  if (!rows.length) return null;
  return [h("h2", {}, `${title} (${rows.length})`),
    h("div", { class: "scroll" }, h("table", { class: `changes ${title.toLowerCase()}` },
      h("thead", {}, h("tr", {}, headings.map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, rows)))];
}

function render(data) {
  const changes = Array.isArray(data.changes) ? data.changes : [];
  const of = (scope) => changes.filter((c) => (CHANGES[c.changeType]?.[0] ?? "column") === scope);
  const tables = of("table").map((c) => h("tr", { "data-change": c.changeType },
    h("td", {}, changeLabel(c.changeType)), h("td", {}, c.schemaName ?? ""), h("td", {}, named(c, c.tableName ?? ""))));
  const columns = of("column").map((c) => h("tr", { "data-change": c.changeType },
    h("td", {}, changeLabel(c.changeType)), h("td", {}, `${c.schemaName ?? ""}.${c.tableName ?? ""}`),
    h("td", {}, named(c, c.columnName ?? c.newName ?? "")), h("td", {}, before(c)), h("td", {}, after(c))));
  const from = data.fromCrawl ?? {};
  const to = data.toCrawl ?? {};
  const summary = data.summary ?? {};
  return h("main", {},
    h("h1", {}, `Metadata changes in ${data.connectionName ?? "the connection"}`),
    h("p", { class: "summary" },
      `Crawl ${from.crawlId ?? "?"} (${formatDate(from.crawledAt)}) → crawl ${to.crawlId ?? "?"} (${formatDate(to.crawledAt)})`,
      data.source ? ` · from ${String(data.source).replaceAll("_", " ")}` : ""),
    h("div", { class: "tiles" }, TILES.map(([key, label]) => h("div", { class: "tile", "data-tile": key },
      h("div", { class: "value" }, formatNumber(summary[key] ?? 0)), h("div", { class: "label" }, label)))),
    changes.length ? null : h("p", { class: "muted" }, "No metadata changes were recorded in this window."),
    section("Tables", tables, ["Change", "Schema", "Table"]),
    section("Columns", columns, ["Change", "Table", "Column", "Before", "After"]),
    data.recommendation ? h("p", { class: "note", role: "note" }, data.recommendation) : null);
}

startView("OvalEdge metadata changes", render);
