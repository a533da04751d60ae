// The real codex-manager-server (with tests/fake_codex as Codex) and
// codex-manager-web in front of it, on ports chosen at run time, for the
// client's tests. Binaries come from $CODEX_MANAGER_BUILD (default build/).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
const bin = (name: string) => join(process.env.CODEX_MANAGER_BUILD ?? join(REPO, "build"), "bin", name);

export interface Running {
  child: ChildProcess;
  port: number;
}

// Starts `name` and resolves with the port of its "listening" log line.
export function launch(name: string, args: string[]): Promise<Running> {
  const child = spawn(bin(name), args, { stdio: ["ignore", "ignore", "pipe"] });
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not start`)), 20000);
    createInterface({ input: child.stderr! }).on("line", (line) => {
      if (!line.startsWith("{")) return;
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === "listening") {
        clearTimeout(timer);
        done({ child, port: Number(entry.port) });
      }
    });
    child.once("exit", (code) => fail(new Error(`${name} exited with ${code}`)));
  });
}

export function halt(p: Running, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    p.child.once("exit", () => done());
    p.child.kill(signal);
  });
}

export interface Stack {
  server: Running;
  proxy: Running;
  dataDir: string;
  project: string;
  token: string;
  // The server's flags (to start it again on its port and data dir).
  serverArgs: (port: number) => string[];
}

export async function startStack(): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), "cm-ts-"));
  const project = join(dir, "project");
  mkdirSync(project);
  const dataDir = join(dir, "var");
  const serverArgs = (port: number) => [
    "--listen", `127.0.0.1:${port}`, "--data-dir", dataDir,
    "--codex-bin", join(REPO, "tests/fake_codex/fake_codex.py"), "--stop-grace", "500ms",
  ];
  const server = await launch("codex-manager-server", serverArgs(0));
  const proxy = await launch("codex-manager-web",
                             ["--listen", "127.0.0.1:0", "--upstream", `127.0.0.1:${server.port}`]);
  const token = readFileSync(join(dataDir, "admin.token"), "utf8").trim();
  return { server, proxy, dataDir, project, token, serverArgs };
}
