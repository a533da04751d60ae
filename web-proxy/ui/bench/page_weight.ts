// What a browser downloads to open the UI: the files the page loads
// (index.html, app.js, styles.css, its icon; not the API's calls, nor the
// service worker's script, fetched by the worker): bytes on the wire,
// headers included, as Chromium's DevTools protocol counts them
// (Network.loadingFinished's encodedDataLength), on a first visit (a new
// browser context: empty cache) and on a reload, signed in, at phone size.
// Against the real server and codex-manager-web serving web-proxy/ui/dist
// (node scripts/build.mjs first); CODEX_MANAGER_BUILD picks the binaries.
// Prints one JSON line per visit, RUNS times (default 3).
import { join } from "node:path";

import { launchBrowser } from "../test/browser_support.js";
import { startStack, UI } from "../test/support.js";

const runs = Number(process.env.RUNS ?? 3);

const stack = await startStack({ proxyArgs: ["--static-dir", join(UI, "dist")] });
const browser = await launchBrowser();
try {
  for (let run = 1; run <= runs; run++) {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    const files = new Set<string>();
    let bytes = 0;
    let responses = 0;
    cdp.on("Network.responseReceived", (e) => {
      if (!new URL(e.response.url).pathname.startsWith("/codex_manager.")) files.add(e.requestId);
    });
    cdp.on("Network.loadingFinished", (e) => {
      if (!files.has(e.requestId)) return;
      bytes += e.encodedDataLength;
      responses += 1;
    });
    for (const visit of ["first", "reload"]) {
      bytes = 0;
      responses = 0;
      if (visit === "first") await page.goto(`${stack.baseUrl}/#token=${stack.token}`);
      else await page.reload();
      await page.locator(".who", { hasText: "admin" }).waitFor({ timeout: 10000 });
      await page.waitForLoadState("networkidle");
      console.log(JSON.stringify({ run, visit, responses, bytes }));
    }
    await page.close();
  }
} finally {
  await browser.close();
  await stack.stop();
}
