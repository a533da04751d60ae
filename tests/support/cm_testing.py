"""Test support shared by the end-to-end tests (tests/e2e) and the Python SDK
tests (clients/python/tests): the real server binary, the scripted mock
model, a CODEX_HOME pointing Codex at it, and polling helpers. Everything
listens on 127.0.0.1 on ports chosen at run time."""

from __future__ import annotations

import json
import os
import shutil
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

REPO = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("CODEX_MANAGER_BUILD", REPO / "build"))
SERVER_BIN = BUILD / "bin" / "codex-manager-server"
WEB_BIN = BUILD / "bin" / "codex-manager-web"
CLI_BIN = BUILD / "bin" / "codex-manager"
# The Codex the suites run: the pinned one (tools/codex), or another release
# (scripts/test-codex-versions.sh sets CODEX_MANAGER_CODEX_BIN).
CODEX_BIN = Path(os.environ.get("CODEX_MANAGER_CODEX_BIN")
                 or REPO / "tools" / "codex" / "node_modules" / ".bin" / "codex")
FAKE_CODEX = REPO / "tests" / "fake_codex" / "fake_codex.py"
MOCK_MODEL = REPO / "tests" / "mock_model" / "mock_model.py"


# What a sanitizer or a crash leaves in a process's stderr.
# A sanitizer's report, or the crash report the server and the proxy write
# (Abseil's failure signal handler: "*** SIGSEGV received at time=...").
CRASH_MARKERS = ("Sanitizer", "runtime error:", "Segmentation fault", " received at time=")


def start_logged(args: list[str], log_path: Path, name: str,
                 ready: Callable[[dict[str, Any]], bool],
                 timeout: float = 20,
                 env: dict[str, str] | None = None,
                 cwd: Path | None = None) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    """Starts `args` with its stderr written straight into `log_path`, and
    returns it with the first JSON line of that log that `ready` accepts.
    Kills it and raises RuntimeError when it exits or `timeout` seconds
    pass first.

    The process writes its log into the file itself, as it would to a file
    or journald: no thread of this process copies it (in a benchmark that
    process is also the client being measured), and a test that falls
    behind can never fill a pipe and stall the process's logging."""
    with open(log_path, "w") as log:
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log, env=env, cwd=cwd)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(log_path) as log:
            for line in log:
                if not line.startswith("{") or not line.endswith("\n"):
                    continue  # not ours (gRPC's tracing, a sanitizer), or half written
                entry = json.loads(line)
                if ready(entry):
                    return proc, entry
        if proc.poll() is not None:
            break
        time.sleep(0.01)
    proc.kill()  # never leave a half-started process behind
    proc.wait()
    raise RuntimeError(f"{name} did not start; see {log_path}")


def stop_process(proc: subprocess.Popen[Any], sig: int, timeout: float, log_path: Path) -> int:
    """Sends `sig` and returns the exit status; kills the process and fails if
    it is still running after `timeout` seconds."""
    proc.send_signal(sig)
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(
            f"{Path(str(proc.args[0])).name} ignored signal {sig} for {timeout} s; "
            f"see {log_path}") from None
    if code < 0 and -code != sig:
        # Died by another signal (a crash): its report is at the log's end,
        # and a failing test shows what was printed here.
        tail = log_path.read_text(errors="replace").splitlines()[-60:]
        print(f"{log_path.name} ended by signal {-code}; its last lines:", *tail,
              sep="\n", file=sys.stderr)
    return code


def assert_no_crash_report(path: Path) -> None:
    text = path.read_text()
    for marker in CRASH_MARKERS:
        assert marker not in text, f"{marker} in {path}"


@contextmanager
def http1_server() -> Iterator[str]:
    """A TCP server on 127.0.0.1 that answers anything with an HTTP/1.1 400,
    as an HTTP/1.1 server (codex-manager-web, say) answers HTTP/2's preface;
    yields its HOST:PORT."""
    import socketserver

    class Http1(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.recv(65536)
            self.request.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Http1)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class Relay:
    """A TCP relay on a free 127.0.0.1 port to `upstream` ("host:port"),
    one thread, whose connections can be frozen: `freeze()` stops moving
    bytes on every connection open now, both ways, while the sockets stay
    open. Each side's kernel still acknowledges what the other sends, so
    to each end the connection looks up and merely silent, as one a NAT
    dropped or a peer that went to sleep; only an HTTP/2 ping that is never
    answered (keepalive) finds it out. Connections made later pass. Stop
    with `close()`."""

    def __init__(self, upstream: str) -> None:
        host, port = upstream.rsplit(":", 1)
        self._upstream = (host, int(port))
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ)
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._stopped: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def addr(self) -> str:
        return f"127.0.0.1:{self.port}"

    def freeze(self) -> None:
        with self._lock:
            for pair in self._pairs:
                for side in pair:
                    if side not in self._stopped:
                        self._stopped.add(side)
                        self._selector.unregister(side)

    def close(self) -> None:
        self._done.set()
        self._thread.join(timeout=5)
        for pair in self._pairs:
            for side in pair:
                side.close()
        self._listener.close()

    def _run(self) -> None:
        peer: dict[socket.socket, socket.socket] = {}
        while not self._done.is_set():
            with self._lock:
                ready = self._selector.select(timeout=0.05)
                for key, _ in ready:
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    if sock is self._listener:
                        client, _ = self._listener.accept()
                        server = socket.create_connection(self._upstream, timeout=5)
                        for side in (client, server):
                            side.setblocking(True)
                            self._selector.register(side, selectors.EVENT_READ)
                        peer[client], peer[server] = server, client
                        self._pairs.append((client, server))
                        continue
                    if sock in self._stopped:
                        continue
                    try:
                        data = sock.recv(65536)
                    except OSError:
                        data = b""
                    if not data:  # one end closed: close both
                        for side in (sock, peer[sock]):
                            if side not in self._stopped:
                                self._selector.unregister(side)
                                self._stopped.add(side)
                            side.close()
                        continue
                    peer[sock].sendall(data)


class MockModel:
    def __init__(self, log_dir: Path) -> None:
        self.stderr = open(log_dir / "mock_model.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, str(MOCK_MODEL)],
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        line = self.proc.stdout.readline()  # {"port": N}
        self.port = json.loads(line)["port"]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=5)
        self.stderr.close()


@contextmanager
def codex_home_dir() -> Iterator[Path]:
    """A fresh, empty folder for a CODEX_HOME, removed afterwards.

    It is made outside the temporary directory (TMPDIR, else /tmp), as users'
    are: there Codex puts no sandbox helper on PATH, so every sandboxed
    command would fail and an approved one might be retried outside the
    sandbox (docs/operations.md, "Codex children"). Under the repository's
    var/ (ignored by git), or ~/.cache when the checkout is itself under the
    temporary directory."""
    home = Path(tempfile.mkdtemp(prefix="codex-home-", dir=scratch_dir("test-codex-homes")))
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


def scratch_dir(name: str) -> Path:
    """The folder `name` under the repository's var/ (ignored by git), or
    under ~/.cache/codex-manager when the checkout is itself under the
    temporary directory; made if missing."""
    temp = Path(tempfile.gettempdir()).resolve()
    root = REPO / "var" / name
    if root.resolve().is_relative_to(temp):
        root = Path.home() / ".cache" / "codex-manager" / name
    root.mkdir(parents=True, exist_ok=True)
    return root


def server_env() -> dict[str, str]:
    """The environment a test starts a server (and so Codex) in: this one
    with HOME an empty folder outside the temporary directory, so that the
    login shell Codex runs commands in (`bash -lc`) reads no profile of the
    machine's user. One that prints (a pyenv rehash refused by the sandbox
    says so on stderr, as late as the command's own output under load)
    would change the output the tests read back."""
    return {**os.environ, "HOME": str(scratch_dir("test-home"))}


def write_codex_home(home: Path, model_port: int, features: tuple[str, ...] = ()) -> Path:
    """Writes a CODEX_HOME whose config points the real codex at the mock model.

    The model name is one Codex ships metadata for: Codex chooses the tools it
    offers (apply_patch among them) by model, and an unknown name gets none.
    Every request still goes to the mock provider. `features` are Codex
    feature flags turned on (its `[features]` table, the config's last)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        'model = "gpt-5.5"\n'
        'model_provider = "mock"\n'
        "[model_providers.mock]\n"
        'name = "mock"\n'
        f'base_url = "http://127.0.0.1:{model_port}/v1"\n'
        'wire_api = "responses"\n'
        "request_max_retries = 0\n"
        "stream_max_retries = 0\n"
        + ("[features]\n" + "".join(f"{name} = true\n" for name in features) if features else "")
    )
    return home


ELICIT_SERVER = REPO / "tests" / "mcp_server" / "elicit_server.py"


def add_elicit_server(home: Path) -> Path:
    """Adds tests/mcp_server/elicit_server.py to the CODEX_HOME's config as
    the MCP server `tickets`: its tool `file_ticket` asks for a form
    (MCP elicitation). Its calls need no tool approval, so the elicitation
    is the one question a person answers."""
    with open(home / "config.toml", "a") as config:
        config.write(
            "\n[mcp_servers.tickets]\n"
            f'command = "{sys.executable}"\n'
            f'args = ["{ELICIT_SERVER}"]\n'
            'default_tools_approval_mode = "approve"\n'
        )
    return home


GUARD_HOOK = REPO / "tests" / "codex_hooks" / "guard.py"


def add_guard_hooks(home: Path) -> Path:
    """Adds tests/codex_hooks/guard.py to the CODEX_HOME's config as a
    PreToolUse hook on shell commands (status line "checking the command")
    and a Stop hook. Codex runs neither until trust_codex_hooks."""
    command = f"{sys.executable} {GUARD_HOOK}"
    with open(home / "config.toml", "a") as config:
        config.write(
            "\n[[hooks.PreToolUse]]\n"
            'matcher = "Bash"\n'
            "[[hooks.PreToolUse.hooks]]\n"
            'type = "command"\n'
            f"command = {json.dumps(command)}\n"
            'statusMessage = "checking the command"\n'
            "\n[[hooks.Stop]]\n"
            "[[hooks.Stop.hooks]]\n"
            'type = "command"\n'
            f"command = {json.dumps(command)}\n"
        )
    return home


def trust_codex_hooks(home: Path, cwd: Path) -> list[str]:
    """Trusts every hook the CODEX_HOME's config defines, as Codex's own
    /hooks review does: a one-off `codex app-server` lists them
    (`hooks/list`, with each hook's `currentHash`) and writes each hash to
    `[hooks.state."<key>"] trusted_hash` (`config/batchWrite`). Returns the
    keys trusted."""
    proc = subprocess.Popen([str(CODEX_BIN), "app-server"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            cwd=cwd, env={**os.environ, "CODEX_HOME": str(home)})
    assert proc.stdin is not None and proc.stdout is not None

    def call(request_id: int, method: str, params: dict[str, Any]) -> Any:
        proc.stdin.write(json.dumps({"id": request_id, "method": method, "params": params}) + "\n")
        proc.stdin.flush()
        for line in proc.stdout:
            message = json.loads(line)
            if message.get("id") == request_id and "method" not in message:
                assert "error" not in message, message
                return message["result"]
        raise AssertionError(f"codex app-server ended before answering {method}")

    try:
        call(1, "initialize", {"clientInfo": {"name": "cm-tests", "version": "0"}})
        proc.stdin.write(json.dumps({"method": "initialized"}) + "\n")
        listed = call(2, "hooks/list", {"cwds": [str(cwd)]})
        state = {hook["key"]: {"trusted_hash": hook["currentHash"]}
                 for entry in listed["data"] for hook in entry["hooks"]}
        call(3, "config/batchWrite", {"edits": [
            {"keyPath": "hooks.state", "mergeStrategy": "upsert", "value": state}]})
        return sorted(state)
    finally:
        proc.stdin.close()
        proc.terminate()
        proc.wait(timeout=10)


class Server:
    """One codex-manager-server process; restartable on the same data dir."""

    def __init__(self, data_dir: Path, log_dir: Path, args: list[str],
                 cwd: Path | None = None) -> None:
        self.data_dir = data_dir
        self.log_dir = log_dir
        self.args = args
        self.cwd = cwd  # the server's working directory (None: this process's)
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0

    @property
    def addr(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self.starts += 1
        self.log_path = self.log_dir / f"server-{self.starts}.log"
        # A restart keeps the port, so clients can reconnect to the same address.
        listen = f"127.0.0.1:{self.port}"
        self.proc, listening = start_logged(
            [str(SERVER_BIN), "--listen", listen, "--data-dir", str(self.data_dir), *self.args],
            self.log_path, "codex-manager-server", lambda entry: entry.get("msg") == "listening",
            env=server_env(), cwd=self.cwd)
        self.port = listening["port"]
        # The admin token the server wrote at its first start (auth is on in
        # every test, as users run it).
        self.token = (self.data_dir / "admin.token").read_text().strip()

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        """Stops the server; returns its exit status (None if not running)."""
        if self.proc is None:
            return None
        code = stop_process(self.proc, sig, 15, self.log_path)
        self.proc = None
        return code

    def assert_clean_logs(self) -> None:
        """No sanitizer report or crash in any of this server's logs."""
        for path in sorted(self.log_dir.glob("server-*.log")):
            assert_no_crash_report(path)

    def log_lines(self) -> list[dict[str, Any]]:
        out = []
        for path in sorted(self.log_dir.glob("server-*.log")):
            for line in path.read_text().splitlines():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
        return out


class WebProxy:
    """A codex-manager-web process in front of `upstream`, on a free port."""

    def __init__(self, upstream: str, args: list[str], log_path: Path) -> None:
        self.log_path = log_path
        self.proc, listening = start_logged(
            [str(WEB_BIN), "--listen", "127.0.0.1:0", "--upstream", upstream, *args], log_path,
            "codex-manager-web", lambda entry: "port" in entry)
        self.port = int(listening["port"])

    def stop(self) -> int:
        """SIGTERM; returns the exit status. Fails on a sanitizer report."""
        code = stop_process(self.proc, signal.SIGTERM, 10, self.log_path)
        assert_no_crash_report(self.log_path)
        return code


def make_test_pki(d: Path, names: tuple[str, ...] = ()) -> Path:
    """Makes `d` and in it, with openssl: a test CA (ca.pem, ca.key), a
    server certificate for 127.0.0.1, localhost and `names` (server.pem,
    server.key) and a client certificate (client.pem, client.key). Returns
    `d`."""
    d.mkdir(parents=True)

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True, timeout=60)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca",
            "-keyout", "ca.key", "-out", "ca.pem")
    san = ",".join(["IP:127.0.0.1", "DNS:localhost", *(f"DNS:{n}" for n in names)])
    for name, ext in (("server", f"subjectAltName={san}"),
                      ("client", "extendedKeyUsage=clientAuth")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}",
                "-keyout", f"{name}.key", "-out", f"{name}.csr")
        (d / f"{name}.ext").write_text(ext + "\n")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.pem")
    return d


def make_server(tmp_path: Path, args: list[str], cwd: Path | None = None) -> Iterator[Server]:
    """A started server (in `cwd`, default this process's working
    directory); while it runs, CODEX_MANAGER_TOKEN holds its admin token,
    so the CLI and the SDK (and what the test runs) authenticate as users
    do, from the environment."""
    server = Server(tmp_path / "var", tmp_path, args, cwd=cwd)
    server.start()
    saved = os.environ.get("CODEX_MANAGER_TOKEN")
    os.environ["CODEX_MANAGER_TOKEN"] = server.token
    try:
        yield server
    finally:
        if saved is None:
            os.environ.pop("CODEX_MANAGER_TOKEN", None)
        else:
            os.environ["CODEX_MANAGER_TOKEN"] = saved
    code = server.stop()
    assert code in (None, 0), f"server exited with {code}; see {server.log_path}"
    server.assert_clean_logs()


def wait_for(predicate: Any, timeout: float = 20, interval: float = 0.05) -> Any:
    """Polls until `predicate()` is truthy; returns its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")
        time.sleep(interval)


def processes_in(cwd: Path) -> list[int]:
    """Pids of processes whose working directory is `cwd` (Codex children)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if Path(os.readlink(entry / "cwd")) == cwd and _state(entry) != "Z":
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def zombies_of(ppid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        if fields.get("PPid", "").strip() == str(ppid) and fields.get("State", "").startswith("Z"):
            out.append(int(entry.name))
    return out


def _state(proc_dir: Path) -> str:
    for line in (proc_dir / "status").read_text().splitlines():
        if line.startswith("State:"):
            return line.split()[1]
    return "?"


@contextmanager
def server_without_batches(addr: str) -> Iterator[str]:
    """A server older than StreamEventBatches: a proxy in front of the one
    at `addr` that serves StreamEvents only, forwarding the caller's
    metadata (grpc answers UNIMPLEMENTED for any other method). Yields its
    address."""
    from concurrent import futures

    import grpc
    from codex_manager.v1 import events_pb2

    upstream = grpc.insecure_channel(addr)
    forward = upstream.unary_stream(
        "/codex_manager.v1.StreamService/StreamEvents",
        request_serializer=events_pb2.StreamEventsRequest.SerializeToString,
        response_deserializer=events_pb2.Event.FromString)

    def stream_events(request: Any, context: Any) -> Iterator[Any]:
        yield from forward(request, metadata=context.invocation_metadata())

    older = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    older.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(
        "codex_manager.v1.StreamService",
        {"StreamEvents": grpc.unary_stream_rpc_method_handler(
            stream_events,
            request_deserializer=events_pb2.StreamEventsRequest.FromString,
            response_serializer=events_pb2.Event.SerializeToString)})])
    port = older.add_insecure_port("127.0.0.1:0")
    older.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        older.stop(None)
        upstream.close()
