// Builds the UI into dist/ (what codex-manager-web --static-dir serves):
// src/main.ts bundled by esbuild, plus index.html, styles.css, the
// service worker, sw.js (plain JavaScript: it runs in a worker, not a
// page), the web app manifest and its icons (scripts/make_icons.py); each
// text file also as FILE.gz, which codex-manager-web sends to browsers that
// accept gzip (web-proxy/static_files.h).
// With --tests, also bundles test/*.test.ts into dist-test/ for node --test;
// with --bench, bench/*.ts into dist-bench/.
import { build } from "esbuild";
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { constants, gzipSync } from "node:zlib";
import { generateProtobufTs } from "./generate.mjs";

const ui = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(ui, "dist");

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: [join(ui, "src/main.ts")],
  outfile: join(dist, "app.js"),
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  sourcemap: true,
  logLevel: "warning",
});
for (const file of ["index.html", "styles.css", "sw.js", "manifest.webmanifest"]) {
  copyFileSync(join(ui, "src", file), join(dist, file));
}
cpSync(join(ui, "src/icons"), join(dist, "icons"), { recursive: true });
// The gzip variants (the PNG icons are compressed already).
for (const file of readdirSync(dist)) {
  if (!/\.(html|js|css|map|webmanifest)$/.test(file)) continue;
  const text = readFileSync(join(dist, file));
  writeFileSync(join(dist, `${file}.gz`), gzipSync(text, { level: constants.Z_BEST_COMPRESSION }));
}

const nodeBundle = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["playwright-core"],
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  logLevel: "warning",
};

if (process.argv.includes("--bench")) {
  rmSync(join(ui, "dist-bench"), { recursive: true, force: true });
  await build({
    ...nodeBundle,
    entryPoints: ["proxy_throughput.ts", "page_weight.ts", "transcript_frames.ts"].map((f) => join(ui, "bench", f)),
    outdir: join(ui, "dist-bench"),
    outExtension: { ".js": ".mjs" },
  });
}

if (process.argv.includes("--tests")) {
  generateProtobufTs(join(ui, "test-gen"));
  const out = join(ui, "dist-test");
  rmSync(out, { recursive: true, force: true });
  const tests = readdirSync(join(ui, "test")).filter((f) => f.endsWith(".test.ts"));
  await build({
    entryPoints: tests.map((f) => join(ui, "test", f)),
    outdir: out,
    outExtension: { ".js": ".mjs" },
    ...nodeBundle,
  });
}
