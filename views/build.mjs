// Builds each view into one self-contained HTML file (script and styles inline, the ext-apps SDK
// bundled in: a host's sandbox allows no network), and the test host page the browser test uses.
// Run through scripts/build_views.sh; the outputs are committed so users need no Node.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, "..");
const VIEWS = {
  "asset-explorer": "OvalEdge catalog search",
  "asset-details": "OvalEdge asset details",
  "asset-lineage": "OvalEdge lineage",
  "metadata-changes": "OvalEdge metadata changes",
};
const OUTPUTS = { views: join(REPO, "shared", "views"), host: join(REPO, "tests", "views", "host.html") };

// The files a build is made from, hashed into every output: tests/views/test_views_built.py
// recomputes it (same rule) to tell a committed build from a stale one, without Node.
function sourceFiles() {
  const listed = ["build.mjs", "package.json", "package-lock.json", ".npmrc"];
  for (const folder of ["src", "test-host"]) {
    for (const name of readdirSync(join(HERE, folder))) listed.push(`${folder}/${name}`);
  }
  return listed.sort();
}

function sourceHash() {
  const digest = createHash("sha256");
  for (const path of sourceFiles()) {
    const content = createHash("sha256").update(readFileSync(join(HERE, path))).digest("hex");
    digest.update(`${path}\n${content}\n`);
  }
  return digest.digest("hex");
}

// zod (under the SDK's message schemas) re-exports the error messages of some 40 languages; the
// SDK only ever uses English, which zod imports on its own. Leaving the rest out saves ~260 KB
// per view.
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes("/node_modules/zod/") ? { path: "zod-locales", namespace: "english-only" } : undefined);
    build.onLoad({ filter: /.*/, namespace: "english-only" }, () => ({
      contents: 'export { default as en } from "zod/v4/locales/en.js";', resolveDir: HERE,
    }));
  },
};

async function bundle(entry) {
  const result = await esbuild.build({
    entryPoints: [join(HERE, entry)], bundle: true, minify: true, format: "esm", target: "es2022",
    write: false, metafile: true, legalComments: "eof", plugins: [zodEnglishOnly], logLevel: "warning",
    // The SDK's transport logs every message it sends and parses at debug level; a view has no
    // business filling its host's console with them.
    pure: ["console.debug"],
  });
  const code = result.outputFiles[0].text;
  if (/<\/script/i.test(code)) throw new Error(`${entry}: the bundle contains "</script", which would end the inline script`);
  // Only what made it into the output (tree-shaken files count for nothing).
  const [output] = Object.values(result.metafile.outputs);
  const inputs = Object.entries(output.inputs).filter(([, use]) => use.bytesInOutput > 0).map(([path]) => path);
  return { code, inputs };
}

function page({ title, css, code, hash, body }) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="ovaledge-views-source" content="sha256:${hash}">
<title>${title}</title>
<style>${css}</style>
</head>
<body>
${body}
<script type="module">${code}</script>
</body>
</html>
`;
}

// Every package that ends up in a bundle keeps its licence beside the sources (views/LICENSES).
function keepLicences(inputs) {
  const packages = new Map();
  for (const input of inputs) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match) packages.set(match[1], join(HERE, "node_modules", match[1]));
  }
  const folder = join(HERE, "LICENSES");
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder);
  const lines = ["# Licences of the packages bundled into shared/views/*.html and tests/views/host.html", "",
    "Copied by views/build.mjs from each package as installed; do not edit.", "", "| package | version | licence |", "|---|---|---|"];
  for (const [name, path] of [...packages].sort()) {
    const manifest = JSON.parse(readFileSync(join(path, "package.json"), "utf8"));
    const licence = readdirSync(path).find((file) => /^licen[cs]e/i.test(file));
    if (!licence) throw new Error(`${name} ships no licence file; check its terms before bundling it`);
    const kept = `${name.replace("/", "__")}.txt`;
    copyFileSync(join(path, licence), join(folder, kept));
    lines.push(`| ${name} | ${manifest.version} | ${manifest.license} ([text](${kept})) |`);
  }
  writeFileSync(join(folder, "README.md"), `${lines.join("\n")}\n`);
}

const hash = sourceHash();
const css = readFileSync(join(HERE, "src", "views.css"), "utf8");
if (/<\/style/i.test(css)) throw new Error("views.css contains </style");
mkdirSync(OUTPUTS.views, { recursive: true });
const allInputs = new Set();
for (const [name, title] of Object.entries(VIEWS)) {
  const { code, inputs } = await bundle(`src/${name}.js`);
  inputs.forEach((input) => allInputs.add(input));
  const body = `<div id="view"><p class="muted">Waiting for the tool result…</p></div>`;
  writeFileSync(join(OUTPUTS.views, `${name}.html`), page({ title, css, code, hash, body }));
}
const host = await bundle("test-host/host.js");
host.inputs.forEach((input) => allInputs.add(input));
mkdirSync(dirname(OUTPUTS.host), { recursive: true });
const hostCss = `body{margin:0;padding:16px;font:14px system-ui,sans-serif}
html[data-theme=dark] body{background:#121316;color:#e8e8e8} html[data-theme=light] body{background:#f5f6f8;color:#1b1d22}
iframe{display:block;border:1px solid #8888;border-radius:10px;background:transparent}`;
writeFileSync(OUTPUTS.host, page({ title: "MCP Apps test host", css: hostCss, code: host.code, hash,
  body: `<div id="frame-box"></div>` }));
keepLicences(allInputs);
for (const file of [...Object.keys(VIEWS).map((name) => join(OUTPUTS.views, `${name}.html`)), OUTPUTS.host]) {
  if (!existsSync(file)) throw new Error(`${file} was not written`);
  console.log(`${relative(REPO, file)}  ${readFileSync(file).length} bytes`);
}
