// What a long transcript costs the page on each frame while a turn
// streams into it: a session whose earlier turns printed large command
// outputs (BIG_TURNS turns of `seq 1 BIG_LINES`, about 1.3 MB each at the
// default 200,000 lines), open at phone size in Debian's Chromium, then a
// command that prints 250 lines 20 ms apart. Measures, in the page, how
// long each animation frame's callbacks run (the UI draws the transcript
// in one): p50, p95 and max in milliseconds, and how many frames there
// were. Against the real server, the real Codex on the scripted model and
// codex-manager-web serving web-proxy/ui/dist (node scripts/build.mjs
// --bench first); CODEX_MANAGER_BUILD picks the binaries. Prints one JSON
// line per run, RUNS times (default 3).
import { join } from "node:path";

import { createClient } from "@connectrpc/connect";

import { SessionService, SessionState } from "../src/gen/codex_manager/v1/sessions_pb.js";
import { TurnService, TurnState } from "../src/gen/codex_manager/v1/turns_pb.js";
import { launchBrowser } from "../test/browser_support.js";
import { apiTransport, startStack, UI, waitFor } from "../test/support.js";

const runs = Number(process.env.RUNS ?? 3);
const bigTurns = Number(process.env.BIG_TURNS ?? 3);
const bigLines = Number(process.env.BIG_LINES ?? 200000);
const STREAMED = "please run: for i in $(seq 250); do echo line $i; sleep 0.02; done";

const stack = await startStack({ realCodex: true, proxyArgs: ["--static-dir", join(UI, "dist")] });
const browser = await launchBrowser();
try {
  const sessions = createClient(SessionService, apiTransport(stack));
  const turns = createClient(TurnService, apiTransport(stack));
  const { sessionId } = await sessions.createSession({
    cwd: stack.project, title: "frames", approvalPolicy: "never", sandbox: "workspace-write",
  });
  const finished = async (prompt: string) => {
    const { turnId } = await turns.startTurn({ sessionId, prompt });
    await waitFor(async () => {
      const t = await turns.getTurn({ turnId });
      return t.state !== TurnState.QUEUED && t.state !== TurnState.RUNNING;
    }, 120000);
  };
  await waitFor(async () => (await sessions.getSession({ sessionId })).state === SessionState.IDLE, 30000);
  for (let i = 0; i < bigTurns; i++) await finished(`please run: seq 1 ${bigLines}`);

  for (let run = 1; run <= runs; run++) {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${stack.baseUrl}/#token=${stack.token}`);
    await page.locator(".who", { hasText: "admin" }).waitFor({ timeout: 10000 });
    await page.goto(`${stack.baseUrl}/#/s/${sessionId}`);
    await page.locator(".entry.agent").nth(bigTurns - 1).waitFor({ timeout: 60000 });
    await page.evaluate(() => {
      const w = window as unknown as { frames_: number[] };
      w.frames_ = [];
      const raf = window.requestAnimationFrame.bind(window);
      window.requestAnimationFrame = (callback) => raf((time) => {
        const start = performance.now();
        callback(time);
        w.frames_.push(performance.now() - start);
      });
    });
    await finished(STREAMED);
    await page.locator(".entry.agent", { hasText: "line 250" }).nth(run - 1).waitFor({ timeout: 30000 });
    const frames = await page.evaluate(() => (window as unknown as { frames_: number[] }).frames_);
    frames.sort((a, b) => a - b);
    const at = (q: number) => Number((frames[Math.min(frames.length - 1, Math.floor(frames.length * q))] ?? 0).toFixed(2));
    console.log(JSON.stringify({ run, big_turns: bigTurns, big_lines: bigLines, frames: frames.length,
                                 p50_ms: at(0.5), p95_ms: at(0.95), max_ms: at(1) }));
    await page.close();
  }
} finally {
  await browser.close();
  await stack.stop();
}
