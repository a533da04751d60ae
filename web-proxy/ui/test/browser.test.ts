// The UI in a real browser (Debian's chromium via playwright-core), against
// the real server, the proxy and the real codex on the scripted model:
// create a session, send a prompt, watch the reply stream in, approve the
// command, see its output and the completed turn; reload mid-turn and see
// the transcript whole with no duplicates; at 375 px and at desktop width.
// Screenshots go to tests/artifacts/web/.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { type AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { createClient } from "@connectrpc/connect";
import { type Browser, type Page } from "playwright-core";

import { AuthService, Role } from "../src/gen/codex_manager/v1/auth_pb.js";
import { TurnService } from "../src/gen/codex_manager/v1/turns_pb.js";

import { ARTIFACTS, launchBrowser, newSession } from "./browser_support.js";
import { apiTransport, type Stack, startStack, UI } from "./support.js";

let stack: Stack;
let browser: Browser;
// Serves examples/parent.html from another origin, for the iframe bridge.
let parent: Server;
let parentOrigin = "";

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  parent = createServer((_req, res) => {
    res.setHeader("content-type", "text/html");
    res.end(readFileSync(join(UI, "examples/parent.html")));
  });
  await new Promise<void>((r) => parent.listen(0, "127.0.0.1", r));
  parentOrigin = `http://127.0.0.1:${(parent.address() as AddressInfo).port}`;
  stack = await startStack({
    realCodex: true,
    proxyArgs: ["--static-dir", join(UI, "dist"), "--frame-ancestor", parentOrigin],
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
  parent?.close();
});

async function entryIds(page: Page): Promise<string[]> {
  return page.locator("[data-entry-id]").evaluateAll(
    (els) => els.map((e) => e.getAttribute("data-entry-id") ?? ""));
}

const session = (page: Page, name: string) => newSession(page, stack, name);

for (const [label, viewport] of [["phone", { width: 375, height: 740 }],
                                 ["desktop", { width: 1280, height: 860 }]] as const) {
  test(`approve a command and reload mid-turn (${label})`, async () => {
    const page = await browser.newPage({ viewport });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await session(page, `browser ${label}`);

    await page.fill("textarea", "please run: echo browser-ok");
    await page.click(".composer button[type=submit]");
    const card = page.locator(".approval");
    await card.waitFor({ timeout: 30000 });
    assert.match(await card.locator("pre").innerText(), /echo browser-ok/);
    await page.screenshot({ path: join(ARTIFACTS, `${label}-approval.png`), fullPage: true });
    await card.getByRole("button", { name: "Approve", exact: true }).click();
    await page.locator(".entry.agent", { hasText: "Command output: browser-ok" }).waitFor({ timeout: 30000 });
    assert.match(await page.locator(".entry.command").first().innerText(), /browser-ok/);
    await page.locator(".entry.turn", { hasText: "Turn completed" }).waitFor();
    assert.equal(await page.locator(".approval").count(), 0);
    await page.screenshot({ path: join(ARTIFACTS, `${label}-completed.png`), fullPage: true });

    // A slow reply: reload while it streams.
    await page.fill("textarea", "slow: 150");
    await page.click(".composer button[type=submit]");
    await page.locator(".entry.agent", { hasText: "word3" }).waitFor({ timeout: 30000 });
    await page.reload();
    await page.locator(".entry.agent", { hasText: "word19" }).waitFor({ timeout: 30000 });
    await page.locator(".entry.turn").nth(1).waitFor({ timeout: 30000 });
    const ids = await entryIds(page);
    assert.equal(new Set(ids).size, ids.length, `duplicated entries: ${ids.join(",")}`);
    assert.equal(await page.locator(".entry.prompt").count(), 2);
    assert.equal(await page.locator(".entry.agent", { hasText: "word19" }).count(), 1);
    assert.match(await page.locator(".entry.agent", { hasText: "word19" }).innerText(),
                 /^word0 word1 .* word19\s*$/);
    await page.screenshot({ path: join(ARTIFACTS, `${label}-after-reload.png`), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test("on a phone the UI installs as an app: manifest, icons, service worker", async () => {
  const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
  await page.goto(`${stack.baseUrl}/#token=${stack.token}`);
  await page.locator(".who", { hasText: "admin" }).waitFor({ timeout: 10000 });
  await page.evaluate(() => navigator.serviceWorker.ready);
  // What Chromium itself says of the manifest and of installing the page.
  const cdp = await page.context().newCDPSession(page);
  const manifest = await cdp.send("Page.getAppManifest") as
    { url: string; errors: { message: string }[]; data?: string };
  assert.equal(manifest.url, `${stack.baseUrl}/manifest.webmanifest`);
  assert.deepEqual(manifest.errors, []);
  // A test's browser context is off the record ("in-incognito", where
  // nothing installs); no other reason may stand in the way.
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  assert.deepEqual(installabilityErrors.filter((e) => e.errorId !== "in-incognito"), []);
  // Each icon is the PNG of the size it claims.
  const icons = (JSON.parse(manifest.data ?? "{}") as { icons: { src: string; sizes: string }[] }).icons;
  assert.equal(icons.length, 3);
  for (const icon of [...icons, { src: "/icons/apple-touch-icon.png", sizes: "180x180" }]) {
    const size = await page.evaluate(async (src) => {
      const image = new Image();
      image.src = src;
      await image.decode();
      return `${image.naturalWidth}x${image.naturalHeight}`;
    }, icon.src);
    assert.equal(size, icon.sizes, icon.src);
  }
  await page.close();
});

test("the UI's files come gzipped, and a reload fetches none of them again", async () => {
  const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  // Bytes on the wire (headers included) and Content-Encoding of each
  // static file, by path; the API's POSTs are left out.
  let files = new Map<string, { bytes: number; encoding: string }>();
  const paths = new Map<string, string>();
  cdp.on("Network.responseReceived", (e) => {
    const url = new URL(e.response.url);
    if (url.origin !== stack.baseUrl || url.pathname.startsWith("/codex_manager.")) return;
    paths.set(e.requestId, url.pathname);
    files.set(url.pathname, { bytes: 0, encoding: String(e.response.headers["content-encoding"] ?? "") });
  });
  cdp.on("Network.loadingFinished", (e) => {
    const path = paths.get(e.requestId);
    if (path) files.get(path)!.bytes += e.encodedDataLength;
  });
  const signIn = async () => page.locator(".who", { hasText: "admin" }).waitFor({ timeout: 10000 });
  await page.goto(`${stack.baseUrl}/#token=${stack.token}`);
  await signIn();
  await page.waitForLoadState("networkidle");
  const app = readFileSync(join(UI, "dist/app.js"));
  const first = files.get("/app.js")!;
  assert.equal(first.encoding, "gzip");
  assert.ok(first.bytes < app.length / 2, `app.js took ${first.bytes} bytes of ${app.length}`);
  assert.equal(files.get("/styles.css")?.encoding, "gzip");

  files = new Map();
  await page.reload();
  await signIn();
  await page.waitForLoadState("networkidle");
  // Each file was asked again (Cache-Control: no-cache) and answered 304:
  // headers only.
  for (const path of ["/", "/app.js", "/styles.css"]) {
    const again = files.get(path);
    assert.ok(again && again.bytes < 1000, `${path} on reload: ${JSON.stringify(again)}`);
  }
  await page.close();
});

test("the iframe bridge posts status to an allowed parent and answers it", async () => {
  const page = await browser.newPage({ viewport: { width: 900, height: 800 } });
  const sessionId = await session(page, "embedded");
  const ui = `${stack.baseUrl}/#/s/${sessionId}`;
  await page.goto(`${parentOrigin}/?ui=${encodeURIComponent(ui)}`);
  const status = page.locator("#status");
  await status.filter({ hasText: sessionId }).waitFor({ timeout: 30000 });
  assert.match(await status.innerText(), /"state":"IDLE"/);
  // The parent asks; the UI answers.
  await page.evaluate(() => { document.getElementById("status")!.textContent = ""; });
  await page.click("#ask");
  await status.filter({ hasText: sessionId }).waitFor({ timeout: 10000 });
  await page.screenshot({ path: join(ARTIFACTS, "embedded.png") });
  await page.close();
});

test("the UI refuses to be framed by an origin not allowed", async () => {
  const res = await fetch(`${stack.baseUrl}/`);
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.match(csp, new RegExp(`frame-ancestors ${parentOrigin}$`));
  const config = await (await fetch(`${stack.baseUrl}/ui-config.json`)).json();
  assert.deepEqual(config, { parentOrigins: [parentOrigin] });
});

test("a network drop shows a banner, then the UI resumes with nothing missing or doubled", async () => {
  const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
  const sessionId = await session(page, "network drop");
  await page.fill("textarea", "before the drop");
  await page.click(".composer button[type=submit]");
  await page.locator(".entry.agent", { hasText: "You said: before the drop" }).waitFor({ timeout: 30000 });

  await stack.killProxy();
  const banner = page.locator(".banner");
  await banner.waitFor({ state: "visible", timeout: 10000 });
  assert.match(await banner.innerText(), /reconnecting/i);
  await page.screenshot({ path: join(ARTIFACTS, "phone-disconnected.png") });
  // The session goes on without the browser.
  const turns = createClient(TurnService, apiTransport(stack));
  await turns.startTurn({ sessionId, prompt: "while you were away" });
  await new Promise((r) => setTimeout(r, 1500));

  await stack.restartProxy();
  await page.locator(".entry.agent", { hasText: "You said: while you were away" })
    .waitFor({ timeout: 30000 });
  await banner.waitFor({ state: "hidden", timeout: 10000 });
  const ids = await entryIds(page);
  assert.equal(new Set(ids).size, ids.length, `duplicated entries: ${ids.join(",")}`);
  assert.equal(await page.locator(".entry.prompt").count(), 2);
  assert.equal(await page.locator(".entry.turn").count(), 2);
  await page.screenshot({ path: join(ARTIFACTS, "phone-reconnected.png") });
  await page.close();
});

test("sign in by pasting a token; a viewer sees no controls; sign out", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(stack.baseUrl);
  const token = page.locator("input[name=token]");
  await token.waitFor({ timeout: 10000 });
  await token.fill("cmt_not-a-real-token");
  await page.click("button[type=submit]");
  // The proxy takes any token-shaped value; the server refuses it, and the
  // form says so (a new form: the old input is gone).
  await page.locator(".signin .error", { hasText: "did not accept that token" })
    .waitFor({ timeout: 10000 });
  const cookies = await page.context().cookies();
  assert.ok(cookies.every((c) => c.name !== "cm_token" || c.httpOnly));

  const viewer = createClient(AuthService, apiTransport(stack));
  const created = await viewer.createToken({ name: "watcher", role: Role.VIEWER });
  await page.fill("input[name=token]", created.secret);
  await page.click("button[type=submit]");
  await page.locator(".who", { hasText: "watcher (viewer)" }).waitFor({ timeout: 10000 });
  assert.equal(await page.locator("form.create").count(), 0);
  assert.equal(await page.evaluate(() => document.cookie), "");  // HttpOnly
  await page.screenshot({ path: join(ARTIFACTS, "phone-viewer.png") });
  await page.click(".who button");
  await page.locator("input[name=token]").waitFor({ timeout: 10000 });
  await page.close();
});

test("a server unreachable when the page opens is said in the page's frame, with a retry", async () => {
  const own = await startStack({ proxyArgs: ["--static-dir", join(UI, "dist")] });
  await new Promise<void>((done) => {
    own.server.child.once("exit", () => done());
    own.server.child.kill("SIGKILL");
  });
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  try {
    await page.goto(`${own.baseUrl}/#token=${own.token}`);
    const error = page.locator("main .error");
    await error.waitFor({ timeout: 15000 });
    assert.match(await error.innerText(), /Can't reach the Codex Manager server/);
    await page.locator("header.bar h1", { hasText: "Codex Manager" }).waitFor();
    // Not against the screen's edge, as it was before it had the frame.
    const box = (await error.boundingBox())!;
    assert.ok(box.x >= 8, `error at x=${box.x}`);
    await page.getByRole("button", { name: "Try again" }).click();
    await error.waitFor({ timeout: 15000 });
    await page.screenshot({ path: join(ARTIFACTS, "phone-server-unreachable-at-start.png") });
  } finally {
    await page.close();
    await own.stop();
  }
});

test("a server that cannot be reached is said so in words, not gRPC's text", async () => {
  const own = await startStack({ proxyArgs: ["--static-dir", join(UI, "dist")] });
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  try {
    await page.goto(`${own.baseUrl}/#token=${own.token}`);
    await page.locator("h2", { hasText: "Sessions" }).waitFor({ timeout: 10000 });
    await new Promise<void>((done) => {
      own.server.child.once("exit", () => done());
      own.server.child.kill("SIGKILL");
    });
    const error = page.locator(".list .error");
    await error.waitFor({ timeout: 15000 });
    const text = await error.innerText();
    assert.match(text, /Can't reach the Codex Manager server/);
    assert.match(text, /codex-manager-server is running/);
    assert.doesNotMatch(text, /failed to connect to all addresses|ipv4:/);
    await page.screenshot({ path: join(ARTIFACTS, "phone-server-unreachable.png") });
  } finally {
    await page.close();
    await own.stop();
  }
});
