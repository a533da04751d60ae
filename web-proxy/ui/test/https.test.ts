// The UI over HTTPS in Chromium: codex-manager-web serves TLS with a
// certificate from a test CA made here (openssl), under a LAN-style name
// (--public-host codex.lan.test, which Chromium resolves to 127.0.0.1).
// Signing in works from a secure context, the cookie is Secure and
// HttpOnly, and creating a session and a turn works (request ids come from
// crypto.getRandomValues, available there as on plain-HTTP loopback).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { type Browser, chromium } from "playwright-core";

import { REPO, type Stack, startStack } from "./support.js";

const HOST = "codex.lan.test";
const ARTIFACTS = join(REPO, "tests/artifacts/web");
let stack: Stack;
let browser: Browser;

// A test CA and a server certificate for HOST signed by it; returns the
// certificate and key paths and the certificate's SPKI SHA-256 (base64),
// the pin Chromium is told to accept.
function makePki(dir: string): { cert: string; key: string; spki: string } {
  const openssl = (...args: string[]) =>
    execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca",
          "-keyout", "ca.key", "-out", "ca.pem");
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${HOST}`,
          "-keyout", "server.key", "-out", "server.csr");
  writeFileSync(join(dir, "server.ext"), `subjectAltName=DNS:${HOST},IP:127.0.0.1\n`);
  openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
          "-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", "server.pem");
  const cert = new X509Certificate(readFileSync(join(dir, "server.pem")));
  assert.ok(cert.verify(new X509Certificate(readFileSync(join(dir, "ca.pem"))).publicKey));
  const der = cert.publicKey.export({ type: "spki", format: "der" });
  return { cert: join(dir, "server.pem"), key: join(dir, "server.key"),
           spki: createHash("sha256").update(der).digest("base64") };
}

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const pki = makePki(mkdtempSync(join(tmpdir(), "cm-pki-")));
  stack = await startStack({
    proxyArgs: ["--static-dir", join(REPO, "web-proxy/ui/dist"), "--tls-cert", pki.cert,
                "--tls-key", pki.key, "--public-host", HOST],
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
           `--host-resolver-rules=MAP ${HOST} 127.0.0.1`,
           `--ignore-certificate-errors-spki-list=${pki.spki}`],
  });
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test("signed in over HTTPS on a LAN name: secure context, Secure cookie, a turn runs", async () => {
  assert.match(stack.baseUrl, /^https:/);
  const port = new URL(stack.baseUrl).port;
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`https://${HOST}:${port}/#token=${stack.token}`);
  await page.locator(".who", { hasText: "admin" }).waitFor({ timeout: 10000 });
  assert.equal(await page.evaluate(() => window.isSecureContext), true);
  const cookie = (await page.context().cookies()).find((c) => c.name === "cm_token");
  assert.ok(cookie, "no sign-in cookie");
  assert.ok(cookie.secure && cookie.httpOnly && cookie.sameSite === "Strict");

  await page.fill("input[name=cwd]", stack.project);
  await page.fill("input[name=title]", "over https");
  await page.click("button[type=submit]");
  await page.waitForURL(/#\/s\/ses_/);
  await page.locator(".bar .badge", { hasText: "IDLE" }).waitFor({ timeout: 30000 });
  await page.fill("textarea", "hello over tls");
  await page.click(".composer button[type=submit]");
  await page.locator(".entry.agent", { hasText: "hello over tls" }).waitFor({ timeout: 30000 });
  await page.locator(".entry.turn", { hasText: "Turn completed" }).waitFor({ timeout: 30000 });
  await page.screenshot({ path: join(ARTIFACTS, "phone-https.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
