// Chromium for the UI tests (Debian's, driven by playwright-core; never a
// downloaded browser), and the steps most tests start with.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { type Browser, chromium, type Page } from "playwright-core";

import { REPO, type Stack, UI } from "./support.js";

export const ARTIFACTS = join(REPO, "tests/artifacts/web");

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
}

// Signs in with a sign-in link (codex-manager token create --link: the
// fragment signs in and is removed from the address bar), creates a
// session in the stack's project and waits for it to be idle; returns its id.
export async function newSession(page: Page, stack: Stack, name: string,
                                 policy = "untrusted", instructions = ""): Promise<string> {
  await page.goto(`${stack.baseUrl}/#token=${stack.token}`);
  await page.locator(".who", { hasText: "admin" }).waitFor({ timeout: 10000 });
  assert.ok(!page.url().includes("token="));
  await page.fill("input[name=cwd]", stack.project);
  await page.fill("input[name=title]", name);
  await page.selectOption("select[name=approval_policy]", policy);
  if (instructions) await page.fill("textarea[name=developer_instructions]", instructions);
  await page.click("button[type=submit]");
  await page.waitForURL(/#\/s\/ses_/);
  await page.locator(".bar .badge", { hasText: "Idle" }).waitFor({ timeout: 30000 });
  return page.url().split("#/s/")[1]!;
}

export async function send(page: Page, prompt: string): Promise<void> {
  await page.fill("textarea", prompt);
  await page.click(".composer button[type=submit]");
}

// Clicks one of the session's controls under More (opening it first).
export async function fromMenu(page: Page, name: string | RegExp): Promise<void> {
  const menu = page.locator(".controls details.menu");
  if (!(await menu.evaluate((d) => (d as HTMLDetailsElement).open))) await menu.locator("summary").click();
  await menu.getByRole("button", { name }).click();
}

export interface AxeViolation { id: string; impact: string; nodes: string[] }

// WCAG 2.1 A and AA checks of axe-core (contrast included) on the page as
// it is; returns the violations.
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => "axe" in window))) {
    // Evaluated through the DevTools protocol: the page's CSP (script-src
    // 'self') stays on and would refuse an injected <script>.
    await page.evaluate(readFileSync(join(UI, "node_modules/axe-core/axe.min.js"), "utf8"));
  }
  return page.evaluate(async () => {
    type Result = { violations: Array<{ id: string; impact: string;
      nodes: Array<{ target: string[]; failureSummary: string }> }> };
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<Result> } }).axe;
    const result = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact,
      nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`),
    }));
  });
}
