// Builds the UI into dist/ (what codex-manager-web --static-dir serves):
// src/main.ts bundled by esbuild, plus index.html, styles.css, the
// service worker, sw.js (plain JavaScript: it runs in a worker, not a
// page), the web app manifest and its icons (scripts/make_icons.py).
// With --tests, also bundles test/*.test.ts into dist-test/ for node --test;
// with --bench, bench/proxy_throughput.ts into dist-bench/.
import { build } from "esbuild";
import { copyFileSync, cpSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
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
    entryPoints: [join(ui, "bench/proxy_throughput.ts")],
    outfile: join(ui, "dist-bench/proxy_throughput.mjs"),
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
