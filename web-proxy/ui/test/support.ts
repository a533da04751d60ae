// Starts the real codex-manager-server (with tests/fake_codex as the
// runtime) and codex-manager-web on free 127.0.0.1 ports for the tests.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { homedir, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import { type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";

export const UI = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO = resolve(UI, "../..");
const BUILD = process.env.CODEX_MANAGER_BUILD ?? join(REPO, "build");

export interface Proc {
  child: ChildProcess;
  port: number;
  // Every JSON line the process wrote on stderr so far.
  lines: Array<Record<string, unknown>>;
}

function start(bin: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Proc> {
  const child = spawn(join(BUILD, "bin", bin), args, { stdio: ["ignore", "ignore", "pipe"], env });
  const proc: Proc = { child, port: 0, lines: [] };
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => reject(new Error(`${bin} did not start`)), 20000);
    createInterface({ input: child.stderr! }).on("line", (line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>;
        proc.lines.push(entry);
        if (entry.msg === "listening" && proc.port === 0) {
          proc.port = Number(entry.port);
          clearTimeout(timer);
          resolveStart(proc);
        }
      } catch {
        // not JSON
      }
    });
    child.on("exit", (code) => reject(new Error(`${bin} exited with ${code}`)));
  });
}

export interface Stack {
  server: Proc;
  // The server's admin token (DATA_DIR/admin.token).
  token: string;
  proxy: Proc;
  baseUrl: string;
  project: string;
  // Kills the proxy (SIGKILL: connections drop as in a network failure).
  killProxy(): Promise<void>;
  // Starts the proxy again on the same port.
  restartProxy(): Promise<void>;
  stop(): Promise<void>;
}

// A fresh folder for a CODEX_HOME outside the temporary directory, as users'
// are: there Codex puts no sandbox helper on PATH, so sandboxed commands
// would fail (docs/operations.md, "Codex children"). Under the repository's
// var/, or ~/.cache when the checkout is itself under the temporary
// directory (tests/support/cm_testing.py does the same).
function codexHomeDir(): string {
  return mkdtempSync(join(scratchDir("test-codex-homes"), "codex-home-"));
}

// The folder `name` under the repository's var/, or ~/.cache when the
// checkout is under the temporary directory; made if missing.
function scratchDir(name: string): string {
  const temp = realpathSync(tmpdir());
  const underTemp = (path: string) => !relative(temp, path).startsWith("..");
  let root = join(REPO, "var", name);
  if (underTemp(realpathSync(REPO))) root = join(homedir(), ".cache", "codex-manager", name);
  mkdirSync(root, { recursive: true });
  return root;
}

// The server's (and so Codex's) environment: HOME an empty folder, so that
// the login shell Codex runs commands in reads no profile of the machine's
// user, whose output would mix with the command's (tests/support/cm_testing.py
// server_env does the same).
function serverEnv(): NodeJS.ProcessEnv {
  return { ...process.env, HOME: scratchDir("test-home") };
}

// The scripted model (tests/mock_model) and a CODEX_HOME pointing the real
// codex at it; returns the server flags that use them. The folders to remove
// at the end go to `folders`.
async function realCodex(children: ChildProcess[], folders: string[],
                         config = "", topConfig = ""): Promise<string[]> {
  const model = spawn("python3", [join(REPO, "tests/mock_model/mock_model.py")],
                      { stdio: ["ignore", "pipe", "ignore"] });
  children.push(model);
  const port = await new Promise<number>((resolvePort, reject) => {
    createInterface({ input: model.stdout! }).once("line", (line) =>
      resolvePort(Number((JSON.parse(line) as { port: number }).port)));
    model.once("exit", () => reject(new Error("mock model exited")));
  });
  const home = codexHomeDir();
  folders.push(home);
  writeFileSync(join(home, "config.toml"), topConfig + [
    'model = "gpt-5.5"', 'model_provider = "mock"', "[model_providers.mock]", 'name = "mock"',
    `base_url = "http://127.0.0.1:${port}/v1"`, 'wire_api = "responses"',
    "request_max_retries = 0", "stream_max_retries = 0", "",
  ].join("\n") + config);
  // The pinned Codex, or another release (scripts/test-codex-versions.sh).
  const codex = process.env.CODEX_MANAGER_CODEX_BIN || join(REPO, "tools/codex/node_modules/.bin/codex");
  return ["--codex-bin", codex, "--codex-home", home];
}

export interface StackOptions {
  proxyArgs?: string[];
  // More flags of codex-manager-server.
  serverArgs?: string[];
  // The real, pinned codex on the scripted model instead of the fake runtime.
  realCodex?: boolean;
  // More of that Codex's config.toml (TOML, appended: the mock provider's
  // table is the last one before it).
  codexConfig?: string;
  // Top-level keys of that config.toml (TOML, put first).
  codexTopConfig?: string;
  // More of the server's environment (for Codex: with --pass-env).
  serverEnv?: Record<string, string>;
}

// codex-manager-server + codex-manager-web in front of it.
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), "cm-web-"));
  const project = join(dir, "project");
  mkdirSync(project);
  const children: ChildProcess[] = [];
  const folders: string[] = [];
  const runtime = options.realCodex
    ? await realCodex(children, folders, options.codexConfig, options.codexTopConfig)
    : ["--codex-bin", join(REPO, "tests/fake_codex/fake_codex.py")];
  const server = await start("codex-manager-server", [
    "--listen", "127.0.0.1:0", "--data-dir", join(dir, "var"), ...runtime,
    ...(options.serverArgs ?? []),
  ], { ...serverEnv(), ...options.serverEnv });
  const proxyArgs = options.proxyArgs ?? [];
  const proxyFlags = (port: number) => [
    "--listen", `127.0.0.1:${port}`, "--upstream", `127.0.0.1:${server.port}`, ...proxyArgs,
  ];
  let proxy = await start("codex-manager-web", proxyFlags(0));
  const port = proxy.port;
  const stopOne = (p: Proc) =>
    new Promise<void>((done) => {
      // Already gone (exited, or killed by a signal: then exitCode is null).
      if (p.child.exitCode !== null || p.child.signalCode !== null) return done();
      p.child.once("exit", () => done());
      p.child.kill("SIGTERM");
    });
  const token = readFileSync(join(dir, "var", "admin.token"), "utf8").trim();
  const stack: Stack = {
    server, proxy, project, token,
    // https with --tls-cert (the proxy's "listening" line says which).
    baseUrl: `${String(proxy.lines.at(-1)?.scheme ?? "http")}://127.0.0.1:${port}`,
    killProxy: async () => {
      await new Promise<void>((done) => {
        stack.proxy.child.once("exit", () => done());
        stack.proxy.child.kill("SIGKILL");
      });
    },
    restartProxy: async () => {
      proxy = await start("codex-manager-web", proxyFlags(port));
      stack.proxy = proxy;
    },
    stop: async () => {
      await stopOne(stack.proxy);
      await stopOne(server);
      for (const c of children) c.kill("SIGTERM");
      for (const f of folders) rmSync(f, { recursive: true, force: true });
    },
  };
  return stack;
}

// tests/support/mock_chatgpt.py, ChatGPT's sign-in service for Codex's
// device code login, over HTTPS with a test CA made in `dir`. Killed with
// the other `children`.
export async function startMockChatGPT(dir: string): Promise<{ origin: string; ca: string; enterCode: () => Promise<void>; stop: () => void }> {
  const child = spawn("python3", [join(REPO, "tests/support/mock_chatgpt.py"), dir],
                      { stdio: ["ignore", "pipe", "inherit"] });
  const info = await new Promise<{ origin: string; ca: string }>((resolveInfo, reject) => {
    createInterface({ input: child.stdout! }).once("line", (line) => resolveInfo(JSON.parse(line) as { origin: string; ca: string }));
    child.once("exit", () => reject(new Error("mock ChatGPT exited")));
  });
  const ca = readFileSync(info.ca);
  return {
    ...info,
    // As a person typing the code on the verification page.
    enterCode: () => new Promise<void>((done, fail) => {
      const url = new URL("/test/enter-code", info.origin);
      const req = httpsRequest(url, { method: "POST", ca }, (res) => { res.resume(); res.on("end", done); });
      req.on("error", fail);
      req.end();
    }),
    stop: () => { child.kill("SIGTERM"); },
  };
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

// gRPC straight to the stack's server with its admin token: another client
// than the browser (createClient(Service, apiTransport(stack))).
export function apiTransport(stack: Stack): Transport {
  return createGrpcTransport({
    baseUrl: `http://127.0.0.1:${stack.server.port}`,
    interceptors: [(next) => (req) => {
      req.header.set("authorization", `Bearer ${stack.token}`);
      return next(req);
    }],
  });
}
