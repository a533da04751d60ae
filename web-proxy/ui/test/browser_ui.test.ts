// The UI's reading and deciding in a real browser: Markdown replies rendered
// and sanitized, command output with ANSI colours that folds, a form for
// Codex's user-input requests, keyboard decisions, deny-and-stop, resume
// and archive, a disabled composer on an unknown session, streaming from a
// server without StreamEventBatches (StreamEvents instead), and WCAG AA
// (axe-core, contrast included) in light and dark at 390×844 and 1280×800,
// with screenshots of each in tests/artifacts/web/.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { createClient } from "@connectrpc/connect";
import { type Browser, type Page, type Request } from "playwright-core";

import { ApprovalService, Decision } from "../src/gen/codex_manager/v1/approvals_pb.js";
import { AuthService, Role } from "../src/gen/codex_manager/v1/auth_pb.js";
import { CodexService } from "../src/gen/codex_manager/v1/codex_pb.js";
import { SessionService, SessionState } from "../src/gen/codex_manager/v1/sessions_pb.js";
import { TurnService } from "../src/gen/codex_manager/v1/turns_pb.js";

import { ARTIFACTS, axeViolations, fromMenu, launchBrowser, newSession, send } from "./browser_support.js";
import { apiTransport, REPO, type Stack, startMockChatGPT, startStack, UI, waitFor } from "./support.js";

let real: Stack;   // the real codex on the scripted model
let fake: Stack;   // tests/fake_codex, for requests the model cannot script
let browser: Browser;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const proxyArgs = ["--static-dir", join(UI, "dist")];
  real = await startStack({ realCodex: true, proxyArgs });
  fake = await startStack({ proxyArgs });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await real?.stop();
  await fake?.stop();
});

const MARKDOWN = [
  "md",
  "## Summary",
  "**bold** and `inline` and [a link](https://example.com) and [bad](javascript:alert(1))",
  "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script>",
  "",
  "```python",
  "def hi():",
  "    return 'hi'",
  "```",
].join("\n");

test("Markdown replies are rendered and sanitized; command output keeps its colours and folds", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await newSession(page, real, "markdown");

  await send(page, MARKDOWN);
  const reply = page.locator(".entry.agent", { hasText: "You said: md" });
  await reply.locator("h2", { hasText: "Summary" }).waitFor({ timeout: 30000 });
  assert.equal(await reply.locator("strong").innerText(), "bold");
  assert.equal(await reply.locator("p code").first().innerText(), "inline");
  const link = reply.locator("a[href='https://example.com']");
  assert.equal(await link.getAttribute("target"), "_blank");
  assert.equal(await link.getAttribute("rel"), "noopener noreferrer");
  assert.equal(await reply.locator("a[href^='javascript']").count(), 0);
  assert.equal(await reply.locator("img, script").count(), 0);
  assert.match(await reply.innerText(), /<img src=x/);  // shown as text, never run
  assert.ok(await reply.locator("pre code .hljs-keyword", { hasText: "def" }).count() > 0);
  assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);

  // A command with a coloured line and 30 more: done, its output folds.
  // Its card shows the right-to-left override of its comment by name,
  // which would otherwise reverse what follows it.
  await send(page, "run: printf '\\033[31mred-alert\\033[0m\\n'; seq 1 30 # \u202eexe.txt");
  const card = page.locator(".approval");
  await card.waitFor({ timeout: 30000 });
  assert.match(await card.locator("pre").innerText(), /seq 1 30 # <U\+202E>exe\.txt"$/);
  await card.getByRole("button", { name: "Approve", exact: true }).click();
  await page.locator(".entry.agent", { hasText: "Command output: 30" }).waitFor({ timeout: 30000 });
  const command = page.locator(".entry.command").last();
  assert.match(await command.locator(".cmd").innerText(), /# <U\+202E>exe\.txt/);
  const fold = command.locator("details.fold");
  await command.locator(".term-muted", { hasText: "done" }).waitFor({ timeout: 10000 });
  assert.equal(await fold.evaluate((d) => (d as HTMLDetailsElement).open), false);
  // 31 lines, and whatever a login shell adds.
  const lines = /Output · (\d+) lines/.exec(await fold.locator("summary").innerText());
  assert.ok(lines && Number(lines[1]) >= 31, `summary: ${lines?.[0]}`);
  await fold.locator("summary").click();
  assert.equal(await command.locator(".ansi-red-fg").innerText(), "red-alert");
  assert.doesNotMatch(await command.locator("pre").innerText(), /\u001b|\[31m/);
  // The stream goes on; the block stays as the reader left it.
  await send(page, "after the fold");
  await page.locator(".entry.agent", { hasText: "You said: after the fold" }).waitFor({ timeout: 30000 });
  assert.equal(await fold.evaluate((d) => (d as HTMLDetailsElement).open), true);

  // A pending approval on screen, then every theme and size: no WCAG A/AA
  // violation (contrast included), and a screenshot of each.
  await send(page, "please run: echo screenshot");
  await card.waitFor({ timeout: 30000 });
  // Only what Codex offers under `untrusted` (no plain "decline"), and the
  // command prefix "remember" would allow.
  assert.deepEqual(await card.locator(".actions button").allInnerTexts(),
    ["Approve", "Always allow “echo screenshot”", "Deny and stop"]);
  assert.match(await card.locator(".keys").innerText(), /R remember/);
  for (const colorScheme of ["light", "dark"] as const) {
    for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 800 }]) {
      await page.emulateMedia({ colorScheme });
      await page.setViewportSize(viewport);
      await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
      const violations = await axeViolations(page);
      assert.deepEqual(violations, [], `${colorScheme} ${viewport.width}: ${JSON.stringify(violations, null, 1)}`);
      await page.screenshot({
        path: join(ARTIFACTS, `session-${colorScheme}-${viewport.width}x${viewport.height}.png`),
      });
    }
  }
  await page.goto(`${real.baseUrl}/#/`);
  await page.locator(".card.session").first().waitFor({ timeout: 10000 });
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    assert.deepEqual(await axeViolations(page), [], `session list, ${colorScheme}`);
    await page.screenshot({ path: join(ARTIFACTS, `list-${colorScheme}-1280x800.png`) });
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test("a user-input request is a form; permissions are a list; keys decide; deny and stop ends the turn", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await newSession(page, fake, "forms", "");

  await send(page, "ask-user");
  const form = page.locator(".approval form.user-input");
  await form.waitFor({ timeout: 20000 });
  assert.deepEqual(await form.locator("legend").allInnerTexts(), ["Language", "API key"]);
  assert.equal(await form.locator("input[type=radio]").count(), 2);
  assert.equal(await form.locator("[data-question-id=key] input").getAttribute("type"), "password");
  await page.screenshot({ path: join(ARTIFACTS, "phone-user-input.png"), fullPage: true });
  // The composer is fixed over the page's bottom; scrolled to the end, the
  // last card is above it, not under it.
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  const sendBox = await form.getByRole("button", { name: "Send answers" }).boundingBox();
  const composerBox = await page.locator("form.composer").boundingBox();
  assert.ok(sendBox && composerBox && sendBox.y + sendBox.height <= composerBox.y,
    `"Send answers" ends at ${sendBox && sendBox.y + sendBox.height}, the composer starts at ${composerBox?.y}`);
  await form.getByLabel("Go").check();
  await form.locator("[data-question-id=key] input").fill("s3cret");
  await form.getByRole("button", { name: "Send answers" }).click();
  await page.locator(".entry.agent", { hasText: 'answers were {"key": ["s3cret"], "lang": ["Go"]}' })
    .waitFor({ timeout: 20000 });
  assert.equal(await page.locator(".approval").count(), 0);
  // A question's "no" (Codex offers APPROVE and ABORT): ABORT, which
  // sends no answers and asks Codex to stop the turn.
  await send(page, "ask-user");
  await form.getByRole("button", { name: "Stop the turn" }).click();
  await page.locator(".approval").waitFor({ state: "detached", timeout: 20000 });
  const stopped = (await createClient(ApprovalService, apiTransport(fake))
    .listApprovals({ sessionId: page.url().split("#/s/")[1]!, includeResolved: true, pageSize: 100 }))
    .approvals.at(-1);
  assert.equal(stopped?.decision, Decision.ABORT);

  // Permissions Codex asks for are listed, one a line, not as JSON; the
  // grant for the session says so to Codex.
  await send(page, "ask-permissions");
  const asked = page.locator(".approval");
  await asked.locator("ul.permissions").waitFor({ timeout: 20000 });
  assert.deepEqual(await asked.locator("ul.permissions li").allInnerTexts(), ["network access", "write /srv/out"]);
  assert.equal(await asked.locator("strong").innerText(), "Codex asks for permissions");
  await asked.screenshot({ path: join(ARTIFACTS, "phone-permissions.png") });
  await asked.getByRole("button", { name: "Approve for session" }).click();
  await page.locator(".entry.agent", { hasText: '"scope": "session"' }).waitFor({ timeout: 20000 });

  // An MCP server's page to open is a link only when it is a web page;
  // its address is shown in full, a right-to-left override by name.
  await send(page, "elicit-url https://tracker.example/\u202egnp.login");
  const opened = page.locator(".approval");
  await opened.locator("form.elicitation").waitFor({ timeout: 20000 });
  const link = opened.locator("form.elicitation a");
  assert.equal(await link.getAttribute("href"), "https://tracker.example/\u202egnp.login");
  assert.equal(await link.innerText(), "https://tracker.example/<U+202E>gnp.login");
  await opened.getByRole("button", { name: "Cancel" }).click();
  await page.locator(".entry.agent", { hasText: '"action": "cancel"' }).waitFor({ timeout: 20000 });
  await send(page, "elicit-url javascript:alert(document.domain)");
  await opened.locator("form.elicitation").waitFor({ timeout: 20000 });
  assert.equal(await opened.locator("form.elicitation a").count(), 0);
  assert.match(await opened.locator("form.elicitation").innerText(), /Open: javascript:alert\(document\.domain\)/);
  await opened.getByRole("button", { name: "Decline" }).click();
  await page.locator(".entry.agent", { hasText: '"action": "decline"' }).waitFor({ timeout: 20000 });

  // "d" denies the pending approval (not while typing in the composer).
  await send(page, "approve");
  await page.locator(".approval").waitFor({ timeout: 20000 });
  await page.locator("textarea").press("d");
  assert.equal(await page.locator(".approval").count(), 1);
  await page.locator("h1").click();
  await page.keyboard.press("d");
  await page.locator(".entry.agent", { hasText: "decision was decline" }).waitFor({ timeout: 20000 });

  // Shift+D: deny and stop the turn (Codex "cancel").
  await send(page, "approve");
  await page.locator(".approval").waitFor({ timeout: 20000 });
  await page.locator("h1").click();
  await page.keyboard.press("Shift+D");
  await page.locator(".entry.agent", { hasText: "decision was cancel" }).waitFor({ timeout: 20000 });
  await page.locator(".entry.turn", { hasText: "Turn interrupted" }).waitFor({ timeout: 20000 });
  await page.close();
});

test("on a server without StreamEventBatches the session streams with StreamEvents", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  // What codex-manager-web relays from a server older than the RPC: a
  // trailers-only response with grpc-status 12 (UNIMPLEMENTED).
  let refused = 0;
  await page.route("**/codex_manager.v1.StreamService/StreamEventBatches", async (route) => {
    refused++;
    await route.fulfill({
      status: 200,
      headers: {
        "content-type": "application/grpc-web+proto",
        "grpc-status": "12",
        "grpc-message": "Method not found: codex_manager.v1.StreamService/StreamEventBatches",
      },
      body: "",
    });
  });
  await newSession(page, fake, "older server", "");
  await send(page, "hello older");
  await page.locator(".entry.agent", { hasText: "fake: hello older" }).waitFor({ timeout: 20000 });
  assert.ok(refused >= 1, "the UI asked for batches first");
  assert.equal(await page.locator(".banner:visible").count(), 0, "no error shown");
  await page.close();
});

test("while a turn runs the composer steers it, or queues after it", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await newSession(page, fake, "steer", "");
  const send = page.locator("form.composer button[type=submit]");
  assert.equal(await send.innerText(), "Send");
  assert.equal(await page.getByRole("button", { name: "Queue" }).isHidden(), true);
  await page.fill("textarea", "slow");
  await send.click();
  await page.locator(".entry.agent", { hasText: "w3" }).waitFor({ timeout: 20000 });
  assert.equal(await send.innerText(), "Steer");
  // The steer's call is held a while: what is typed meanwhile stays when it
  // returns (it used to be wiped then).
  await page.route("**/codex_manager.v1.TurnService/SteerTurn", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 800));
    await route.continue();
  });
  const steered = page.waitForResponse("**/codex_manager.v1.TurnService/SteerTurn");
  await page.fill("textarea", "use tabs");
  await page.locator("textarea").press("Control+Enter");
  assert.equal(await page.inputValue("textarea"), "");
  await page.fill("textarea", "afterwards");
  await (await steered).finished();
  await page.waitForTimeout(300);  // the UI's handling of the reply
  await page.unroute("**/codex_manager.v1.TurnService/SteerTurn");
  assert.equal(await page.inputValue("textarea"), "afterwards");
  await page.getByRole("button", { name: "Queue" }).click();
  await page.locator(".entry.agent", { hasText: "steered: use tabs" }).waitFor({ timeout: 20000 });
  await page.locator(".entry.agent", { hasText: "fake: afterwards" }).waitFor({ timeout: 20000 });
  const idle = page.getByRole("button", { name: "Send", exact: true });
  await idle.waitFor({ timeout: 10000 });
  // A steer that reaches the server after the turn ended (FAILED_PRECONDITION)
  // starts a turn of its own: the prompt is neither lost nor handed back.
  await page.fill("textarea", "slow");
  await send.click();
  await page.locator(".entry.agent", { hasText: "w3" }).nth(1).waitFor({ timeout: 20000 });
  await page.route("**/codex_manager.v1.TurnService/SteerTurn", async (route) => {
    await idle.waitFor({ timeout: 20000 });
    await route.continue();
  });
  const late = page.waitForResponse("**/codex_manager.v1.TurnService/SteerTurn");
  await page.fill("textarea", "too late to steer");
  assert.equal(await send.innerText(), "Steer");
  await send.click();
  await (await late).finished();
  await page.unroute("**/codex_manager.v1.TurnService/SteerTurn");
  await page.locator(".entry.agent", { hasText: "fake: too late to steer" }).waitFor({ timeout: 20000 });
  assert.equal(await page.inputValue("textarea"), "");
  assert.equal(await page.locator(".toast", { hasText: "not running" }).count(), 0);
  await page.close();
});

test("a queued prompt waits under the transcript until its turn runs; Drop takes it out; the list fits a phone", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  // A title with nowhere to break, as an untitled session's id.
  await newSession(page, real, "queuedpromptswaitunderthetranscriptonaphone");
  await send(page, "please run: echo held");
  const card = page.locator(".approval");
  await card.waitFor({ timeout: 30000 });  // the turn runs until it is decided
  for (const text of ["queued one", "queued two"]) {
    await page.fill("textarea", text);
    await page.getByRole("button", { name: "Queue" }).click();
    await page.locator(".queued-prompt", { hasText: text }).waitFor({ timeout: 10000 });
  }
  assert.deepEqual(await page.locator(".queued-text").allInnerTexts(), ["queued one", "queued two"]);
  assert.equal(await page.locator(".entry.prompt", { hasText: "queued" }).count(), 0);
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    assert.deepEqual(await axeViolations(page), [], `queued prompts, ${colorScheme}`);
  }

  await page.locator(".queued-prompt", { hasText: "queued two" }).getByRole("button", { name: "Drop" }).click();
  await page.locator(".entry.turn .not-run", { hasText: "Not sent: queued two" }).waitFor({ timeout: 10000 });
  assert.deepEqual(await page.locator(".queued-text").allInnerTexts(), ["queued one"]);

  // What stays as it was is never taken out of the page while the rest
  // streams (a long transcript would be laid out again on every frame).
  await page.evaluate(() => {
    const first = document.querySelector(".transcript > .entry")!;
    const w = window as unknown as { detached: number };
    w.detached = 0;
    new MutationObserver((records) => {
      for (const r of records) if ([...r.removedNodes].includes(first)) w.detached++;
    }).observe(first.parentElement!, { childList: true });
  });
  await card.getByRole("button", { name: "Approve", exact: true }).click();
  await page.locator(".entry.agent", { hasText: "You said: queued one" }).waitFor({ timeout: 30000 });
  assert.equal(await page.evaluate(() => (window as unknown as { detached: number }).detached), 0);
  assert.equal(await page.locator(".entry.prompt", { hasText: "queued one" }).count(), 1);
  assert.equal(await page.locator(".queued-prompt").count(), 0);
  assert.equal(await page.locator(".entry.agent", { hasText: "queued two" }).count(), 0);
  // A reload replays the same: nothing queued, the dropped prompt said.
  await page.reload();
  await page.locator(".entry.agent", { hasText: "You said: queued one" }).waitFor({ timeout: 10000 });
  assert.equal(await page.locator(".queued-prompt").count(), 0);
  assert.equal(await page.locator(".entry.turn .not-run").count(), 1);

  await page.goto(`${real.baseUrl}/#/`);
  await page.locator(".card.session", { hasText: "queuedprompts" }).waitFor({ timeout: 10000 });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `the session list is ${width} px wide on a 390 px screen`);
  await page.close();
});

test("an approval card keeps what is typed in it, and stays the same element, while events arrive", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const sessionId = await newSession(page, fake, "typing", "");
  await send(page, "ask-user");
  const form = page.locator(".approval form.user-input");
  await form.waitFor({ timeout: 20000 });
  await form.getByLabel("Go").check();
  await form.locator("[data-question-id=key] input").fill("half typ");
  await page.evaluate(() => {
    (window as unknown as { card: Element }).card = document.querySelector(".approval")!;
  });
  // Another client's change: an event, and the page draws again.
  const api = createClient(SessionService, apiTransport(fake));
  await api.updateSession({ sessionId, title: "renamed while typing" });
  await page.locator(".entry.notice.info", { hasText: "renamed while typing" }).waitFor({ timeout: 10000 });
  assert.equal(await page.evaluate(() =>
    (window as unknown as { card: Element }).card === document.querySelector(".approval")), true);
  assert.equal(await form.locator("[data-question-id=key] input").inputValue(), "half typ");
  assert.equal(await form.getByLabel("Go").isChecked(), true);
  await form.getByRole("button", { name: "Stop the turn" }).click();
  await page.locator(".approval").waitFor({ state: "detached", timeout: 20000 });
  await page.close();
});

test("a prompt the server refuses comes back, unless something new was typed", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await newSession(page, fake, "refused prompt", "");
  // One byte over the server's --max-prompt-bytes (1 MiB): INVALID_ARGUMENT.
  const tooLong = "x".repeat((1 << 20) + 1);
  await send(page, tooLong);
  const toast = page.locator(".toast", { hasText: "prompt: at most 1048576 bytes" });
  await toast.waitFor({ timeout: 10000 });
  assert.equal((await page.inputValue("textarea")).length, tooLong.length);
  // Above the composer, not over the text it is about.
  const toastBox = await toast.boundingBox();
  const composerBox = await page.locator("form.composer").boundingBox();
  assert.ok(toastBox && composerBox && toastBox.y + toastBox.height <= composerBox.y,
    `the toast ends at ${toastBox && toastBox.y + toastBox.height}, the composer starts at ${composerBox?.y}`);
  // Typed while the refused call was in flight: that text stays.
  await page.route("**/codex_manager.v1.TurnService/StartTurn", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 800));
    await route.continue();
  });
  const refused = page.waitForResponse("**/codex_manager.v1.TurnService/StartTurn");
  await page.locator("textarea").press("Control+Enter");
  assert.equal(await page.inputValue("textarea"), "");
  await page.fill("textarea", "shorter");
  await (await refused).finished();
  await page.locator(".toast", { hasText: "prompt: at most" }).nth(1).waitFor({ timeout: 10000 });
  await page.unroute("**/codex_manager.v1.TurnService/StartTurn");
  const kept = await page.inputValue("textarea");
  assert.ok(kept === "shorter", `the box holds ${kept.length} characters, not "shorter"`);
  await page.click(".composer button[type=submit]");
  await page.locator(".entry.agent", { hasText: "fake: shorter" }).waitFor({ timeout: 20000 });
  assert.equal(await page.inputValue("textarea"), "");
  await page.close();
});

test("settings for the next turn (model, effort, an image) go with that turn only", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await newSession(page, fake, "turn settings", "");
  await page.locator("details.turn-settings summary").click();
  await page.fill("input[name=turn_model]", "gpt-test");
  await page.selectOption("select[name=turn_effort]", "high");
  // A 1x1 PNG.
  const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
  await page.setInputFiles("input[name=turn_images]", { name: "dot.png", mimeType: "image/png", buffer: png });
  await send(page, "show-settings");
  const first = page.locator(".entry.agent", { hasText: "settings " }).first();
  await first.waitFor({ timeout: 20000 });
  const sent = JSON.parse((await first.innerText()).replace(/^settings /, "")) as
    { model?: string; effort?: string; images?: { type: string; url?: string }[] };
  assert.equal(sent.model, "gpt-test");
  assert.equal(sent.effort, "high");
  assert.equal(sent.images?.length, 1);
  assert.match(sent.images?.[0]?.url ?? "", /^data:image\/png;base64,/);
  // The fields clear: the next turn has the session's settings.
  assert.equal(await page.inputValue("input[name=turn_model]"), "");
  await send(page, "show-settings");
  const second = page.locator(".entry.agent", { hasText: "settings " }).nth(1);
  await second.waitFor({ timeout: 20000 });
  const next = JSON.parse((await second.innerText()).replace(/^settings /, "")) as
    { model?: string; images?: unknown[] };
  assert.notEqual(next.model, "gpt-test");
  assert.deepEqual(next.images, []);
  assert.deepEqual(await axeViolations(page), []);
  await page.close();
});

// The options of a select, as shown, comma-separated.
const shownOptions = (page: Page, name: string) => page.locator(`select[name=${name}] option`).evaluateAll(
  (options) => options.map((o) => o.textContent ?? "").join(","));

test("a new session's effort and speed are offered for the model typed, and are its turns'", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(`${real.baseUrl}/#token=${real.token}`);
  await page.locator(".who", { hasText: "admin" }).waitFor({ timeout: 10000 });
  await page.fill("input[name=cwd]", real.project);
  // No model typed: those of the one Codex's configuration names
  // (gpt-5.5, Model.configured), not Codex's own default.
  await waitFor(async () => (await shownOptions(page, "effort")).includes("(model's default)"));
  assert.equal(await shownOptions(page, "effort"), "Codex default,low,medium (model's default),high,xhigh");
  await page.selectOption("select[name=approval_policy]", "never");
  await page.fill("input[name=model]", "gpt-6-sol");
  await page.locator("input[name=model]").dispatchEvent("change");
  await waitFor(async () => (await shownOptions(page, "effort")).includes("max"));
  assert.equal(await shownOptions(page, "service_tier"), "Codex default,Standard,Fast");
  await page.selectOption("select[name=effort]", "max");
  await page.selectOption("select[name=service_tier]", "priority");
  await page.click("form.create button[type=submit]");
  await page.waitForURL(/#\/s\/ses_/);
  await page.locator(".bar .badge", { hasText: "Idle" }).waitFor({ timeout: 30000 });
  await send(page, "effort?");
  await page.locator(".entry.agent", { hasText: "Effort: max." }).waitFor({ timeout: 30000 });
  await send(page, "tier?");
  await page.locator(".entry.agent", { hasText: "Service tier: priority." }).waitFor({ timeout: 30000 });
  await page.close();
});

test("the efforts and speeds offered are the model's, and an effort the usual list lacks reaches the model", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await newSession(page, real, "efforts", "never");
  const offered = (name: string) => shownOptions(page, name);
  // The session runs gpt-5.5 (the configuration's model): its settings
  // offer its efforts, its default marked (Codex's model/list).
  const settings = page.locator(".controls").getByRole("button", { name: "Settings" });
  await settings.click();
  await waitFor(async () => (await offered("session_effort")).includes("(model's default)"));
  assert.equal(await offered("session_effort"), "Codex default,low,medium (model's default),high,xhigh");
  await settings.click();
  // So do the next turn's.
  await page.locator("details.turn-settings summary").click();
  await waitFor(async () => (await offered("turn_effort")).includes("(model's default)"));
  assert.equal(await offered("turn_effort"), "session's,low,medium (model's default),high,xhigh");
  // And its speeds: standard, and its service tiers by name.
  assert.equal(await offered("turn_service_tier"), "session's,Standard,Fast");
  // Another model typed for the next turn: its efforts, "max" among them.
  await page.fill("input[name=turn_model]", "gpt-6-sol");
  await page.locator("input[name=turn_model]").dispatchEvent("change");
  await waitFor(async () => (await offered("turn_effort")).includes("max"));
  assert.equal(await offered("turn_effort"), "session's,low,medium (model's default),high,xhigh,max,ultra");
  await page.selectOption("select[name=turn_effort]", "max");
  await send(page, "effort?");
  await page.locator(".entry.agent", { hasText: "Effort: max." }).waitFor({ timeout: 30000 });
  await page.close();
});

test("@ and letters of a path list the session's files; Enter or a tap puts the path in the prompt", async () => {
  mkdirSync(join(real.project, "picker", "deep"), { recursive: true });
  writeFileSync(join(real.project, "picker", "deep", "target_notes.md"), "notes\n");
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await newSession(page, real, "files", "never");
  const prompt = page.locator("textarea");
  const list = page.locator(".file-picker");
  // Named by its path whole (not "picker/deep/ t ar g e t …", as the bold
  // letters alone would make it).
  const target = list.getByRole("option", { name: "picker/deep/target_notes.md", exact: true });
  await prompt.click();
  await prompt.pressSequentially("read @tgtnotes");
  await target.waitFor({ timeout: 10000 });
  // The first is in view for screen readers, its matched letters in bold.
  assert.equal(await prompt.getAttribute("aria-activedescendant"), "file-picker-0");
  assert.equal(await target.getAttribute("aria-selected"), "true");
  assert.equal((await target.locator("b").allInnerTexts()).join(""), "tgtnotes");
  assert.deepEqual(await axeViolations(page), []);
  await page.keyboard.press("Enter");
  await list.waitFor({ state: "hidden", timeout: 5000 });
  assert.equal(await prompt.inputValue(), "read picker/deep/target_notes.md ");
  // Escape closes it and leaves what was typed.
  await prompt.pressSequentially("and @tgtnotes");
  await target.waitFor({ timeout: 10000 });
  await page.keyboard.press("Escape");
  await list.waitFor({ state: "hidden", timeout: 5000 });
  assert.equal(await prompt.inputValue(), "read picker/deep/target_notes.md and @tgtnotes");
  // Typing on searches again; a tap chooses.
  await page.keyboard.press("Backspace");
  await target.waitFor({ timeout: 10000 });
  await target.click();
  await list.waitFor({ state: "hidden", timeout: 5000 });
  assert.equal(await prompt.inputValue(),
               "read picker/deep/target_notes.md and picker/deep/target_notes.md ");
  // An @ inside a word (an e-mail address) lists nothing; the prompt sends.
  await prompt.pressSequentially("to me@tgtnotes");
  await page.waitForTimeout(500);
  assert.equal(await list.isHidden(), true);
  await page.click(".composer button[type=submit]");
  await page.locator(".entry.agent", { hasText: "You said: read picker/deep/target_notes.md and" })
    .waitFor({ timeout: 30000 });
  await page.close();
});

test("$ and letters of a name list the skills Codex offers; the chosen one reaches the model", async () => {
  const folder = join(real.project, ".agents", "skills", "ui-helper");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "SKILL.md"),
                "---\nname: ui-helper\ndescription: Help with the page.\n---\n\nUI-SKILL-MARKER\n");
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await newSession(page, real, "skills", "never");
    const prompt = page.locator("textarea");
    const list = page.locator(".skill-picker");
    // Named by "$name" and its description, as shown.
    const option = list.getByRole("option", { name: "$ui-helper Help with the page.", exact: true });
    await prompt.click();
    // A "$" inside a word (a price) lists nothing.
    await prompt.pressSequentially("costs US$5 ");
    await page.waitForTimeout(500);
    assert.equal(await list.isHidden(), true);
    await prompt.pressSequentially("use $ui-h");
    await option.waitFor({ timeout: 10000 });
    assert.equal(await prompt.getAttribute("aria-activedescendant"), "skill-picker-0");
    assert.equal(await prompt.getAttribute("aria-controls"), "skill-picker");
    assert.equal((await option.locator("b").allInnerTexts()).join(""), "ui-h");
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, "phone-skill-picker.png") });
    await page.keyboard.press("Enter");
    await list.waitFor({ state: "hidden", timeout: 5000 });
    assert.equal(await prompt.inputValue(), "costs US$5 use $ui-helper ");
    // A skill added now is offered before the list would be asked again
    // anyway (10 s): Codex's SKILLS_CHANGED drops the list the page holds.
    await prompt.pressSequentially("$ui");
    await option.waitFor({ timeout: 10000 });
    const listed = Date.now();
    const late = join(real.project, ".agents", "skills", "ui-late");
    mkdirSync(late);
    writeFileSync(join(late, "SKILL.md"), "---\nname: ui-late\ndescription: Added later.\n---\n\nLate.\n");
    const lateOption = list.getByRole("option", { name: "$ui-late Added later.", exact: true });
    while (!(await lateOption.isVisible())) {
      assert.ok(Date.now() - listed < 9000, "the new skill was not offered before the list grew stale");
      await prompt.press("-");  // each key looks the list up again
      await prompt.press("Backspace");
      await page.waitForTimeout(300);
    }
    for (let i = 0; i < 3; ++i) await prompt.press("Backspace");
    await list.waitFor({ state: "hidden", timeout: 5000 });
    assert.equal(await prompt.inputValue(), "costs US$5 use $ui-helper ");
    // Codex reads the mention: the model gets the skill's SKILL.md (the
    // mock model says back the last user message it got, that one).
    await page.click(".composer button[type=submit]");
    await page.locator(".entry.agent", { hasText: "UI-SKILL-MARKER" }).waitFor({ timeout: 30000 });
    await page.close();
  } finally {
    rmSync(join(real.project, ".agents"), { recursive: true, force: true });
  }
});

test("More > Skills lists the folder's skills; an admin turns one off and on, and the $ picker follows", async () => {
  const folder = join(real.project, ".agents", "skills", "ui-off");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "SKILL.md"),
                "---\nname: ui-off\ndescription: One to turn off.\n---\n\nOff.\n");
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  try {
    await newSession(page, real, "skills panel", "never");
    const panel = page.locator("section.skills");
    const row = panel.locator("li.skill", { hasText: "$ui-off" });
    await fromMenu(page, "Skills");
    await row.waitFor({ timeout: 30000 });
    assert.match(await row.innerText(), /\$ui-off\s+repo\s+Turn off\s+One to turn off\.\s+\/.*\/ui-off\/SKILL\.md/);
    // Codex's own skills are listed too.
    assert.ok(await panel.locator("li.skill", { hasText: "$skill-creator" }).count() > 0);
    await row.getByRole("button", { name: "Turn off" }).click();
    await row.getByRole("button", { name: "Turn on" }).waitFor({ timeout: 30000 });
    assert.match(await row.innerText(), /repo · disabled/);
    assert.equal(await row.evaluate((li) => li.classList.contains("disabled")), true);
    assert.deepEqual(await axeViolations(page), []);
    await panel.screenshot({ path: join(ARTIFACTS, "phone-skills-panel.png") });
    // The "$" picker asks again and leaves the disabled skill out.
    const prompt = page.locator("textarea");
    const picker = page.locator(".skill-picker");
    await prompt.click();
    await prompt.pressSequentially("$ui-o");
    await page.waitForTimeout(1000);
    assert.equal(await picker.getByRole("option", { name: /\$ui-off/ }).count(), 0);
    // Another reader of the list sees what Codex has in effect.
    const listed = await createClient(SessionService, apiTransport(real)).listSkills(
      { sessionId: page.url().split("#/s/")[1]! });
    assert.equal(listed.skills.find((s) => s.name === "ui-off")?.enabled, false);
    await row.getByRole("button", { name: "Turn on" }).click();
    await row.getByRole("button", { name: "Turn off" }).waitFor({ timeout: 30000 });
    assert.doesNotMatch(await row.innerText(), /disabled/);
    await prompt.press("Backspace");
    await picker.getByRole("option", { name: /\$ui-off/ }).waitFor({ timeout: 10000 });
    await panel.getByRole("button", { name: "Close" }).click();
    assert.equal(await panel.isHidden(), true);
  } finally {
    await page.close();
    rmSync(join(real.project, ".agents"), { recursive: true, force: true });
  }
});

test("Plan pressed: the turn plans in Codex's Plan mode and shows the proposed plan; released, it does not", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await newSession(page, real, "plan", "never");
  const plan = page.getByRole("button", { name: "Plan", exact: true });
  assert.equal(await plan.getAttribute("aria-pressed"), "false");
  await plan.click();
  assert.equal(await plan.getAttribute("aria-pressed"), "true");
  assert.match(await page.locator("textarea").getAttribute("placeholder") ?? "", /Plan mode/);
  // The mock model answers with a plan only when Codex told it it plans.
  await send(page, "propose: Tidy the notes");
  const proposed = page.locator(".entry.proposed-plan");
  await proposed.locator("h1", { hasText: "Tidy the notes" }).waitFor({ timeout: 30000 });
  assert.deepEqual(await proposed.locator("li").allInnerTexts(), ["Read the notes", "Tidy them"]);
  assert.equal(await proposed.locator(".muted").innerText(), "Proposed plan");
  assert.equal(await plan.getAttribute("aria-pressed"), "true");  // it stays pressed
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(ARTIFACTS, "phone-plan-mode.png") });
  // "Implement this plan" releases Plan and sends a turn that says so,
  // in the default mode.
  await proposed.getByRole("button", { name: "Implement this plan" }).click();
  assert.equal(await plan.getAttribute("aria-pressed"), "false");
  await page.locator(".entry.agent", { hasText: "You said: Implement the plan." }).waitFor({ timeout: 30000 });
  // What Codex runs it with: at the start, in Plan mode, out of it.
  const noted = page.locator(".entry.notice", { hasText: "Codex runs this with" });
  await noted.nth(2).waitFor({ timeout: 10000 });
  assert.deepEqual((await noted.allInnerTexts()).map((t) => t.endsWith("plan mode")), [false, true, false]);
  await send(page, "propose: Tidy the notes");
  await page.locator(".entry.agent", { hasText: "In default mode: doing it." }).waitFor({ timeout: 30000 });
  assert.equal(await proposed.count(), 1);
  await page.close();
});

test("a session's settings: renamed, and the turns after Save use them", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const sessionId = await newSession(page, fake, "before", "", "Answer in French.\nNever push.");
  // Another browser on the same session sees each change as it is made.
  const other = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await other.goto(`${fake.baseUrl}/#token=${fake.token}`);
  await other.locator(".who", { hasText: "admin" }).waitFor({ timeout: 10000 });
  await other.evaluate((id) => { location.hash = `#/s/${id}`; }, sessionId);
  await other.locator(".bar h1", { hasText: "before" }).waitFor({ timeout: 10000 });
  const edit = page.locator(".controls").getByRole("button", { name: "Settings" });
  const form = page.locator("form.session-settings");
  assert.equal(await form.isVisible(), false);
  await edit.click();
  await form.waitFor({ timeout: 10000 });
  assert.equal(await edit.getAttribute("aria-expanded"), "true");
  assert.equal(await page.inputValue("input[name=session_title]"), "before");
  assert.equal(await page.inputValue("select[name=session_approval_policy]"), "");
  // What the "Codex default" choices mean here: what tests/fake_codex
  // answered thread/start with (Session.codex_settings).
  assert.equal(await form.locator(".codex-now").innerText(),
               "Codex runs it with fake-model, effort medium, on-request, workspace-write.");
  assert.equal(await page.getAttribute("input[name=session_model]", "placeholder"), "Codex default (fake-model)");
  // The instructions the new-session form gave it, shown, not editable.
  assert.equal(await form.locator(".session-instructions").innerText(),
               "Instructions for the agent, set at creation: Answer in French.\nNever push.");
  // The server refuses a model name over its limit: the error names the
  // field, and the form keeps what was typed.
  await page.fill("input[name=session_title]", "after");
  await page.fill("input[name=session_model]", "m".repeat(300));
  await form.getByRole("button", { name: "Save" }).click();
  await page.locator(".toast", { hasText: "model:" }).waitFor({ timeout: 10000 });
  assert.equal(await form.isVisible(), true);
  assert.equal(await page.inputValue("input[name=session_title]"), "after");
  assert.equal(await page.locator(".bar h1").innerText(), "before");

  await page.fill("input[name=session_model]", "gpt-session");
  await page.selectOption("select[name=session_effort]", "low");
  await page.selectOption("select[name=session_approval_policy]", "never");
  await page.selectOption("select[name=session_sandbox]", "read-only");
  await page.selectOption("select[name=session_service_tier]", "priority");
  await form.getByRole("button", { name: "Save" }).click();
  await form.waitFor({ state: "hidden", timeout: 10000 });
  assert.equal(await edit.getAttribute("aria-expanded"), "false");
  await page.locator(".bar h1", { hasText: "after" }).waitFor({ timeout: 10000 });
  await other.locator(".bar h1", { hasText: "after" }).waitFor({ timeout: 10000 });
  await other.locator(".entry.notice.info", { hasText: "Settings changed: title “after”, model gpt-session, " +
                      "effort low, approval policy never, sandbox read-only, speed Fast" }).waitFor({ timeout: 10000 });
  // A rename by another client (the API) reaches both pages.
  const api = createClient(SessionService, apiTransport(fake));
  await api.updateSession({ sessionId, title: "renamed by the API" });
  for (const p of [page, other]) {
    await p.locator(".bar h1", { hasText: "renamed by the API" }).waitFor({ timeout: 10000 });
  }
  // The title is shown as the event arrives, its notice at the next frame.
  await other.locator(".entry.notice.info", { hasText: "renamed by the API" }).waitFor({ timeout: 10000 });
  assert.equal(await other.locator(".entry.notice.info", { hasText: "Settings changed" }).count(), 2);
  // What Codex runs the session with, from its start (CODEX_SETTINGS_CHANGED).
  assert.equal(await other.locator(".entry.notice.info", {
    hasText: "Codex runs this with fake-model, effort medium, on-request, workspace-write" }).count(), 1);
  await other.close();
  // Codex gets them with the next turn (the fake runtime echoes turn/start).
  await send(page, "show-settings");
  const reply = page.locator(".entry.agent", { hasText: "settings " }).first();
  await reply.waitFor({ timeout: 20000 });
  const sent = JSON.parse((await reply.innerText()).replace(/^settings /, "")) as
    { model?: string; effort?: string; approvalPolicy?: string; sandboxPolicy?: { type?: string };
      serviceTier?: string };
  assert.equal(sent.model, "gpt-session");
  assert.equal(sent.serviceTier, "priority");
  assert.equal(sent.effort, "low");
  assert.equal(sent.approvalPolicy, "never");
  assert.equal(sent.sandboxPolicy?.type, "readOnly");
  // Opened again, the form shows what the server holds.
  await edit.click();
  await form.waitFor({ timeout: 10000 });
  assert.equal(await page.inputValue("input[name=session_model]"), "gpt-session");
  assert.equal(await page.inputValue("select[name=session_sandbox]"), "read-only");
  assert.equal(await page.inputValue("select[name=session_service_tier]"), "priority");
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(ARTIFACTS, "phone-session-settings.png"), fullPage: true });
  await page.keyboard.press("Escape");
  await form.waitFor({ state: "hidden", timeout: 10000 });
  await page.close();
});

test("approvals that arrive while the page is hidden are announced, and counted in the tab's title", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await context.grantPermissions(["notifications"], { origin: fake.baseUrl });
  // The page's notifications are the browser's own (a headless one shows
  // none), recorded as they are made and closed; and the test can hide
  // the page (document.hidden), which a headless tab never is.
  await context.addInitScript(() => {
    const Real = window.Notification;
    const shown: { title: string; body: string; tag: string; closed: boolean }[] = [];
    let hidden = false;
    class Recorded extends Real {
      private readonly index: number;
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        this.index = shown.push({ title, body: options?.body ?? "", tag: options?.tag ?? "", closed: false }) - 1;
      }
      override close(): void {
        shown[this.index]!.closed = true;
        super.close();
      }
    }
    window.Notification = Recorded;
    Object.defineProperty(document, "hidden", { get: () => hidden });
    Object.assign(window, { shown, hide: (h: boolean) => { hidden = h; } });
  });
  type Shown = { title: string; body: string; tag: string; closed: boolean }[];
  const shown = () => page.evaluate(() => (window as unknown as { shown: Shown }).shown);
  const hide = (h: boolean) => page.evaluate((v) => (window as unknown as { hide: (h: boolean) => void }).hide(v), h);
  const page = await context.newPage();
  await newSession(page, fake, "attention", "untrusted");
  assert.equal(await page.title(), "attention · Codex Manager");

  // Hidden: the approval is announced, and the title counts it.
  await hide(true);
  await send(page, "approve");
  await waitFor(async () => (await shown()).length === 1);
  const [first] = await shown();
  const card = page.locator(".card.approval");
  assert.equal(first!.title, "Codex wants to run");
  assert.equal(first!.body, "attention: echo fake");
  assert.equal(first!.tag, await card.getAttribute("data-approval-id"));
  assert.equal(await page.title(), "(1) attention · Codex Manager");
  // Decided: its notification is closed, the count gone.
  await card.getByRole("button", { name: "Approve", exact: true }).click();
  await waitFor(async () => (await shown())[0]!.closed);
  assert.equal(await page.title(), "attention · Codex Manager");

  // One that arrives while the page is looked at is not announced.
  await hide(false);
  await send(page, "approve");
  await card.waitFor({ timeout: 20000 });
  assert.equal(await page.title(), "(1) attention · Codex Manager");
  assert.equal((await shown()).length, 1);

  // The list, hidden: a session with an approval pending is announced; once
  // another client decides it, the notification is closed.
  await hide(true);
  await page.evaluate(() => { location.hash = "#/"; });
  await waitFor(async () => (await shown()).length === 2, 15000);
  const listed = (await shown())[1]!;
  assert.equal(listed.title, "Codex waits for your approval");
  assert.equal(listed.body, "attention: 1 pending");
  assert.equal(await page.title(), "(1) Codex Manager");
  const api = createClient(ApprovalService, apiTransport(fake));
  const [pending] = (await api.listApprovals({ pageSize: 100 })).approvals
    .filter((a) => a.approvalId !== first!.tag);
  await api.resolveApproval({ approvalId: pending!.approvalId, decision: Decision.APPROVE });
  await waitFor(async () => (await shown())[1]!.closed, 15000);
  assert.equal(await page.title(), "Codex Manager");
  await context.close();
});

test("where only a service worker may notify (Chrome on Android), approvals are announced through it", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  await context.grantPermissions(["notifications"], { origin: fake.baseUrl });
  // The page may not make a Notification, as on Android; the test can hide
  // the page (document.hidden). What the page asks the worker's
  // registration to show, and which notifications it closes, are recorded
  // as it asks: headless Chromium sometimes drops a notification it has
  // shown (seen: showNotification resolved, getNotifications never listed
  // it, one shown a moment later was listed), so the browser's list is not
  // what the UI is judged by.
  await context.addInitScript(() => {
    const Real = window.Notification;
    const Android = function () {
      throw new TypeError("Failed to construct 'Notification': Illegal constructor. " +
                          "Use ServiceWorkerRegistration.showNotification() instead.");
    } as unknown as typeof Notification;
    Object.defineProperty(Android, "permission", { get: () => Real.permission });
    Object.assign(Android, { requestPermission: () => Real.requestPermission() });
    window.Notification = Android;
    const asked: { title: string; body: string; tag: string; url: string; closed: boolean }[] = [];
    const show = ServiceWorkerRegistration.prototype.showNotification;
    ServiceWorkerRegistration.prototype.showNotification = function (title, options) {
      asked.push({ title, body: options?.body ?? "", tag: options?.tag ?? "",
                   url: (options?.data as { url?: string })?.url ?? "", closed: false });
      return show.call(this, title, options);
    };
    const close = Real.prototype.close;
    Real.prototype.close = function () {
      for (const a of asked) if (a.tag === this.tag) a.closed = true;
      close.call(this);
    };
    let hidden = false;
    Object.defineProperty(document, "hidden", { get: () => hidden });
    Object.assign(window, { hide: (h: boolean) => { hidden = h; }, asked, show });
  });
  const page = await context.newPage();
  const hide = (h: boolean) => page.evaluate((v) => (window as unknown as { hide: (h: boolean) => void }).hide(v), h);
  // The notifications the page has asked the worker to show, in order
  // (`closed` once the page closed the one of that tag).
  const notes = () => page.evaluate(() =>
    (window as unknown as { asked: { title: string; body: string; tag: string; url: string; closed: boolean }[] })
      .asked.map((n) => ({ ...n })));
  // Makes sure the browser shows what the page asked for (shown again
  // where it was dropped), so that closing and tapping it can be seen.
  const keepShown = (tag: string) => page.evaluate(async (tag) => {
    const registration = await navigator.serviceWorker.ready;
    if ((await registration.getNotifications({ tag })).length > 0) return;
    const { asked, show } = window as unknown as {
      asked: { title: string; body: string; tag: string; url: string }[];
      show: ServiceWorkerRegistration["showNotification"];
    };
    const n = asked.find((a) => a.tag === tag)!;
    await show.call(registration, n.title, { body: n.body, tag, data: { url: n.url } });
  }, tag);
  const sessionId = await newSession(page, fake, "android", "untrusted");
  await hide(true);
  await send(page, "approve");
  const card = page.locator(".card.approval");
  await waitFor(async () => (await notes()).length === 1);
  const [note] = await notes();
  assert.equal(note!.title, "Codex wants to run");
  assert.equal(note!.body, "android: echo fake");
  assert.equal(note!.tag, await card.getAttribute("data-approval-id"));
  assert.equal(note!.url, `${fake.baseUrl}/#/s/${sessionId}`);
  // Decided: closed.
  await keepShown(note!.tag);
  await card.getByRole("button", { name: "Approve", exact: true }).click();
  await waitFor(async () => (await notes())[0]!.closed);

  // From the list: a tap on the notification opens the session.
  await send(page, "approve");
  await card.waitFor({ timeout: 20000 });
  const second = await card.getAttribute("data-approval-id");
  await page.evaluate(() => { location.hash = "#/"; });
  await waitFor(async () => (await notes()).some((n) => n.tag === sessionId), 15000);
  const listed = (await notes()).find((n) => n.tag === sessionId)!;
  assert.equal(listed.title, "Codex waits for your approval");
  assert.equal(listed.url, `${fake.baseUrl}/#/`);
  await keepShown(sessionId);
  const [worker] = context.serviceWorkers();
  assert.ok(worker, "the UI registered its service worker");
  // A real tap brings the page into view (the worker focuses it); this one
  // is made by the test, so the test shows the page.
  await hide(false);
  await worker.evaluate(async (tag) => {
    // The worker's global scope (not in the DOM typings the tests use).
    const scope = self as unknown as {
      registration: ServiceWorkerRegistration; dispatchEvent(event: Event): boolean;
      NotificationEvent: new (type: string, init: { notification: Notification }) => Event;
    };
    const [tapped] = await scope.registration.getNotifications({ tag });
    scope.dispatchEvent(new scope.NotificationEvent("notificationclick", { notification: tapped! }));
  }, sessionId);
  await page.waitForURL(new RegExp(`#/s/${sessionId}$`), { timeout: 10000 });
  // The tapped notification is gone.
  await waitFor(() => page.evaluate(async (tag) =>
    (await (await navigator.serviceWorker.ready).getNotifications({ tag })).length === 0, sessionId));
  // In view: the session's approval is not announced again.
  await card.getByRole("button", { name: "Approve", exact: true }).click();
  await card.waitFor({ state: "detached", timeout: 10000 });
  assert.deepEqual((await notes()).map((n) => n.tag), [note!.tag, second, sessionId]);
  await context.close();
});

test("an admin makes a sign-in link for a viewer, revokes it, and reads the audit log", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(`${fake.baseUrl}/#token=${fake.token}`);
  await page.locator(".who", { hasText: "(admin)" }).waitFor({ timeout: 10000 });
  await page.getByRole("link", { name: /Tokens and audit log/ }).click();
  await page.waitForURL(/#\/access$/);
  await page.fill("input[name=token_name]", "phone of kim");
  await page.selectOption("select[name=token_role]", { label: "viewer" });
  await page.selectOption("select[name=token_ttl]", { label: "1 day" });
  await page.getByRole("button", { name: "Create token" }).click();
  const secretField = page.locator("input[name=token_secret]");
  await secretField.waitFor({ timeout: 10000 });
  const secret = await secretField.inputValue();
  assert.match(secret, /^cmt_[\w-]{43}$/);
  const link = await page.locator("input[name=token_link]").inputValue();
  assert.equal(link, `${fake.baseUrl}/#token=${secret}`);
  const row = page.locator(".token", { hasText: "phone of kim" });
  await row.waitFor({ timeout: 10000 });
  assert.match(await row.innerText(), /viewer[\s\S]*expires .*never used/);
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(ARTIFACTS, "phone-access.png"), fullPage: true });

  // The link signs another browser in as that viewer, who has no way here.
  const other = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const kim = await other.newPage();
  await kim.goto(link);
  await kim.locator(".who", { hasText: "phone of kim (viewer)" }).waitFor({ timeout: 10000 });
  assert.equal(await kim.locator("a[href='#/access']").count(), 0);
  // The viewer follows a session.
  const api = createClient(SessionService, apiTransport(fake));
  const { sessionId } = await api.createSession({ cwd: fake.project, title: "watched by kim" });
  await waitFor(async () => (await api.getSession({ sessionId })).state === SessionState.IDLE, 20000);
  await kim.goto(`${fake.baseUrl}/#/s/${sessionId}`);
  await kim.locator(".bar .badge", { hasText: "Idle" }).waitFor({ timeout: 20000 });

  // Revoked (two taps): the row goes. The viewer's stream, idle, ends
  // within a second (the server's once-a-second pass), and the page asks
  // to sign in again.
  const revoke = row.getByRole("button", { name: "Revoke" });
  await revoke.click();
  assert.equal(await row.getByRole("button").innerText(), "Tap again to revoke");
  await row.getByRole("button").click();
  await row.waitFor({ state: "detached", timeout: 10000 });
  await kim.locator(".signin .error", { hasText: "no longer accepts the token this page was signed in with" })
    .waitFor({ timeout: 10000 });
  await kim.reload();
  await kim.locator("input[name=token]").waitFor({ timeout: 10000 });
  await other.close();
  // Shown with the revoked: marked so, with no Revoke.
  await page.locator("input[name=include_revoked]").check();
  await row.locator(".badge", { hasText: "revoked" }).waitFor({ timeout: 10000 });
  assert.equal(await row.getByRole("button", { name: "Revoke" }).isVisible(), false);

  // The audit log, newest first: the refused call, the revoke, the create.
  // One caller chosen, then everyone: the first answer, held back until
  // after the second's, is not shown (only the newest load is).
  let held: Request | undefined;
  await page.route("**/ListAuditEvents", async (route) => {
    if (held) return route.continue();
    held = route.request();
    await new Promise((r) => setTimeout(r, 1500));
    await route.continue();
  });
  const late = page.waitForResponse((r) => r.request() === held);
  await page.selectOption("select[name=audit_token]", { label: "phone of kim (viewer)" });
  await page.selectOption("select[name=audit_token]", { label: "everyone" });
  const audit = page.locator(".audit");
  await waitFor(async () => (await audit.count()) >= 3);
  await (await late).finished();
  await page.evaluate(() => new Promise((r) => setTimeout(r, 200)));
  const texts = await audit.allInnerTexts();
  const at = (re: RegExp) => texts.findIndex((t) => re.test(t));
  const refused = at(/UNAUTHENTICATED[\s\S]*no valid token/);
  const revoked = at(/RevokeToken OK tok_\w+[\s\S]*\(admin\)/);
  const made = at(/CreateToken OK tok_\w+[\s\S]*\(admin\)/);
  assert.ok(refused >= 0 && refused < revoked && revoked < made, texts.slice(0, 5).join("\n---\n"));

  // A backup: the browser saves the database, checked against the
  // server's SHA-256, and the audit log shows it.
  await page.unroute("**/ListAuditEvents");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download a backup" }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^codex-manager-\d{4}-\d{2}-\d{2}\.db$/);
  const backup = join(ARTIFACTS, "downloaded-backup.db");
  await download.saveAs(backup);
  const bytes = readFileSync(backup);
  assert.equal(bytes.subarray(0, 16).toString("latin1"), "SQLite format 3\0");
  const status = page.locator(".backup [role=status]");
  await status.filter({ hasText: "Saved" }).waitFor({ timeout: 10000 });
  const said = /: (\d+) bytes, \d+ sessions?, events through \d+; SHA-256 ([0-9a-f]{64}) \(checked\)/
    .exec(await status.innerText());
  assert.ok(said, await status.innerText());
  assert.equal(Number(said[1]), bytes.length);
  const { createHash } = await import("node:crypto");
  assert.equal(createHash("sha256").update(bytes).digest("hex"), said[2]);
  await audit.filter({ hasText: /^Backup OK backup/ }).first().waitFor({ timeout: 10000 });
  await page.close();
});

test("a plan is a checklist, the turn's diff a diff view, usage in the header", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await newSession(page, fake, "plan", "");
  await send(page, "plan");
  await page.locator(".entry.agent", { hasText: "planned" }).waitFor({ timeout: 20000 });
  const plan = page.locator(".entry.plan");
  assert.equal(await plan.count(), 1);  // one per turn, updated in place
  assert.deepEqual(await plan.locator("li > span:first-of-type").allInnerTexts(),
    ["Read the failing test", "Fix the parser", "Run the suite"]);
  assert.deepEqual(await plan.locator("input[type=checkbox]").evaluateAll(
    (boxes) => boxes.map((b) => (b as HTMLInputElement).checked)), [true, false, false]);
  assert.match(await plan.locator(".step-inProgress").innerText(), /in progress/);
  const diff = page.locator(".entry.turn-diff");
  assert.equal(await diff.locator("summary").innerText(), "Changes in this turn · 1 file");
  await diff.locator("summary").click();
  assert.match(await diff.locator("pre.diff").innerText(), /\+new/);
  assert.match(await page.locator(".bar .tokens").innerText(), /5h limit 42% used/);
  await page.locator(".entry.notice", { hasText: "switched from gpt-5.1-codex to gpt-5.1-codex-mini" })
    .waitFor({ timeout: 5000 });
  await page.locator(".entry.notice", { hasText: "MCP server tickets failed to start" })
    .waitFor({ timeout: 5000 });
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(ARTIFACTS, "phone-plan.png"), fullPage: true });
  await page.close();
});

test("a hook's runs show in the transcript, one line each, and the prompt it gave is marked", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await newSession(page, fake, "hooks", "");
  await send(page, "hooks");
  await page.locator(".entry.agent", { hasText: "Goodbye." }).waitFor({ timeout: 20000 });
  const hooks = page.locator(".entry.hook");
  // Started and ended runs share one line: three runs, three lines.
  await waitFor(async () => (await hooks.count()) === 3 &&
    /done/.test(await hooks.nth(2).innerText()));
  const lines = (await hooks.allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
  assert.deepEqual(lines, [
    "Hook PreToolUse · blocked · 4 ms feedback: no rm here",
    "Hook Stop · blocked · 4 ms feedback: Now say goodbye.",
    "Hook Stop · done · 4 ms",
  ]);
  assert.equal(await page.locator(".entry.hook-blocked").count(), 2);
  const prompt = page.locator(".entry.hook-prompt");
  assert.equal(await prompt.count(), 1);
  assert.match(await prompt.innerText(), /From a hook\s+Now say goodbye\./);
  // In the order Codex sent them: the hook's verdict, then its prompt, then the reply.
  const kinds = await page.locator(".transcript .entry").evaluateAll(
    (els) => els.map((el) => (el as HTMLElement).dataset.kind));
  const at = kinds.indexOf("prompt hook-prompt");
  assert.deepEqual(kinds.slice(at - 1, at + 3),
    ["hook hook-blocked", "prompt hook-prompt", "agent markdown", "hook hook-completed"]);
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(ARTIFACTS, "phone-hooks.png"), fullPage: true });
  await page.close();
});

test("an MCP tool call shows its tool, arguments and result; a failed one why; a web search, an image and a wait a line", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await newSession(page, fake, "tools", "");
  await send(page, "tools");
  await page.locator(".entry.agent", { hasText: "Filed ticket 7." }).waitFor({ timeout: 20000 });
  const tools = page.locator(".entry.tool");
  assert.equal(await tools.count(), 2);  // started and completed: one entry each
  const filed = tools.nth(0);
  assert.match(await filed.innerText(), /Tool tickets · file_ticket[\s\S]*done · 3 ms/);
  await filed.locator("summary").click();
  assert.match(await filed.locator("pre").first().innerText(), /"title":"Disk full"/);
  assert.equal(await filed.locator("pre.output").innerText(), "ticket 7 filed");
  const failed = tools.nth(1);
  assert.equal(await failed.locator("details").count(), 0);  // no arguments, no result
  assert.match(await failed.innerText(), /close_ticket[\s\S]*failed · 60.0 s: tool call timed out/);
  await page.locator(".entry.notice", { hasText: "Searched the web: disk full ext4" }).waitFor();
  // An image the agent generated (drawn: it came with its data), one it
  // could not, a wait.
  const image = page.locator("figure.entry.image");
  await image.waitFor();
  assert.equal(await image.locator("figcaption").innerText(),
               "Generated an image: /codex/generated_images/chart.png");
  assert.equal(await image.locator("img").getAttribute("alt"), "a chart of disk use");
  await waitFor(() => image.locator("img").evaluate((img) => (img as HTMLImageElement).complete), 5000);
  assert.equal(await image.locator("img").evaluate((img) => (img as HTMLImageElement).naturalWidth), 1);
  await page.locator(".entry.notice", { hasText: "Image not generated: usageLimitExceeded" }).waitFor();
  await page.locator(".entry.notice", { hasText: "Waited 1.5 s" }).waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(ARTIFACTS, "phone-tools.png"), fullPage: true });
  await page.close();
});

test("a review shows its findings once; a fork continues the conversation; threads and models are listed", async () => {
  // A folder with an uncommitted change for the review to look at.
  const git = (...args: string[]) => execFileSync("git",
    ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: real.project });
  git("init", "-q");
  writeFileSync(join(real.project, "notes.txt"), "one\n");
  git("add", "notes.txt");
  git("commit", "-qm", "first");
  writeFileSync(join(real.project, "notes.txt"), "one\ntwo\n");

  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const sessionId = await newSession(page, real, "review", "never");
  await send(page, "remember apricot");
  await page.locator(".entry.agent", { hasText: "You said: remember apricot" }).waitFor({ timeout: 30000 });
  await fromMenu(page, "Review changes");
  const review = page.locator(".entry.review");
  await review.locator("text=Review findings").waitFor({ timeout: 30000 });
  const findings = (await review.locator(".markdown").innerText()).trim();
  assert.match(findings, /^You said: /);
  // Codex repeats the findings as its reply; the page shows them once.
  await page.locator(".entry.turn").nth(1).waitFor({ timeout: 30000 });
  assert.equal(await page.locator(".entry.agent", { hasText: findings }).count(), 0);
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(ARTIFACTS, "phone-review.png"), fullPage: true });

  await fromMenu(page, "Fork");
  await page.waitForURL((url) => url.hash.startsWith("#/s/ses_") && !url.hash.endsWith(sessionId),
                        { timeout: 30000 });
  await page.locator(".bar .badge", { hasText: "Idle" }).waitFor({ timeout: 30000 });
  const forkId = page.url().split("#/s/")[1]!;
  // The fork has the history: the first prompt and its reply.
  await page.locator(".entry.prompt", { hasText: "remember apricot" }).waitFor({ timeout: 10000 });
  await page.locator(".entry.agent", { hasText: "You said: remember apricot" }).waitFor({ timeout: 10000 });
  await send(page, "in the fork");
  await page.locator(".entry.agent", { hasText: "You said: in the fork" }).waitFor({ timeout: 30000 });

  // The list page: Codex threads (each session's thread opens its session)
  // and the model picker.
  await page.goto(`${real.baseUrl}/#/`);
  await page.locator("details.threads summary").click();
  for (const id of [sessionId, forkId]) {
    await page.locator(`details.threads .thread a[href="#/s/${id}"]`).waitFor({ timeout: 30000 });
  }
  await page.locator("details.account summary").click();
  await page.locator("details.account", { hasText: "Codex is not signed in." }).waitFor({ timeout: 30000 });
  await page.locator("details.account", { hasText: "Rate limits unknown: " }).waitFor({ timeout: 5000 });
  await page.locator("input[name=model]").focus();
  await waitFor(async () => (await page.locator("datalist#models option").count()) > 0);
  // The model providers of Codex's config; a session made on one runs on it.
  await page.locator("input[name=model_provider]").focus();
  await page.locator('datalist#model-providers option[value="mock"]', { hasText: "(default)" })
    .waitFor({ state: "attached", timeout: 30000 });
  await page.fill("input[name=cwd]", real.project);
  await page.fill("input[name=title]", "on a provider");
  await page.fill("input[name=model_provider]", "mock");
  await page.locator("form.create").screenshot({ path: join(ARTIFACTS, "phone-new-session.png") });
  await page.click("form.create button[type=submit]");
  await page.waitForURL(/#\/s\/ses_/);
  const onProvider = page.url().split("#/s/")[1]!;
  const api = createClient(SessionService, apiTransport(real));
  await waitFor(async () => (await api.getSession({ sessionId: onProvider })).codexSettings?.modelProvider === "mock");
  assert.equal((await api.getSession({ sessionId: onProvider })).modelProvider, "mock");
  assert.deepEqual(await axeViolations(page), []);
  await page.close();
});

test("a prompt's Edit forks the conversation before it and opens the fork with the prompt to edit", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const sessionId = await newSession(page, real, "edit", "never");
  // Each prompt waits for the turn before it to end (one sent while a turn
  // runs would steer it).
  const ended = page.locator(".entry.turn");
  await send(page, "remember plum");
  await waitFor(async () => (await ended.count()) === 1, 30000);
  await send(page, "remember pear");
  await waitFor(async () => (await ended.count()) === 2, 30000);
  await page.locator(".entry.agent", { hasText: "You said: remember pear" }).waitFor({ timeout: 10000 });
  const edit = page.locator(".entry.prompt", { hasText: "remember pear" }).getByRole("button", { name: "Edit" });
  assert.ok(await edit.isVisible());
  await edit.click();
  await page.waitForURL((url) => url.hash.startsWith("#/s/ses_") && !url.hash.endsWith(sessionId),
                        { timeout: 30000 });
  const prompt = page.locator("textarea[aria-label=Prompt]");
  assert.equal(await prompt.inputValue(), "remember pear");
  await page.locator(".entry.prompt", { hasText: "remember plum" }).waitFor({ timeout: 10000 });
  await page.locator(".bar .badge", { hasText: "Idle" }).waitFor({ timeout: 30000 });
  assert.equal(await page.locator(".entry.prompt", { hasText: "remember pear" }).count(), 0);
  assert.deepEqual(await axeViolations(page), []);
  await prompt.fill("remember peach");
  await page.getByRole("button", { name: "Send" }).click();
  await page.locator(".entry.agent", { hasText: "You said: remember peach" }).waitFor({ timeout: 30000 });
  assert.deepEqual((await page.locator(".entry.prompt").allInnerTexts()).map((t) => t.split("\n")[0]),
                   ["remember plum", "remember peach"]);
  assert.equal(await page.locator(".entry.prompt .edit-prompt:visible").count(), 2);
  await page.screenshot({ path: join(ARTIFACTS, "phone-edit-prompt.png"), fullPage: true });
  // The source keeps both prompts; the draft was used once.
  await page.goto(`${real.baseUrl}/#/s/${sessionId}`);
  await page.locator(".entry.prompt", { hasText: "remember pear" }).waitFor({ timeout: 10000 });
  assert.equal(await page.locator("textarea[aria-label=Prompt]").inputValue(), "");
  await page.close();
});

test("the session list, read again every few seconds, keeps a card's focus", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await newSession(page, fake, "keeps focus", "");
  await page.goto(`${fake.baseUrl}/#/`);
  const card = page.locator(".card.session", { hasText: "keeps focus" });
  await card.waitFor({ timeout: 10000 });
  await card.focus();
  // Two reads of the list later (every 3 s), the card and its focus stay.
  const read = () => page.waitForResponse("**/codex_manager.v1.SessionService/ListSessions");
  await (await read()).finished();
  await (await read()).finished();
  await page.waitForTimeout(100);  // the UI's handling of the reply
  assert.equal(await page.evaluate(() =>
    document.activeElement?.closest(".card.session")?.textContent?.includes("keeps focus") ?? false), true);
  await page.close();
});

test("an untitled session is named by the start of its first prompt, on its page and in the list", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const sessionId = await newSession(page, fake, "", "never");
  // No prompt yet: its id.
  const heading = page.locator(".session-bar h1");
  assert.equal(await heading.textContent(), sessionId);
  await send(page, "untitled preview: tidy\nthe README");
  await page.locator(".session-bar h1", { hasText: "untitled preview: tidy the README" }).waitFor({ timeout: 10000 });
  await page.goto(`${fake.baseUrl}/#/`);
  const name = page.locator(`.card.session[data-session-id="${sessionId}"] strong.preview`);
  await name.waitFor({ timeout: 10000 });
  assert.equal(await name.textContent(), "untitled preview: tidy the README");
  await name.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ARTIFACTS, "phone-list-untitled.png") });
  // Opened again, the page has it from the server (Session.preview).
  await page.locator(`.card.session[data-session-id="${sessionId}"]`).click();
  await page.locator(".session-bar h1", { hasText: "untitled preview: tidy the README" }).waitFor({ timeout: 10000 });
  await page.close();
});

test("a prompt's Undo takes it and what followed out of the conversation, in place", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await newSession(page, real, "undo", "never");
  const ended = page.locator(".entry.turn");
  await send(page, "remember fig");
  await waitFor(async () => (await ended.count()) === 1, 30000);
  await send(page, "remember date");
  await waitFor(async () => (await ended.count()) === 2, 30000);
  await page.locator(".transcript.can-revert").waitFor({ timeout: 30000 });
  const date = page.locator(".entry.prompt", { hasText: "remember date" });
  let asked = "";
  page.once("dialog", (dialog) => { asked = dialog.message(); void dialog.accept(); });
  await date.getByRole("button", { name: "Undo" }).click();
  const undone = page.locator(".entry.notice", { hasText: "Undone: the turn above left the conversation" });
  await undone.waitFor({ timeout: 30000 });
  assert.match(asked, /Undo this prompt and everything after it/);
  // The turn stays in the transcript, marked; its prompt has no actions.
  await page.locator(".entry.prompt.reverted", { hasText: "remember date" }).waitFor({ timeout: 10000 });
  assert.ok(await page.locator(".entry.agent.reverted", { hasText: "You said: remember date" }).isVisible());
  assert.equal(await date.getByRole("button").count(), 0);
  assert.equal(await page.locator(".entry.prompt.reverted", { hasText: "remember fig" }).count(), 0);
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(ARTIFACTS, "phone-undo-prompt.png"), fullPage: true });
  const marked = await page.locator(".entry.reverted").count();
  assert.ok(marked >= 3, `${marked} entries marked`);  // prompt, reply, end of turn
  // A reload replays the log: the same marks.
  await page.reload();
  await undone.waitFor({ timeout: 30000 });
  await page.locator(".entry.prompt.reverted", { hasText: "remember date" }).waitFor({ timeout: 10000 });
  assert.equal(await page.locator(".entry.reverted").count(), marked);
  await page.close();
});

test("the list shows more on request, and a session waiting for an approval however old", async () => {
  // A server of its own: 101 sessions would crowd the other tests' lists;
  // its rate limit lets 200 changes through at once.
  const stack = await startStack({ proxyArgs: ["--static-dir", join(UI, "dist")],
                                   serverArgs: ["--rate-burst", "1000"] });
  try {
    const api = createClient(SessionService, apiTransport(stack));
    const oldest = await api.createSession({ cwd: stack.project, title: "oldest, waiting" });
    await waitFor(async () => (await api.getSession({ sessionId: oldest.sessionId })).state ===
      SessionState.IDLE, 20000);
    await createClient(TurnService, apiTransport(stack))
      .startTurn({ sessionId: oldest.sessionId, prompt: "approve" });
    const approvalsApi = createClient(ApprovalService, apiTransport(stack));
    await waitFor(async () => (await approvalsApi.listApprovals({})).approvals.length === 1, 20000);
    // 100 newer ones, each stopped at once (at most 16 run at a time).
    for (let i = 0; i < 100; i++) {
      const { sessionId } = await api.createSession({ cwd: stack.project, title: `newer ${i}` });
      await api.stopSession({ sessionId, force: true });
    }

    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${stack.baseUrl}/#token=${stack.token}`);
    const cards = page.locator(".card.session");
    await waitFor(async () => (await cards.count()) === 101, 20000);
    // Beyond the newest 100, yet listed first and counted.
    assert.match(await cards.first().innerText(), /oldest, waiting[\s\S]*1 pending/);
    assert.match(await cards.nth(1).innerText(), /newer 99/);
    assert.equal(await page.title(), "(1) Codex Manager");
    const more = page.getByRole("button", { name: "Show more" });
    assert.ok(await more.isVisible());
    await more.click();
    // Now in its place, last (oldest), and not twice.
    await waitFor(async () => (await more.isHidden()) &&
      /oldest, waiting/.test(await cards.last().innerText()), 10000);
    assert.equal(await cards.count(), 101);
    assert.match(await cards.first().innerText(), /newer 99/);
    assert.deepEqual(await axeViolations(page), []);
    await page.close();
  } finally {
    await stack.stop();
  }
});

test("a sub-agent's work is set in under its name, and its approval names it", async () => {
  const stack = await startStack({
    realCodex: true, proxyArgs: ["--static-dir", join(UI, "dist")],
    codexConfig: "[features]\nmulti_agent_v2 = true\n",
  });
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await newSession(page, stack, "helpers");
    await send(page, "spawn: run: echo from-helper");
    const card = page.locator(".approval");
    await card.waitFor({ timeout: 30000 });
    assert.equal(await card.locator("strong").innerText(), "Sub-agent helper wants to run");
    assert.equal(await card.getAttribute("aria-label"), "Sub-agent helper wants to run");
    await card.getByRole("button", { name: "Approve", exact: true }).click();
    await page.locator(".entry.agent", { hasText: "Helper finished." }).waitFor({ timeout: 30000 });
    const helper = page.locator(".entry.sub-agent.command");
    assert.match(await helper.innerText(), /Sub-agent helper[\s\S]*echo from-helper/);
    await page.close();
  } finally {
    await stack.stop();
  }
});

test("More > MCP servers lists Codex's servers, their connection and their tools", async () => {
  const server = join(REPO, "tests", "mcp_server", "elicit_server.py");
  const stack = await startStack({
    realCodex: true, proxyArgs: ["--static-dir", join(UI, "dist")],
    codexConfig: `[mcp_servers.tickets]\ncommand = "python3"\nargs = [${JSON.stringify(server)}]\n` +
      '[mcp_servers.broken]\ncommand = "/nonexistent/mcp-server"\n',
  });
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await newSession(page, stack, "mcp", "never");
    const panel = page.locator("section.mcp");
    const tickets = panel.locator(".mcp-server", { hasText: "tickets" });
    // The thread connects as it starts: ask until Codex says so.
    await waitFor(async () => {
      await fromMenu(page, "MCP servers");
      await panel.locator(".mcp-server").first().waitFor({ timeout: 30000 });
      return /connected/.test(await tickets.locator("summary").innerText());
    }, 20000);
    assert.match(await tickets.locator("summary").innerText(), /tickets\s+connected · tickets 1\.0\.0 · 1 tool/);
    await tickets.locator("summary").click();
    assert.match(await tickets.locator(".tools").innerText(),
                 /file_ticket Files a ticket; asks the user for its priority\./);
    const broken = panel.locator(".mcp-server.failed", { hasText: "broken" });
    assert.match(await broken.locator("summary").innerText(), /failed/);
    await broken.locator("summary").click();
    assert.match(await broken.locator("p.error").innerText(), /No such file or directory/);
    assert.deepEqual(await axeViolations(page), []);
    await panel.screenshot({ path: join(ARTIFACTS, "phone-mcp-servers.png") });
    await panel.getByRole("button", { name: "Close" }).click();
    assert.equal(await panel.isHidden(), true);
    await page.close();
  } finally {
    await stack.stop();
  }
});

test("an admin trusts a Codex hook from the hooks panel, with two taps", async () => {
  const stack = await startStack({
    realCodex: true, proxyArgs: ["--static-dir", join(UI, "dist")],
    codexConfig: '[[hooks.Stop]]\n[[hooks.Stop.hooks]]\ntype = "command"\ncommand = "true"\n',
  });
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${stack.baseUrl}/#token=${stack.token}`);
    await page.locator("details.hooks summary").click();
    const row = page.locator("details.hooks .hook");
    await row.waitFor({ timeout: 30000 });
    assert.match(await row.innerText(), /Stop · not trusted: skipped\s+true\s+\/.*config\.toml/);
    const trust = row.getByRole("button", { name: "Trust" });
    await trust.click();
    assert.equal(await row.getByRole("button").innerText(), "Tap again to trust");
    await row.getByRole("button").click();
    await page.locator("details.hooks .hook", { hasText: "Stop · trusted" }).waitFor({ timeout: 30000 });
    assert.equal(await page.locator("details.hooks .hook button").count(), 0);
    const listed = await createClient(CodexService, apiTransport(stack)).listCodexHooks({});
    assert.deepEqual(listed.hooks.map((h) => h.trustStatus), ["trusted"]);
    assert.deepEqual(await axeViolations(page), []);
    await page.locator("details.hooks").screenshot({ path: join(ARTIFACTS, "phone-hooks-panel.png") });
    await page.close();
  } finally {
    await stack.stop();
  }
});

test("an admin turns a Codex feature on and back to its default from the features panel", async () => {
  const stack = await startStack({ realCodex: true, proxyArgs: ["--static-dir", join(UI, "dist")] });
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${stack.baseUrl}/#token=${stack.token}`);
    await page.locator("details.features summary").click();
    await page.locator("details.features .feature").first().waitFor({ timeout: 30000 });
    // Sorted by name, removed flags left out; the filter narrows the list.
    const names = await page.locator("details.features .feature").evaluateAll(
      (rows) => rows.map((r) => (r as HTMLElement).dataset.feature!));
    assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b)));
    assert.ok(names.includes("apply_patch_streaming_events") && !names.includes("undo"));
    await page.locator("input[name=feature_filter]").fill("patch_stream");
    const visible = page.locator("details.features .feature:visible");
    assert.equal(await visible.count(), 1);
    const row = page.locator('[data-feature="apply_patch_streaming_events"]');
    assert.match(await row.innerText(), /under development · off \(Codex's default\)/);
    await row.getByRole("button", { name: "Turn on" }).click();
    await page.locator('[data-feature="apply_patch_streaming_events"]', { hasText: "· on" }).waitFor();
    const api = createClient(CodexService, apiTransport(stack));
    const enabled = (await api.listCodexFeatures({})).features.find((f) => f.name === "apply_patch_streaming_events");
    assert.equal(enabled?.enabled, true);
    assert.match(await row.innerText(), /on \(Codex's default: off\)/);
    assert.deepEqual(await axeViolations(page), []);
    await page.locator("details.features").screenshot({ path: join(ARTIFACTS, "phone-features-panel.png") });
    await row.getByRole("button", { name: "Default" }).click();
    await page.locator('[data-feature="apply_patch_streaming_events"]', { hasText: "off (Codex's default)" }).waitFor();
    assert.equal(await row.getByRole("button", { name: "Default" }).count(), 0);
    const reset = (await api.listCodexFeatures({})).features.find((f) => f.name === "apply_patch_streaming_events");
    assert.equal(reset?.enabled, false);
    await page.close();
  } finally {
    await stack.stop();
  }
});

test("an admin signs the server's Codex in with a device code from the phone, then with a key, then out", async () => {
  const pki = mkdtempSync(join(tmpdir(), "cm-chatgpt-"));
  rmSync(pki, { recursive: true });
  const chatgpt = await startMockChatGPT(pki);
  const stack = await startStack({
    realCodex: true, proxyArgs: ["--static-dir", join(UI, "dist")],
    // The mock model's provider signs in as OpenAI's does, so Codex
    // reports the account.
    codexConfig: "requires_openai_auth = true\n",
    codexTopConfig: `chatgpt_base_url = "${chatgpt.origin}/backend-api/"\n`,
    serverEnv: { CODEX_APP_SERVER_LOGIN_ISSUER: chatgpt.origin, CODEX_CA_CERTIFICATE: chatgpt.ca },
    serverArgs: ["--pass-env", "CODEX_APP_SERVER_LOGIN_ISSUER", "--pass-env", "CODEX_CA_CERTIFICATE"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    // A turn whose request the provider refuses (HTTP 401, as for a key
    // no longer valid) says where Codex is signed in.
    await newSession(page, stack, "refused", "never");
    await send(page, "status: 401");
    const hint = page.locator(".entry.notice.error .hint");
    await hint.waitFor({ timeout: 30000 });
    assert.match(await hint.innerText(),
                 /^Codex's credentials were refused\. An admin signs Codex in from the Codex account card of the session list, or with codex-manager codex login\.$/);
    await hint.getByRole("link", { name: "the Codex account card" }).click();
    const card = page.locator("details.account");
    await card.locator("summary").click();
    await card.getByText("Codex is not signed in; its model provider needs an OpenAI sign-in.").waitFor({ timeout: 30000 });
    await card.getByRole("button", { name: "Sign in with ChatGPT" }).click();
    const login = card.locator(".login");
    await login.waitFor({ timeout: 30000 });
    assert.equal(await login.locator(".login-code").innerText(), "ABCD-EFGH");
    assert.equal(await login.getByRole("link").getAttribute("href"), `${chatgpt.origin}/codex/device`);
    assert.deepEqual(await axeViolations(page), []);
    await card.screenshot({ path: join(ARTIFACTS, "phone-codex-device-code.png") });
    await chatgpt.enterCode();
    await card.getByText("Codex is signed in.").waitFor({ timeout: 30000 });
    await card.getByText("Codex is signed in with ChatGPT as dev@example.com (plus)").waitFor({ timeout: 30000 });

    // An API key replaces it; the field is emptied at once.
    const key = card.getByLabel("OpenAI API key");
    await key.fill("sk-test-from-the-phone");
    await card.getByRole("button", { name: "Use this key" }).click();
    assert.equal(await key.inputValue(), "");
    await card.getByText("Codex uses an API key").waitFor({ timeout: 30000 });

    // Two taps sign it out.
    await card.getByRole("button", { name: "Sign out" }).click();
    await card.getByRole("button", { name: "Tap again to sign out" }).click();
    await card.getByText("Codex is signed out.").waitFor({ timeout: 30000 });
    await card.getByText("Codex is not signed in").waitFor({ timeout: 30000 });
    const account = await createClient(CodexService, apiTransport(stack)).getAccount({});
    assert.equal(account.type, "");
    await page.close();
  } finally {
    await stack.stop();
    chatgpt.stop();
    rmSync(pki, { recursive: true, force: true });
  }
});

test("an operator's turns in an admin's unsandboxed session run in a narrower sandbox, said and picked", async () => {
  const stack = await startStack({ realCodex: true, proxyArgs: ["--static-dir", join(UI, "dist")],
                                   serverArgs: ["--max-sandbox", "danger-full-access"] });
  try {
    const admin = apiTransport(stack);
    const session = await createClient(SessionService, admin).createSession({
      cwd: stack.project, title: "unsandboxed", approvalPolicy: "never", sandbox: "danger-full-access",
    });
    const operator = await createClient(AuthService, admin).createToken({ name: "ops", role: Role.OPERATOR });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${stack.baseUrl}/#token=${operator.secret}`);
    await page.locator(".who", { hasText: "ops (operator)" }).waitFor({ timeout: 10000 });
    await page.goto(`${stack.baseUrl}/#/s/${session.sessionId}`);
    const note = page.locator(".composer .narrowed");
    await note.waitFor({ timeout: 30000 });
    assert.match(await note.innerText(), /without a sandbox \(danger-full-access\), which only an admin may start/);
    assert.equal(await page.locator("select[name=turn_sandbox]").inputValue(), "workspace-write");
    await page.locator(".bar .badge", { hasText: "Idle" }).waitFor({ timeout: 30000 });
    await send(page, "from the operator");
    await page.locator(".entry.agent", { hasText: "You said: from the operator" }).waitFor({ timeout: 30000 });
    // Codex ran that turn in the sandbox picked, and the next is picked again.
    await page.locator(".entry.notice", { hasText: "workspace-write" }).first().waitFor({ timeout: 10000 });
    assert.equal(await page.locator("select[name=turn_sandbox]").inputValue(), "workspace-write");
    assert.deepEqual(await axeViolations(page), []);
    await page.locator("details.turn-settings summary").click();
    await page.locator(".composer").screenshot({ path: join(ARTIFACTS, "phone-operator-unsandboxed.png") });
    await page.close();

    // An admin's page says nothing of it.
    const adminPage = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await adminPage.goto(`${stack.baseUrl}/#token=${stack.token}`);
    await adminPage.locator(".who", { hasText: "admin" }).waitFor({ timeout: 10000 });
    await adminPage.goto(`${stack.baseUrl}/#/s/${session.sessionId}`);
    await adminPage.locator(".entry.agent", { hasText: "You said: from the operator" }).waitFor({ timeout: 30000 });
    assert.equal(await adminPage.locator(".composer .narrowed").isHidden(), true);
    assert.equal(await adminPage.locator("select[name=turn_sandbox]").inputValue(), "");
    await adminPage.close();
  } finally {
    await stack.stop();
  }
});

test("an admin's !command runs in the shell as a turn of its own, where the server allows it", async () => {
  // The shared server keeps the default --max-sandbox: refused, kept.
  const refusedPage = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await newSession(refusedPage, real, "shell refused", "never");
  await send(refusedPage, "!id");
  await refusedPage.locator(".toast", { hasText: "--max-sandbox" }).waitFor({ timeout: 10000 });
  assert.equal(await refusedPage.locator("textarea[aria-label=Prompt]").inputValue(), "!id");
  assert.equal(await refusedPage.locator(".entry.command").count(), 0);
  await refusedPage.close();

  const stack = await startStack({ realCodex: true, proxyArgs: ["--static-dir", join(UI, "dist")],
                                   serverArgs: ["--max-sandbox", "danger-full-access"] });
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await newSession(page, stack, "shell", "never");
    assert.match(await page.locator("textarea[aria-label=Prompt]").getAttribute("placeholder") ?? "",
                 /!command/);
    await send(page, "!echo hi from the shell | tr a-z A-Z");
    const card = page.locator(".entry.command", { hasText: "You ran" });
    await card.locator("pre.output", { hasText: "HI FROM THE SHELL" }).waitFor({ timeout: 30000 });
    await page.locator(".entry.turn", { hasText: "completed" }).waitFor({ timeout: 30000 });
    assert.match(await card.innerText(), /echo hi from the shell \| tr a-z A-Z[\s\S]*exit 0/);
    assert.equal(await page.locator(".entry.prompt").count(), 0);
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, "phone-shell-command.png"), fullPage: true });
    // While one runs, what is sent waits for it (it takes no steer).
    await send(page, "!sleep 3; echo slept");
    await page.locator(".entry.command", { hasText: "sleep 3" }).waitFor({ timeout: 30000 });
    await waitFor(async () => (await page.locator(".composer button[type=submit]").innerText()) === "Send",
                  5000);
    await send(page, "after the sleep");
    await page.locator(".entry.agent", { hasText: "You said: after the sleep" })
      .waitFor({ timeout: 30000 });
    assert.match(await page.locator(".entry.command", { hasText: "sleep 3" }).innerText(), /slept/);
    // The agent's own commands are not marked (sent once the turns before
    // it ended: sent while one runs, it would steer it).
    await waitFor(async () => (await page.locator(".entry.turn").count()) === 3, 30000);
    await send(page, "run: echo from the agent");
    await page.locator(".entry.agent", { hasText: "Command output: from the agent" })
      .waitFor({ timeout: 30000 });
    assert.equal(await page.locator(".entry.command", { hasText: "You ran" }).count(), 2);
    await page.close();
  } finally {
    await stack.stop();
  }
});

test("processes the agent left running are listed over the transcript and ended", async () => {
  const stack = await startStack({ realCodex: true, proxyArgs: ["--static-dir", join(UI, "dist")] });
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await newSession(page, stack, "background", "never");
    const panel = page.locator("details.background");
    assert.equal(await panel.isVisible(), false);  // none yet
    // Real codex on the scripted model: exec_command yields, the sleeps go
    // on. Each prompt waits for the turn before it to end (a prompt sent
    // while one runs would steer it).
    const replies = page.locator(".entry.agent", { hasText: "Left it running." });
    const leave = async (seconds: number) => {
      const before = await replies.count();
      await send(page, `background: sleep ${seconds}`);
      await waitFor(async () => (await replies.count()) > before, 30000);
      await page.locator(".bar .badge", { hasText: "Idle" }).waitFor({ timeout: 30000 });
    };
    await leave(271);
    await leave(272);
    await panel.locator(".terminal", { hasText: "sleep 272" }).waitFor({ timeout: 30000 });
    assert.match(await panel.locator("summary").innerText(), /Running in the background \(2\)/);
    // Said in the header too, seen wherever the page is scrolled.
    const running = page.locator(".bar .badge.running");
    await running.filter({ hasText: "2 running" }).waitFor({ timeout: 10000 });
    await running.click();  // shows the list, however far down the page is
    await waitFor(() => panel.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.top < window.innerHeight;
    }), 5000);
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: join(ARTIFACTS, "phone-background-terminals.png") });

    // The list redrawn (the agent left another, from another client) keeps
    // the End button a person is on: focus stays on it.
    const sessionId = page.url().split("#/s/")[1]!;
    const focusedRow = () => page.evaluate(
      () => document.activeElement?.closest(".terminal")?.textContent ?? "");
    await panel.locator(".terminal", { hasText: "sleep 272" }).getByRole("button", { name: "End" }).focus();
    await createClient(TurnService, apiTransport(stack))
      .startTurn({ sessionId, prompt: "background: sleep 273" });
    await panel.locator(".terminal", { hasText: "sleep 273" }).waitFor({ timeout: 30000 });
    assert.match(await focusedRow(), /sleep 272/);
    await page.locator(".bar .badge", { hasText: "Idle" }).waitFor({ timeout: 30000 });

    // End one, then End all; the panel goes once none run.
    await panel.locator(".terminal", { hasText: "sleep 271" }).getByRole("button", { name: "End" }).click();
    await waitFor(async () => (await panel.locator(".terminal").count()) === 2, 20000);
    const listed = await panel.locator(".terminals").innerText();
    assert.ok(listed.includes("sleep 272") && listed.includes("sleep 273"), listed);
    await panel.getByRole("button", { name: "End all" }).click();
    await panel.waitFor({ state: "hidden", timeout: 20000 });
    assert.equal(await page.locator(".bar .badge.running").isVisible(), false);
    // What the agent types into a running command is a line of its own.
    await send(page, "background: while read l; do echo got:$l; done");
    await panel.locator(".terminal", { hasText: "while read" }).waitFor({ timeout: 30000 });
    await page.locator(".bar .badge", { hasText: "Idle" }).waitFor({ timeout: 30000 });
    await send(page, "type: hi there");
    await page.locator(".entry.notice", { hasText: "Typed into /bin/bash -lc 'while read l; do echo got:$l; done': hi there" })
      .waitFor({ timeout: 30000 });
    await page.locator(".entry.agent", { hasText: "Typed it. Output: got:hi there" }).waitFor({ timeout: 30000 });
    await panel.getByRole("button", { name: "End" }).click();
    await panel.waitFor({ state: "hidden", timeout: 20000 });
    const left = await createClient(SessionService, apiTransport(stack))
      .listBackgroundTerminals({ sessionId });
    assert.deepEqual(left.terminals, []);
    await page.close();
  } finally {
    await stack.stop();
  }
});

test("an archived session whose events the server deleted says so; a page that missed them stops asking", async () => {
  // A server of its own: events of sessions archived more than ~1.7 s ago
  // are deleted.
  const stack = await startStack({ proxyArgs: ["--static-dir", join(UI, "dist")],
                                   serverArgs: ["--retain-archived-days", "0.00002"] });
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const sessionId = await newSession(page, stack, "kept a while", "");
    await send(page, "hello");
    await page.locator(".entry.agent", { hasText: "fake: hello" }).waitFor({ timeout: 20000 });
    // The page is away while the session is archived and its events go.
    await stack.killProxy();
    const banner = page.locator(".banner");
    await banner.filter({ hasText: /Reconnecting/ }).waitFor({ timeout: 10000 });
    const api = createClient(SessionService, apiTransport(stack));
    await api.archiveSession({ sessionId });
    const { purgedSeq } = await waitFor(async () => {
      const s = await api.getSession({ sessionId });
      return s.purgedSeq > 0n && s;
    }, 15000);
    await stack.restartProxy();
    // Back, it says why it cannot go on, once, and keeps what it shows.
    await banner.filter({ hasText: "The server deleted this session's events after the ones shown here" })
      .waitFor({ timeout: 15000 });
    const said = await banner.innerText();
    assert.doesNotMatch(said, /Reconnecting/);
    assert.match(said, /Reload the page/);
    assert.equal(await page.locator(".entry.agent", { hasText: "fake: hello" }).count(), 1);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await banner.innerText(), said);
    // Reloaded, the page says what was deleted instead of an empty transcript.
    await page.reload();
    const notice = page.locator(".entry.notice", {
      hasText: `Events 1–${purgedSeq} of this session were deleted`,
    });
    await notice.waitFor({ timeout: 15000 });
    assert.equal(await page.locator(".entry.prompt").count(), 0);
    assert.equal(await banner.isHidden(), true);
    await page.screenshot({ path: join(ARTIFACTS, "phone-purged.png") });
    await page.close();
  } finally {
    await stack.stop();
  }
});

test("stop, resume, archive and unarchive; the composer is off where no prompt can go", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  const sessionId = await newSession(page, fake, "controls", "");
  const badge = page.locator(".bar .badge");

  // Ctrl+Enter sends; scrolled up, new output offers "Jump to latest".
  await page.fill("textarea", "burst 600");  // a reply taller than the screen
  await page.locator("textarea").press("Control+Enter");
  await page.locator(".entry.agent", { hasText: "t599" }).waitFor({ timeout: 20000 });
  assert.equal(await page.inputValue("textarea"), "");
  await page.evaluate(() => window.scrollTo(0, 0));
  const jump = page.getByRole("button", { name: "Jump to latest ↓" });
  assert.equal(await jump.isVisible(), false);
  await send(page, "more");
  await page.locator(".entry.agent", { hasText: "fake: more" }).waitFor({ timeout: 20000 });
  await jump.waitFor({ state: "visible", timeout: 10000 });
  await jump.click();
  await jump.waitFor({ state: "hidden", timeout: 10000 });
  assert.ok(await page.evaluate(() => window.innerHeight + window.scrollY >= document.body.scrollHeight - 40));

  // The transcript downloads as Markdown.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    fromMenu(page, "Download transcript"),
  ]);
  assert.equal(download.suggestedFilename(), `${sessionId}.md`);
  const saved = join(ARTIFACTS, "downloaded-transcript.md");
  await download.saveAs(saved);
  const markdown = readFileSync(saved, "utf8");
  assert.match(markdown, /^# controls\n/);
  assert.match(markdown, /\*\*Codex:\*\*\n\nfake: more\n/);
  // Compact: Codex's thread/compacted comes back as a notice.
  const compact = page.locator(".controls").getByRole("button", { name: "Compact" });
  await fromMenu(page, "Compact");
  assert.equal(await compact.isVisible(), false);  // the choice closed the menu
  await page.locator(".entry.notice", { hasText: "Codex compacted the conversation" })
    .waitFor({ timeout: 20000 });
  await page.locator(".controls").getByRole("button", { name: "Stop" }).click();
  await badge.filter({ hasText: "Stopped" }).waitFor({ timeout: 20000 });
  assert.equal(await compact.isHidden(), true);  // only a live session compacts
  await page.locator(".controls").getByRole("button", { name: "Resume" }).click();
  await badge.filter({ hasText: "Idle" }).waitFor({ timeout: 20000 });

  // The controls take one row on a phone: the state's, Settings, More.
  const rows = await page.locator(".controls > *:visible").evaluateAll(
    (els) => new Set(els.map((e) => Math.round(e.getBoundingClientRect().top))).size);
  assert.equal(rows, 1);
  const archive = page.locator(".controls").getByRole("button", { name: /archive/i });
  await fromMenu(page, /archive/i);
  assert.equal(await archive.innerText(), "Tap again to archive");  // the menu stays open
  await page.screenshot({ path: join(ARTIFACTS, "phone-more.png") });
  await archive.click();
  await badge.filter({ hasText: "Archived" }).waitFor({ timeout: 20000 });
  await page.locator(".composer .blocked", { hasText: "archived" }).waitFor({ timeout: 10000 });
  assert.equal(await page.locator("textarea").isDisabled(), true);
  assert.deepEqual(await page.locator(".controls button:visible").allInnerTexts(), ["Unarchive"]);
  await page.locator(".controls details.menu summary").click();
  assert.deepEqual(await page.locator(".controls button:visible").allInnerTexts(),
                   ["Unarchive", "Download transcript"]);
  await page.locator(".controls details.menu summary").click();
  // The list leaves archived sessions out unless asked.
  await page.goto(`${fake.baseUrl}/#/`);
  const card = page.locator(`a.card.session[data-session-id="${sessionId}"]`);
  await page.locator(".list > *").first().waitFor({ timeout: 10000 });  // loaded
  assert.equal(await card.count(), 0);
  await page.locator("input[name=include_archived]").check();
  await card.locator(".badge", { hasText: "Archived" }).waitFor({ timeout: 10000 });
  // The search box narrows the list to the titles and folders (and
  // prompts) that hold the text, in any case, as it is typed.
  const search = page.getByRole("searchbox", { name: "Search sessions by title, folder or prompt" });
  await search.fill("CONTROL");
  // Listed again once typing pauses: then only what matches is there.
  await page.waitForFunction(() => {
    const cards = [...document.querySelectorAll(".list > a.card.session")];
    return cards.length > 0 && cards.every((c) => /control/i.test(c.textContent ?? ""));
  }, null, { timeout: 10000 });
  assert.ok(await card.isVisible());
  await search.fill("no session has this");
  await page.locator(".list p.muted", { hasText: "No sessions match." }).waitFor({ timeout: 10000 });
  assert.equal(await card.count(), 0);
  await search.fill("");
  await card.waitFor({ timeout: 10000 });
  // Unarchived, it is a stopped session again, which resumes.
  await card.click();
  const unarchive = page.locator(".controls").getByRole("button", { name: "Unarchive" });
  await unarchive.click();
  await badge.filter({ hasText: "Stopped" }).waitFor({ timeout: 20000 });
  assert.equal(await unarchive.isHidden(), true);
  await page.locator(".controls").getByRole("button", { name: "Resume" }).click();
  await badge.filter({ hasText: "Idle" }).waitFor({ timeout: 20000 });

  await page.goto(`${fake.baseUrl}/#/s/ses_00000000000000000000`);
  await page.locator(".composer .blocked", { hasText: "no session ses_00000000000000000000" })
    .waitFor({ timeout: 10000 });
  assert.equal(await page.locator("textarea").isDisabled(), true);
  assert.notEqual(sessionId, "ses_00000000000000000000");
  await page.close();
});

test("a turn Codex starts by itself toward a goal is said where a prompt would be", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await newSession(page, real, "goal", "never");
  // The agent sets a goal (create_goal); Codex then goes on by itself in
  // a turn of its own, where the agent marks the goal complete.
  await send(page, "goal: count to three");
  const ended = page.locator(".entry.turn");
  await waitFor(async () => (await ended.count()) === 2, 60000);
  const note = page.locator(".entry.notice", { hasText: "Codex went on by itself" });
  assert.equal(await note.count(), 1);
  await page.locator(".entry.agent", { hasText: "Goal complete." }).waitFor({ timeout: 10000 });
  // The note comes after the first turn's reply and before the second's.
  const texts = await page.locator(".entry.prompt, .entry.agent, .entry.notice").allInnerTexts();
  const at = (s: string) => texts.findIndex((t) => t.includes(s));
  assert.ok(at("Goal set.") < at("Codex went on by itself") &&
            at("Codex went on by itself") < at("Goal complete."), texts.join(" | "));
  await page.locator(".bar .badge", { hasText: "Idle" }).waitFor({ timeout: 30000 });
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(ARTIFACTS, "phone-codex-went-on.png"), fullPage: true });
  await page.close();
});

test("an operator sets a goal, and pauses, resumes and clears it", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await newSession(page, real, "goal controls", "never");
  await page.locator(".bar .badge", { hasText: "Idle" }).waitFor({ timeout: 30000 });
  const panel = page.locator("section.goal");
  assert.equal(await panel.isVisible(), false);
  await page.locator("details.menu summary").click();
  await page.getByRole("button", { name: "Set a goal" }).click();
  await page.locator("input[name=goal_objective]").fill("count to three");
  await page.locator("input[name=goal_budget]").fill("5000");
  await page.getByRole("button", { name: "Set goal" }).click();
  // Codex goes on toward it by itself until the agent marks it complete.
  await page.locator(".entry.agent", { hasText: "Goal complete." }).waitFor({ timeout: 60000 });
  await panel.locator("p", { hasText: /^complete · \d+ of 5000 tokens/ }).waitFor({ timeout: 30000 });
  assert.equal(await panel.locator(".objective").innerText(), "count to three");
  const notes = await page.locator(".entry.notice").allInnerTexts();
  assert.ok(notes.some((t) => t.includes("Goal (active): count to three")), notes.join(" | "));
  assert.ok(notes.some((t) => t.includes("Goal (complete): count to three")), notes.join(" | "));
  await page.locator(".bar .badge", { hasText: "Idle" }).waitFor({ timeout: 30000 });
  assert.deepEqual(await axeViolations(page), []);
  await page.screenshot({ path: join(ARTIFACTS, "phone-goal.png"), fullPage: true });
  // The list says which sessions have a goal, and where it stands.
  const sessionUrl = page.url();
  const sessionId = sessionUrl.split("#/s/")[1] ?? "";
  await page.goto(`${real.baseUrl}/#/`);
  await page.locator(`.card.session[data-session-id="${sessionId}"] .goal-line`,
                     { hasText: "Goal (complete): count to three" }).waitFor({ timeout: 10000 });
  await page.goto(sessionUrl);
  await page.locator(".bar .badge", { hasText: "Idle" }).waitFor({ timeout: 30000 });
  // A complete goal resumes (Codex goes on again); an active one pauses.
  await panel.getByRole("button", { name: "Resume" }).click();
  await waitFor(async () => (await page.locator(".entry.agent", { hasText: "Goal complete." }).count()) === 2, 60000);
  await page.locator(".bar .badge", { hasText: "Idle" }).waitFor({ timeout: 30000 });
  await panel.getByRole("button", { name: "Clear" }).click();
  await page.locator(".entry.notice", { hasText: "Goal cleared" }).waitFor({ timeout: 30000 });
  await waitFor(async () => !(await panel.isVisible()), 10000);
  await page.close();
});
