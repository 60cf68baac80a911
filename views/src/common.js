// What every view shares: the connection to the host (the ext-apps SDK's App), the host's theme,
// reading a tool result, links that the host opens, and a small DOM builder.
import { App, applyDocumentTheme, applyHostFonts, applyHostStyleVariables } from "@modelcontextprotocol/ext-apps";

// Object types as people say them (OvalEdge's objectType values are internal names).
export const TYPE_LABELS = {
  oetable: "Table", oecolumn: "Column", oefile: "File", oefilecolumn: "File column",
  oechart: "Chart", oereport: "Report", oeschema: "Schema", oequery: "Query", glossary: "Term",
  oetag: "Tag", oestory: "Data story", storyzone: "Story zone", oeapi: "API",
};

export function typeLabel(type) {
  return TYPE_LABELS[type] ?? String(type ?? "Object");
}

// Colour families by kind of object; the label is always written out too, so colour is never
// the only way to tell types apart.
export function typeFamily(type) {
  if (type === "oetable" || type === "oeschema") return "table";
  if (type === "oefile" || type === "oefilecolumn") return "file";
  if (type === "oechart" || type === "oereport") return "chart";
  if (type === "oecolumn") return "column";
  if (type === "glossary" || type === "oetag") return "term";
  return "other";
}

// Elements are built from text and attributes only (never innerHTML): catalog names and
// descriptions are shown as text, whatever they contain.
function build(element, attributes, children) {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function h(tag, attributes, ...children) {
  return build(document.createElement(tag), attributes, children);
}

export function s(tag, attributes, ...children) {
  return build(document.createElementNS("http://www.w3.org/2000/svg", tag), attributes, children);
}

const locale = () => document.documentElement.lang || undefined;

export function formatNumber(value, digits = 0) {
  if (typeof value !== "number" || !Number.isFinite(value)) return value === undefined || value === null ? "—" : String(value);
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
}

export function formatDate(value) {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const hasTime = /T\d\d:\d\d/.test(String(value));
  return new Intl.DateTimeFormat(locale(), hasTime
    ? { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }
    : { dateStyle: "medium", timeZone: "UTC" }).format(date) + (hasTime ? " UTC" : "");
}

export function typeBadge(type) {
  return h("span", { class: `badge type-${typeFamily(type)}`, "data-type": type }, typeLabel(type));
}

export function chips(values, kind) {
  const list = Array.isArray(values) ? values.filter((v) => v !== null && v !== "") : [];
  if (!list.length) return h("span", { class: "muted" }, "none");
  return h("span", { class: "chips" }, list.map((value) => h("span", { class: `chip ${kind}` }, String(value))));
}

// The tool's answer: structuredContent (our server always sends it), else the JSON text block.
// Our tools answer {ok, data, ...}; `_truncation` says what was cut to fit the size budget.
export function readResult(result) {
  if (result?.isError) {
    const text = (result.content ?? []).map((block) => block.text ?? "").join("\n").trim();
    return { error: text || "The tool reported an error." };
  }
  let answer = result?.structuredContent;
  if (!answer) {
    const text = (result?.content ?? []).find((block) => block.type === "text")?.text;
    try { answer = text ? JSON.parse(text) : undefined; } catch { answer = undefined; }
  }
  if (!answer || typeof answer !== "object") return { error: "The tool result holds no data to show." };
  const data = answer.data && typeof answer.data === "object" ? answer.data : answer;
  return { answer, data, truncation: answer._truncation };
}

let currentApp;

// A link to OvalEdge. In a host's sandboxed frame a plain link may not open, so a click asks
// the host to open it (ui/open-link); the href stays for copying and for hosts without that.
export function link(url, attributes, ...children) {
  const open = (event) => {
    if (!currentApp?.getHostCapabilities()?.openLinks) return;
    event.preventDefault();
    currentApp.openLink({ url }).catch((error) => console.warn("the host did not open the link", error));
  };
  const svgLink = attributes?.svg;
  const attrs = { ...attributes, svg: undefined, href: url, target: "_blank", rel: "noopener noreferrer", onclick: url ? open : undefined };
  return svgLink ? s("a", attrs, ...children) : h("a", attrs, ...children);
}

export function truncationNote(truncation) {
  if (!truncation) return null;
  return h("p", { class: "note", role: "note" },
    "Part of this answer was cut to fit: ", (truncation.cut ?? []).slice(0, 3).join("; "),
    truncation.how_to_get_the_rest ? `. To see the rest: ${truncation.how_to_get_the_rest}.` : ".");
}

function applyHostContext(context) {
  if (!context) return;
  if (context.theme) applyDocumentTheme(context.theme);
  if (context.styles?.variables) applyHostStyleVariables(context.styles.variables);
  if (context.styles?.css?.fonts) applyHostFonts(context.styles.css.fonts);
  if (context.locale) document.documentElement.lang = context.locale;
}

// Connect to the host and draw `render(data, answer)` for every tool result it sends.
export function startView(name, render) {
  const root = document.getElementById("view");
  const show = (...nodes) => root.replaceChildren(...nodes);
  const app = new App({ name, version: "1.0.0" }, {}, { autoResize: true });
  currentApp = app;
  app.addEventListener("hostcontextchanged", applyHostContext);
  app.addEventListener("toolresult", (result) => {
    const read = readResult(result);
    if (read.error) {
      show(h("p", { class: "error", role: "alert" }, read.error));
      return;
    }
    try {
      show(render(read.data, read.answer), truncationNote(read.truncation) ?? "");
    } catch (error) {
      console.error(error);
      show(h("p", { class: "error", role: "alert" }, "This result could not be drawn; the answer itself is unchanged."));
    }
  });
  app.addEventListener("toolcancelled", () => show(h("p", { class: "muted" }, "The call was cancelled.")));
  app.connect()
    .then(() => applyHostContext(app.getHostContext()))
    .catch((error) => {
      console.error("could not connect to the host", error);
      show(h("p", { class: "error", role: "alert" }, "This view could not connect to its host."));
    });
}
