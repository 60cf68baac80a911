// metadata_changes_between_crawls: tables and columns added, removed and changed between two
// crawls, from the changes OvalEdge recorded (the Markdown report is for the model). The worker
// flattens OvalEdge's tableChanges and columnChanges into `changes` and its rollup into `summary`.
import { formatDate, formatNumber, h, link, startView } from "./common.js";

// changeType -> what kind of change it is, in words, and the colour family it takes.
const CHANGES = {
  TABLE_ADDED: ["table", "Added", "added"], TABLE_DELETED: ["table", "Removed", "removed"],
  COLUMN_ADDED: ["column", "Added", "added"], COLUMN_DELETED: ["column", "Removed", "removed"],
  TABLE_MODIFIED: ["table", "Modified", "changed"], COLUMN_MODIFIED: ["column", "Modified", "changed"],
  COLUMN_RENAMED: ["column", "Renamed", "changed"], DATA_TYPE_CHANGED: ["column", "Type changed", "changed"],
};
const MARKS = { added: "+", removed: "−", changed: "~" };
const TILES = [
  ["tablesAdded", "tables added"], ["tablesDeleted", "tables removed"], ["tablesModified", "tables modified"],
  ["columnsAdded", "columns added"], ["columnsDeleted", "columns removed"], ["columnsModified", "columns modified"],
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
  if (change.changeType === "COLUMN_MODIFIED") return change.detail ?? "";
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
  const header = data.contextHeader ?? {};
  const summary = data.summary ?? {};
  const fallback = data.fallback?.show && data.fallback.message ? data.fallback.message : null;
  const schema = header.catalogSchema ? ` (schema ${header.catalogSchema})` : "";
  const counted = Number(summary.totalChanges ?? 0);
  return h("main", {},
    h("h1", {}, `Metadata changes in ${header.connection ?? data.connectionName ?? "the connection"}${schema}`),
    h("p", { class: "summary" },
      `Crawls analyzed: ${formatDate(data.analyzedFromTimestamp)} → ${formatDate(data.analyzedToTimestamp)}`,
      data.crawlComparisonReference ? ` · ${data.crawlComparisonReference}` : ""),
    h("div", { class: "tiles" }, TILES.map(([key, label]) => h("div", { class: "tile", "data-tile": key },
      h("div", { class: "value" }, formatNumber(summary[key] ?? 0)), h("div", { class: "label" }, label)))),
    changes.length ? null : h("p", { class: "muted" }, counted > 0
      ? `OvalEdge counted ${formatNumber(counted)} changes but listed none; open the comparison in OvalEdge.`
      : "No metadata changes were recorded in this window."),
    section("Tables", tables, ["Change", "Schema", "Table"]),
    section("Columns", columns, ["Change", "Table", "Column", "Before", "After"]),
    fallback ? h("p", { class: "note", role: "note" }, fallback) : null);
}

startView("OvalEdge metadata changes", render);
