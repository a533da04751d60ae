"""codex-manager-web against the real server: gRPC-Web framing in binary
and text mode, trailers and trailers-only, streaming, deadlines,
cancellation when the browser goes away, CORS, the UI's static files."""

from __future__ import annotations

import base64
import gzip
import http.client
import json
import os
import re
import signal
import socket
import ssl
import struct
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Server, make_server, wait_for

from cm_testing import CRASH_MARKERS, FAKE_CODEX, WEB_BIN, WebProxy, make_test_pki
from codex_manager import Client
from codex_manager.v1 import auth_pb2, events_pb2, sessions_pb2

SESSIONS = "/codex_manager.v1.SessionService"
STREAM = "/codex_manager.v1.StreamService/StreamEvents"


@pytest.fixture
def proxy(fake_server: Server, tmp_path: Path) -> Iterator[WebProxy]:
    static = tmp_path / "ui"
    static.mkdir()
    (static / "index.html").write_text("<!doctype html><title>ui</title>")
    (static / "app.js").write_text("console.log(1)")
    web = WebProxy(fake_server.addr, ["--static-dir", str(static),
                                      "--allowed-origin", "https://ops.example",
                                      "--frame-ancestor", "https://portal.example"],
                   tmp_path / "web.log")
    yield web
    assert web.stop() == 0


def frame(message: bytes, flags: int = 0) -> bytes:
    return bytes([flags]) + struct.pack(">I", len(message)) + message


def frames(body: bytes) -> list[tuple[int, bytes]]:
    out, pos = [], 0
    while pos < len(body):
        n = struct.unpack(">I", body[pos + 1:pos + 5])[0]
        out.append((body[pos], body[pos + 5:pos + 5 + n]))
        pos += 5 + n
    return out


def grpc_status(response: http.client.HTTPResponse, body: bytes) -> str | None:
    """The call's grpc-status: in the response head (a trailers-only
    answer), else in the last trailer frame (flag 0x80: "name: value" lines
    separated by CRLF, names any case; the gRPC-Web protocol)."""
    if (status := response.getheader("grpc-status")) is not None:
        return status
    trailers = [payload for flags, payload in frames(body) if flags & 0x80]
    for line in trailers[-1].decode().split("\r\n") if trailers else []:
        name, _, value = line.partition(":")
        if name.strip().lower() == "grpc-status":
            return value.strip()
    return None


def decode_text(body: bytes) -> bytes:
    """Base64 with padding between frames, as a client must read it."""
    out, rest = b"", body
    while rest:
        end = rest.find(b"=")
        if end == -1:
            out += base64.b64decode(rest)
            break
        end = end + 1 + (1 if rest[end + 1:end + 2] == b"=" else 0)
        out += base64.b64decode(rest[:end])
        rest = rest[end:]
    return out


def bearer() -> str:
    """The authorization header value of the test server's admin token."""
    return f"Bearer {os.environ['CODEX_MANAGER_TOKEN']}"


def post(proxy: WebProxy, path: str, body: bytes, content_type: str = "application/grpc-web+proto",
         headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=30)
    conn.request("POST", path, body=body,
                 headers={"content-type": content_type, "x-grpc-web": "1",
                          "authorization": bearer(), **(headers or {})})
    return conn.getresponse()


def test_unary_binary_has_a_data_frame_then_trailers(proxy: WebProxy, tmp_path: Path) -> None:
    request = sessions_pb2.CreateSessionRequest(cwd=str(tmp_path), title="web")
    response = post(proxy, f"{SESSIONS}/CreateSession", frame(request.SerializeToString()))
    assert response.status == 200
    assert response.getheader("content-type") == "application/grpc-web+proto"
    parts = frames(response.read())
    assert [flags for flags, _ in parts] == [0x00, 0x80]
    assert sessions_pb2.Session.FromString(parts[0][1]).title == "web"
    assert parts[1][1].decode() == "grpc-status: 0\r\n"


def test_errors_before_any_message_are_trailers_only(proxy: WebProxy) -> None:
    request = sessions_pb2.GetSessionRequest(session_id="ses_missing")
    response = post(proxy, f"{SESSIONS}/GetSession", frame(request.SerializeToString()))
    assert response.status == 200
    assert response.getheader("grpc-status") == "5"
    assert "ses_missing" in response.getheader("grpc-message")
    assert response.read() == b""  # no body, no extra trailer frame


def test_text_mode_request_and_response(proxy: WebProxy, tmp_path: Path) -> None:
    for i in range(3):
        post(proxy, f"{SESSIONS}/CreateSession", frame(sessions_pb2.CreateSessionRequest(
            cwd=str(tmp_path), title=f"t{i}").SerializeToString())).read()
    body = base64.b64encode(frame(sessions_pb2.ListSessionsRequest().SerializeToString()))
    response = post(proxy, f"{SESSIONS}/ListSessions", body, "application/grpc-web-text")
    assert response.getheader("content-type") == "application/grpc-web-text+proto"
    parts = frames(decode_text(response.read()))
    listed = sessions_pb2.ListSessionsResponse.FromString(parts[0][1])
    assert [s.title for s in listed.sessions] == ["t2", "t1", "t0"]
    assert parts[-1] == (0x80, b"grpc-status: 0\r\n")


def test_a_binary_request_can_ask_for_a_text_response(proxy: WebProxy) -> None:
    response = post(proxy, f"{SESSIONS}/ListSessions",
                    frame(sessions_pb2.ListSessionsRequest().SerializeToString()),
                    headers={"accept": "application/grpc-web-text"})
    assert response.getheader("content-type") == "application/grpc-web-text+proto"
    assert frames(decode_text(response.read()))[-1][0] == 0x80


def test_server_stream_frames_arrive_as_they_happen(proxy: WebProxy, fake_server: Server,
                                                   tmp_path: Path) -> None:
    from codex_manager import Client, SessionState
    client = Client(fake_server.addr)
    session = client.create_session(str(tmp_path))
    client.wait_for_session(session.session_id, SessionState.IDLE)
    request = events_pb2.StreamEventsRequest(session_id=session.session_id)
    sock = socket.create_connection(("127.0.0.1", proxy.port))
    body = frame(request.SerializeToString())
    sock.sendall((f"POST {STREAM} HTTP/1.1\r\nHost: 127.0.0.1:{proxy.port}\r\nauthorization: {bearer()}\r\ncontent-type: application/grpc-web+proto"
                  f"\r\ncontent-length: {len(body)}\r\n\r\n").encode() + body)
    received = b""
    deadline = time.monotonic() + 10
    while b"\r\n\r\n" not in received and time.monotonic() < deadline:
        received += sock.recv(65536)
    assert b"Transfer-Encoding: chunked" in received
    client.start_turn(session.session_id, "hello")  # live events now
    while b"fake: hello" not in received and time.monotonic() < deadline:
        received += sock.recv(65536)
    assert b"fake: hello" in received
    sock.close()
    client.close()


def test_a_browser_that_goes_away_cancels_the_upstream_call(proxy: WebProxy,
                                                           fake_server: Server,
                                                           tmp_path: Path) -> None:
    request = events_pb2.StreamEventsRequest()  # follows every session, idle
    body = frame(request.SerializeToString())
    sock = socket.create_connection(("127.0.0.1", proxy.port))
    sock.sendall((f"POST {STREAM} HTTP/1.1\r\nHost: 127.0.0.1:{proxy.port}\r\nauthorization: {bearer()}\r\ncontent-type: application/grpc-web+proto"
                  f"\r\ncontent-length: {len(body)}\r\n\r\n").encode() + body)
    time.sleep(0.5)
    closed_at = time.monotonic()
    sock.close()

    def cancelled():
        return [line for line in fake_server.log_lines()
                if line.get("msg") == "rpc" and line.get("method", "").endswith("StreamEvents")
                and line.get("code") == 1]
    wait_for(cancelled, timeout=5)
    assert time.monotonic() - closed_at < 5


def tcp_timer(local_port: int, remote_port: int) -> tuple[int, float]:
    """The kernel's timer on the IPv4 socket from 127.0.0.1:local_port to
    127.0.0.1:remote_port (/proc/net/tcp): its kind (0 none, 1
    retransmit, 2 keepalive, 4 zero-window probe) and seconds to go."""
    want = (f"0100007F:{local_port:04X}", f"0100007F:{remote_port:04X}")
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if (fields[1], fields[2]) == want:
            kind, when = fields[5].split(":")
            return int(kind, 16), int(when, 16) / os.sysconf("SC_CLK_TCK")
    raise AssertionError(f"no socket {want} in /proc/net/tcp")


def test_a_browser_connection_is_kept_alive_by_tcp_probes(proxy: WebProxy) -> None:
    """The server's HTTP/2 pings stop at the proxy, so the proxy sets TCP
    keepalive on each browser connection: after 60 s of silence the kernel
    probes, and closes one whose browser went away without a word (a
    phone that left the network), which ends its stream upstream."""
    sock = socket.create_connection(("127.0.0.1", proxy.port))
    try:
        def keepalive_seconds() -> float | None:  # once the proxy has accepted it
            kind, seconds = tcp_timer(proxy.port, sock.getsockname()[1])
            return seconds if kind == 2 else None
        assert 50 < wait_for(keepalive_seconds, timeout=5) <= 60
        # The client's own side has none: the check reads the right socket.
        assert tcp_timer(sock.getsockname()[1], proxy.port)[0] == 0
    finally:
        sock.close()


def test_one_connection_carries_call_after_call(proxy: WebProxy, tmp_path: Path) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=30)

    def call(path: str, message: bytes) -> tuple[http.client.HTTPResponse, bytes]:
        conn.request("POST", path, body=frame(message),
                     headers={"content-type": "application/grpc-web+proto",
                              "authorization": bearer()})
        response = conn.getresponse()
        return response, response.read()

    response, body = call(f"{SESSIONS}/CreateSession", sessions_pb2.CreateSessionRequest(
        cwd=str(tmp_path)).SerializeToString())
    assert conn.sock is not None
    local = conn.sock.getsockname()
    session = sessions_pb2.Session.FromString(frames(body)[0][1])
    missing, _ = call(f"{SESSIONS}/GetSession", sessions_pb2.GetSessionRequest(
        session_id="ses_missing").SerializeToString())  # trailers-only
    replay, replayed = call(STREAM, events_pb2.StreamEventsRequest(
        session_id=session.session_id, no_follow=True).SerializeToString())
    conn.request("GET", "/healthz")
    health = conn.getresponse()
    assert health.read() == b"ok\n"

    for r in (response, missing, replay, health):
        assert r.getheader("connection", "").lower() != "close"
    assert missing.getheader("grpc-status") == "5"
    assert frames(replayed)[-1] == (0x80, b"grpc-status: 0\r\n")
    assert conn.sock is not None and conn.sock.getsockname() == local  # never reconnected
    conn.close()


def test_a_request_pipelined_behind_a_stream_is_answered_after_it(proxy: WebProxy,
                                                                  tmp_path: Path) -> None:
    created = post(proxy, f"{SESSIONS}/CreateSession", frame(
        sessions_pb2.CreateSessionRequest(cwd=str(tmp_path)).SerializeToString()))
    session = sessions_pb2.Session.FromString(frames(created.read())[0][1])
    body = frame(events_pb2.StreamEventsRequest(
        session_id=session.session_id, no_follow=True).SerializeToString())
    sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    sock.sendall((f"POST {STREAM} HTTP/1.1\r\nHost: 127.0.0.1:{proxy.port}\r\nauthorization: {bearer()}\r\n"
                  f"content-type: application/grpc-web+proto\r\n"
                  f"content-length: {len(body)}\r\n\r\n").encode() + body
                 + f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{proxy.port}\r\n"
                   f"Connection: close\r\n\r\n".encode())
    received = b""
    while chunk := sock.recv(65536):  # the proxy closes after the second
        received += chunk
    sock.close()
    stream_end = received.index(b"\r\n0\r\n\r\n")
    assert received.count(b"HTTP/1.1 200") == 2
    assert received.index(b"ok\n") > stream_end  # in order, the stream first


def test_connection_close_is_honoured(proxy: WebProxy) -> None:
    body = frame(sessions_pb2.ListSessionsRequest().SerializeToString())
    sock = socket.create_connection(("127.0.0.1", proxy.port), timeout=10)
    sock.sendall((f"POST {SESSIONS}/ListSessions HTTP/1.1\r\nHost: 127.0.0.1:{proxy.port}\r\nauthorization: {bearer()}\r\n"
                  f"content-type: application/grpc-web+proto\r\nConnection: close\r\n"
                  f"content-length: {len(body)}\r\n\r\n").encode() + body)
    received = b""
    while chunk := sock.recv(65536):  # ends only when the proxy closes
        received += chunk
    sock.close()
    assert b"Connection: close" in received
    assert received.endswith(b"0\r\n\r\n")


def test_sigterm_with_streams_open_exits_cleanly(fake_server: Server, tmp_path: Path) -> None:
    from codex_manager import Client
    with Client(fake_server.addr) as client:
        client.create_session(str(tmp_path))  # an event for every stream to replay
    web = WebProxy(fake_server.addr, [], tmp_path / "web-sigterm.log")
    body = frame(events_pb2.StreamEventsRequest().SerializeToString())  # follows
    socks = []
    for _ in range(3):
        sock = socket.create_connection(("127.0.0.1", web.port), timeout=10)
        sock.sendall((f"POST {STREAM} HTTP/1.1\r\nHost: 127.0.0.1:{web.port}\r\nauthorization: {bearer()}\r\n"
                      f"content-type: application/grpc-web+proto\r\n"
                      f"content-length: {len(body)}\r\n\r\n").encode() + body)
        received = b""
        while b"\r\n\r\n" not in received:  # the head comes with the first event
            received += sock.recv(65536)
        socks.append(sock)
    # Three calls are live upstream. Two browsers leave, so their calls are
    # being cancelled as the signal comes; shutdown must cancel the third and
    # wait for all of them before tearing down (a sanitizer report or a hang
    # fails stop()).
    socks[0].close()
    socks[1].close()
    started = time.monotonic()
    assert web.stop() == 0
    assert time.monotonic() - started < 5
    socks[2].close()


def test_sigterm_while_connections_arrive_is_a_clean_stop(fake_server: Server) -> None:
    # SIGTERM the moment the listening line is read, while the proxy's
    # threads start and connections are being accepted, over and over. Two
    # races lived here: the acceptor closed on one thread while another
    # accepted on it (SIGSEGV), and a SIGTERM before the proxy's handler was
    # installed (killed by it); together about 1 stop in 100. Every stop
    # must exit 0 with no crash report. The log is read from a pipe, not
    # polled from a file as WebProxy does, so the signal comes as early as
    # a supervisor's could.
    for i in range(200):
        proc = subprocess.Popen([str(WEB_BIN), "--listen", "127.0.0.1:0", "--upstream",
                                 fake_server.addr], stderr=subprocess.PIPE, text=True)
        port = json.loads(proc.stderr.readline())["port"]
        socks = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(3)]
        proc.send_signal(signal.SIGTERM)
        for _ in range(3):
            late = socket.socket()
            try:
                late.connect(("127.0.0.1", port))
            except OSError:
                pass  # the acceptor is already closed
            socks.append(late)
        log = proc.stderr.read()
        assert proc.wait(timeout=10) == 0, f"stop {i}: {log}"
        assert not any(marker in log for marker in CRASH_MARKERS), log
        for sock in socks:
            sock.close()


def test_an_upstream_that_cannot_be_reached_is_logged_once_with_a_hint(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        upstream = f"127.0.0.1:{s.getsockname()[1]}"
    web = WebProxy(upstream, [], tmp_path / "web-unreachable.log")
    try:
        for _ in range(3):
            conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=30)
            conn.request("POST", f"{SESSIONS}/ListSessions",
                         body=frame(sessions_pb2.ListSessionsRequest().SerializeToString()),
                         headers={"content-type": "application/grpc-web+proto",
                                  "authorization": "Bearer cmt_none"})
            response = conn.getresponse()
            assert grpc_status(response, response.read()) == "14"  # UNAVAILABLE
            conn.close()
    finally:
        assert web.stop() == 0
    said = [json.loads(line) for line in web.log_path.read_text().splitlines()
            if "upstream unreachable" in line]
    assert len(said) == 1  # at most one line every 10 s
    assert said[0]["level"] == "warning" and said[0]["upstream"] == upstream
    assert said[0]["error"].startswith("failed to connect to all addresses")
    assert said[0]["hint"].startswith("is codex-manager-server running there?")


def test_grpc_timeout_becomes_the_deadline(proxy: WebProxy) -> None:
    request = events_pb2.StreamEventsRequest()
    start = time.monotonic()
    response = post(proxy, STREAM, frame(request.SerializeToString()),
                    headers={"grpc-timeout": "300m"})
    body = response.read()
    elapsed = time.monotonic() - start
    assert grpc_status(response, body) == "4"  # DEADLINE_EXCEEDED
    assert 0.2 < elapsed < 5


def raw_stream_head(port: int, body: bytes, timeout: float = 5) -> tuple[socket.socket, bytes]:
    """Sends a StreamEvents request on a raw socket; returns the socket and
    what arrived up to the end of the response head."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.sendall((f"POST {STREAM} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nauthorization: {bearer()}\r\n"
                  f"content-type: application/grpc-web+proto\r\n"
                  f"content-length: {len(body)}\r\n\r\n").encode() + body)
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    return sock, received


def test_a_stream_head_arrives_before_any_event(proxy: WebProxy) -> None:
    # Nothing has happened on this server: the stream follows an empty log,
    # yet its response head (the upstream's initial metadata) arrives at
    # once, so a client can tell "connected, waiting" from "connecting".
    started = time.monotonic()
    sock, received = raw_stream_head(proxy.port, frame(events_pb2.StreamEventsRequest().SerializeToString()))
    head, _, rest = received.partition(b"\r\n\r\n")
    assert time.monotonic() - started < 3
    assert head.startswith(b"HTTP/1.1 200")
    assert rest == b""  # no event frame yet
    lines = [line.lower() for line in head.split(b"\r\n")[1:]]
    # One Server header (ours), no upstream Date, the accepted encoding said.
    assert [line for line in lines if line.startswith(b"server:")] == [b"server: codex-manager-web"]
    assert not [line for line in lines if line.startswith(b"date:")]
    assert b"grpc-accept-encoding: identity" in lines
    sock.close()


def test_other_content_types_get_415(proxy: WebProxy) -> None:
    response = post(proxy, f"{SESSIONS}/ListSessions", b"12345678", "image/jpeg")
    assert response.status == 415
    response = post(proxy, f"{SESSIONS}/ListSessions", b"{}", "application/grpc-web+json")
    assert response.status == 415


def test_compressed_requests_are_refused_with_the_specs_codes(proxy: WebProxy) -> None:
    message = frame(sessions_pb2.ListSessionsRequest().SerializeToString())
    response = post(proxy, f"{SESSIONS}/ListSessions", message, headers={"grpc-encoding": "gzip"})
    assert response.getheader("grpc-status") == "12"  # UNIMPLEMENTED
    assert response.getheader("grpc-accept-encoding") == "identity"
    response.read()
    flagged = frame(sessions_pb2.ListSessionsRequest().SerializeToString(), flags=0x01)
    response = post(proxy, f"{SESSIONS}/ListSessions", flagged, headers={"grpc-encoding": "identity"})
    assert response.getheader("grpc-status") == "13"  # INTERNAL: flag without an encoding


def padded(message: bytes, size: int) -> bytes:
    """`message` grown to exactly `size` bytes by an unknown field (number
    1000, length-delimited), which the server's parser keeps and ignores."""
    pad = size - len(message) - 4  # tag (2 bytes) + length (2 bytes)
    assert 128 <= pad < 16384
    return message + bytes([0xC2, 0x3E]) + bytes([0x80 | (pad & 0x7F), pad >> 7]) + b"p" * pad


def test_message_limits_are_resource_exhausted_each_way(fake_server: Server, tmp_path: Path) -> None:
    web = WebProxy(fake_server.addr, ["--max-request-bytes", "1024", "--max-response-bytes", "2048"],
                   tmp_path / "web-limits.log")
    try:
        list_request = sessions_pb2.ListSessionsRequest().SerializeToString()
        at_limit = padded(list_request, 1024)
        assert sessions_pb2.ListSessionsRequest.FromString(at_limit) is not None
        response = post(web, f"{SESSIONS}/ListSessions", frame(at_limit))
        parts = frames(response.read())
        assert parts[-1] == (0x80, b"grpc-status: 0\r\n")  # exactly at the limit: forwarded
        response = post(web, f"{SESSIONS}/ListSessions", frame(padded(list_request, 1025)))
        assert response.getheader("grpc-status") == "8"  # RESOURCE_EXHAUSTED
        assert "1024" in response.getheader("grpc-message")
        response.read()
        # A body far over the limit is refused before it is read whole, and
        # the connection closes (the rest of the body is never read).
        response = post(web, f"{SESSIONS}/ListSessions", frame(padded(list_request, 8000)))
        assert response.getheader("grpc-status") == "8"
        assert response.getheader("connection") == "close"
        response.read()
        # Responses have their own limit: a list of 12 sessions with
        # 200-byte titles is over 2 KiB, though its request is tiny.
        with Client(fake_server.addr) as client:
            for i in range(12):
                client.create_session(str(tmp_path), title=f"{i:03d}" + "t" * 197)
        # The server answers with its head before the message the proxy
        # refuses, so the status is in the head when the refusal came
        # within the proxy's 10 ms wait for it, else in the trailer frame
        # (a loaded machine; both are gRPC-Web).
        response = post(web, f"{SESSIONS}/ListSessions", frame(list_request))
        body = response.read()
        assert grpc_status(response, body) == "8", (response.headers, body[-200:])
        assert not [payload for flags, payload in frames(body) if not flags & 0x80]
    finally:
        assert web.stop() == 0


def test_cors_preflight_and_origin_checks(proxy: WebProxy) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    conn.request("OPTIONS", f"{SESSIONS}/ListSessions", headers={
        "origin": "https://ops.example", "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,x-grpc-web,x-custom"})
    ok = conn.getresponse()
    ok.read()
    assert ok.status == 204
    assert ok.getheader("access-control-allow-origin") == "https://ops.example"
    assert "x-custom" in ok.getheader("access-control-allow-headers")
    assert "grpc-status" in ok.getheader("access-control-expose-headers")
    conn.request("OPTIONS", "/x", headers={"origin": "https://evil.example"})
    bad = conn.getresponse()
    bad.read()
    assert bad.status == 403
    forbidden = post(proxy, f"{SESSIONS}/ListSessions",
                     frame(sessions_pb2.ListSessionsRequest().SerializeToString()),
                     headers={"origin": "https://evil.example"})
    assert forbidden.status == 403
    allowed = post(proxy, f"{SESSIONS}/ListSessions",
                   frame(sessions_pb2.ListSessionsRequest().SerializeToString()),
                   headers={"origin": "https://ops.example"})
    allowed.read()
    assert allowed.getheader("access-control-allow-origin") == "https://ops.example"


def test_static_ui_health_and_no_traversal(proxy: WebProxy) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    conn.request("GET", "/healthz")
    health = conn.getresponse()
    assert health.status == 200 and health.read() == b"ok\n"
    conn.request("GET", "/")
    index = conn.getresponse()
    assert index.read().startswith(b"<!doctype html>")
    csp = index.getheader("content-security-policy")
    assert "default-src 'self'" in csp and "frame-ancestors https://portal.example" in csp
    assert index.getheader("x-content-type-options") == "nosniff"
    conn.request("GET", "/app.js")
    js = conn.getresponse()
    assert js.getheader("content-type").startswith("text/javascript") and js.read()
    conn.request("GET", "/sessions/ses_1")  # a UI route
    assert conn.getresponse().read().startswith(b"<!doctype html>")
    conn.request("GET", "/../../etc/passwd")
    traversal = conn.getresponse()
    assert traversal.status == 404 and b"root:" not in traversal.read()


def raw_exchange(port: int, request: bytes) -> bytes:
    """Sends `request` on a new connection; returns all the proxy wrote
    until it closed."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(request)
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    sock.close()
    return received


def test_malformed_requests_are_answered_400_and_a_huge_header_431(proxy: WebProxy) -> None:
    host = f"Host: 127.0.0.1:{proxy.port}\r\n".encode()
    # Content-Length with Transfer-Encoding (RFC 9112 section 6.1: the
    # request smuggling shape), a request line that is none, a bad chunk.
    for request, why in (
            (b"POST " + SESSIONS.encode() + b"/ListSessions HTTP/1.1\r\n" + host
             + b"content-type: application/grpc-web+proto\r\ncontent-length: 5\r\n"
             b"transfer-encoding: chunked\r\n\r\n0\r\n\r\n", b"bad Transfer-Encoding"),
            (b"NOT HTTP AT ALL\r\n\r\n", b"bad"),
            (b"POST /healthz HTTP/1.1\r\n" + host + b"transfer-encoding: chunked\r\n\r\nzz\r\n",
             b"bad chunk")):
        received = raw_exchange(proxy.port, request)
        head, _, body = received.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n"), received
        assert b"\r\nConnection: close" in head
        assert body.startswith(b"bad request: ") and why in body, body
    # A header over 32 KiB: 431, said before the connection closes.
    received = raw_exchange(proxy.port, b"GET /healthz HTTP/1.1\r\n" + host
                            + b"x-big: " + b"a" * 40000 + b"\r\n\r\n")
    assert received.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"), received[:200]
    assert received.endswith(b"request header exceeds the limit of 32768 bytes\n")
    # 20 KB of cookies (a browser sends every cookie of localhost, whatever
    # the port) is a request like any other.
    received = raw_exchange(proxy.port, b"GET /healthz HTTP/1.1\r\n" + host
                            + b"cookie: other_app=" + b"c" * 20000
                            + b"\r\nConnection: close\r\n\r\n")
    assert received.startswith(b"HTTP/1.1 200 OK\r\n") and received.endswith(b"ok\n")


def test_static_files_are_gzipped_for_who_accepts_it_and_revalidated_by_tag(
        proxy: WebProxy, tmp_path: Path) -> None:
    app = tmp_path / "ui" / "app.js"
    app.write_text("console.log('the app');\n" * 400)
    (tmp_path / "ui" / "app.js.gz").write_bytes(gzip.compress(app.read_bytes()))
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)

    def get(path: str, **headers: str) -> tuple[http.client.HTTPResponse, bytes]:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response, response.read()

    plain, body = get("/app.js")
    assert plain.status == 200 and body == app.read_bytes()
    assert plain.getheader("content-encoding") is None
    assert plain.getheader("vary") == "Accept-Encoding"
    zipped, zipped_body = get("/app.js", **{"accept-encoding": "gzip, deflate, br"})
    assert zipped.getheader("content-encoding") == "gzip"
    assert zipped.getheader("content-type").startswith("text/javascript")
    assert len(zipped_body) < len(body) // 10
    assert gzip.decompress(zipped_body) == body
    assert get("/app.js", **{"accept-encoding": "gzip;q=0, *"})[0].getheader(
        "content-encoding") is None
    # Each representation has its tag; the one held gets 304 and no body.
    tag, zipped_tag = plain.getheader("etag"), zipped.getheader("etag")
    assert tag and zipped_tag and tag != zipped_tag
    same, empty = get("/app.js", **{"if-none-match": tag})
    assert same.status == 304 and empty == b"" and same.getheader("etag") == tag
    same, empty = get("/app.js", **{"if-none-match": zipped_tag, "accept-encoding": "gzip"})
    assert same.status == 304 and empty == b""
    # A held tag of the other representation, or of the file before it
    # changed, gets the whole file.
    assert get("/app.js", **{"if-none-match": zipped_tag})[0].status == 200
    app.write_text("console.log('a new app');\n")
    changed, new_body = get("/app.js", **{"if-none-match": tag})
    assert changed.status == 200 and new_body == b"console.log('a new app');\n"
    # The connection carried every one of those requests.
    assert get("/healthz")[1] == b"ok\n"


def test_head_is_get_without_the_body(proxy: WebProxy) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    for path, body in (("/healthz", b"ok\n"), ("/app.js", b"console.log(1)")):
        conn.request("HEAD", path)
        head = conn.getresponse()
        assert head.status == 200 and head.read() == b""
        assert head.getheader("content-length") == str(len(body))
        # No stray body: the next response on the connection is whole.
        conn.request("GET", path)
        got = conn.getresponse()
        assert got.status == 200 and got.read() == body
        assert got.getheader("etag") == head.getheader("etag")


# -- the trust boundary (docs/security.md) ------------------------------------


def test_dns_rebinding_request_is_refused_and_creates_nothing(proxy: WebProxy,
                                                              fake_server: Server,
                                                              tmp_path: Path) -> None:
    """The attack of issue 8: a page on rebind.attacker.example whose name now
    resolves to 127.0.0.1 posts grpc-web-text with a matching Origin."""
    from codex_manager import Client
    body = base64.b64encode(frame(sessions_pb2.CreateSessionRequest(
        cwd=str(tmp_path), approval_policy="never").SerializeToString()))
    for path in (f"{SESSIONS}/CreateSession", "/", "/app.js", "/healthz", "/auth/session"):
        conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
        conn.request("POST" if "Service" in path else "GET", path, body=body, headers={
            "host": f"rebind.attacker.example:{proxy.port}",
            "origin": f"http://rebind.attacker.example:{proxy.port}",
            "content-type": "application/grpc-web-text", "authorization": bearer()})
        refused = conn.getresponse()
        assert refused.status == 421, path
        assert b"grpc" not in refused.read()
    with Client(fake_server.addr) as client:
        assert list(client.list_sessions()) == []


def test_loopback_names_and_public_host_are_served(fake_server: Server, tmp_path: Path) -> None:
    web = WebProxy(fake_server.addr, ["--public-host", "ops.example"], tmp_path / "web-hosts.log")
    try:
        for host in (f"127.0.0.1:{web.port}", f"localhost:{web.port}", "ops.example",
                     "ops.example:443", "OPS.example:8443"):
            conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=10)
            conn.request("GET", "/healthz", headers={"host": host})
            response = conn.getresponse()
            response.read()
            assert response.status == 200, host
        conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=10)
        conn.request("GET", "/healthz", headers={"host": "ops.example.evil"})
        assert conn.getresponse().status == 421
    finally:
        assert web.stop() == 0


@pytest.mark.parametrize("authorization", ["", "Bearer cmt_wrong"])
def test_calls_without_a_token_are_refused_upstream(proxy: WebProxy, authorization: str) -> None:
    response = post(proxy, f"{SESSIONS}/ListSessions",
                    frame(sessions_pb2.ListSessionsRequest().SerializeToString()),
                    headers={"authorization": authorization})
    response.read()
    assert response.getheader("grpc-status") == "16"  # UNAUTHENTICATED
    assert response.getheader("grpc-message").startswith("missing or invalid token")
    assert "anonymous" not in response.getheader("grpc-message")  # the server's refusal


def test_a_large_call_with_no_token_is_refused_before_its_body_is_read(
        proxy: WebProxy, fake_server: Server) -> None:
    """No Authorization header and no sign-in cookie, and a body over
    --max-anonymous-request-bytes (64 KiB): the proxy answers
    UNAUTHENTICATED from the request's header and never holds the body
    (here 30 MB announced, none sent: a body the proxy waited for would
    keep it silent for 60 s)."""
    def head_of_reply(framing: str, body: bytes = b"") -> list[str]:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as s:
            s.sendall(f"POST {SESSIONS}/CreateSession HTTP/1.1\r\n"
                      f"Host: 127.0.0.1:{proxy.port}\r\n"
                      "Content-Type: application/grpc-web+proto\r\nX-Grpc-Web: 1\r\n"
                      f"{framing}\r\n\r\n".encode() + body)
            s.settimeout(5)
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = s.recv(4096)
                assert chunk, head
                head += chunk
        return head.split(b"\r\n\r\n")[0].decode().lower().split("\r\n")

    # Announced by its Content-Length; a chunked one once it grows past.
    for lines in (head_of_reply("Content-Length: 30000000"),
                  head_of_reply("Transfer-Encoding: chunked", b"11800\r\n" + b"x" * 1000)):
        assert lines[0].startswith("http/1.1 200"), lines
        assert "grpc-status: 16" in lines, lines
        assert "connection: close" in lines, lines
        message = next(line for line in lines if line.startswith("grpc-message: "))
        assert message.startswith("grpc-message: missing or invalid token"), message
        assert "--max-anonymous-request-bytes" in message, message
    # The sessions the call would have made: none.
    with Client(fake_server.addr) as client:
        assert list(client.list_sessions()) == []
    # Health checks need no token: still forwarded.
    response = post(proxy, "/grpc.health.v1.Health/Check", frame(b""),
                    headers={"authorization": ""})
    response.read()
    assert response.getheader("grpc-status") in (None, "0"), response.headers


def test_sign_in_sets_an_httponly_cookie_that_becomes_the_bearer(proxy: WebProxy) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=10)
    origin = f"http://127.0.0.1:{proxy.port}"
    token = os.environ["CODEX_MANAGER_TOKEN"]
    # Cross-site: no Origin of ours, no cookie.
    conn.request("POST", "/auth/session", body=f'{{"token":"{token}"}}',
                 headers={"origin": "https://evil.example", "content-type": "application/json"})
    refused = conn.getresponse()
    refused.read()
    assert refused.status == 403 and refused.getheader("set-cookie") is None
    conn.request("POST", "/auth/session", body='{"token":"not-a-token"}',
                 headers={"origin": origin, "content-type": "application/json"})
    bad = conn.getresponse()
    bad.read()
    assert bad.status == 400
    conn.request("POST", "/auth/session", body=f'{{"token":"{token}"}}',
                 headers={"origin": origin, "content-type": "application/json"})
    signed_in = conn.getresponse()
    signed_in.read()
    assert signed_in.status == 204
    cookie = signed_in.getheader("set-cookie")
    assert cookie.startswith(f"cm_token={token};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    response = post(proxy, f"{SESSIONS}/ListSessions",
                    frame(sessions_pb2.ListSessionsRequest().SerializeToString()),
                    headers={"authorization": "", "cookie": f"cm_token={token}"})
    response.read()
    assert response.status == 200 and response.getheader("grpc-status") is None
    conn.request("DELETE", "/auth/session", headers={"origin": origin})
    signed_out = conn.getresponse()
    signed_out.read()
    assert "Max-Age=0" in signed_out.getheader("set-cookie")


@pytest.mark.parametrize("args,message", [
    (["--allowed-origin", "*"], "never allowed"),
    (["--listen", "0.0.0.0:0"], "--tls-cert"),
    (["--tls-cert", "/nonexistent.pem"], "go together"),
    (["--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key"], "--tls-cert /nonexistent.pem"),
])
def test_unsafe_exposure_is_refused_at_start(args: list[str], message: str) -> None:
    import subprocess

    from cm_testing import WEB_BIN
    result = subprocess.run([str(WEB_BIN), "--upstream", "127.0.0.1:1", *args],
                            capture_output=True, text=True, timeout=10)
    assert result.returncode == 2
    assert message in result.stderr


def test_https_serves_the_ui_calls_and_a_secure_cookie(fake_server: Server, tmp_path: Path) -> None:
    pki = make_test_pki(tmp_path / "pki")
    web = WebProxy(fake_server.addr, ["--tls-cert", str(pki / "server.pem"),
                                      "--tls-key", str(pki / "server.key")], tmp_path / "web-tls.log")
    try:
        trusted = ssl.create_default_context(cafile=str(pki / "ca.pem"))
        conn = http.client.HTTPSConnection("127.0.0.1", web.port, timeout=10, context=trusted)
        conn.request("GET", "/healthz")
        health = conn.getresponse()
        assert (health.status, health.read()) == (200, b"ok\n")
        # Sign in over TLS: the cookie is Secure without --secure-cookie.
        origin = f"https://127.0.0.1:{web.port}"
        token = os.environ["CODEX_MANAGER_TOKEN"]
        conn.request("POST", "/auth/session", body=f'{{"token":"{token}"}}',
                     headers={"origin": origin, "content-type": "application/json"})
        signed_in = conn.getresponse()
        signed_in.read()
        assert signed_in.status == 204 and "; Secure" in signed_in.getheader("set-cookie")
        # A gRPC-Web call on the same kept-alive TLS connection, by cookie.
        body = frame(sessions_pb2.CreateSessionRequest(cwd=str(tmp_path)).SerializeToString())
        conn.request("POST", f"{SESSIONS}/CreateSession", body=body,
                     headers={"content-type": "application/grpc-web+proto", "origin": origin,
                              "cookie": f"cm_token={token}"})
        created = conn.getresponse()
        session = sessions_pb2.Session.FromString(frames(created.read())[0][1])
        assert session.session_id.startswith("ses_")
        conn.close()
        # An untrusted client gets nothing; plaintext HTTP on the TLS port
        # (a browser sent to http://) is told in the clear to use https://,
        # and nothing it sent is served.
        with pytest.raises(ssl.SSLCertVerificationError):
            untrusted = http.client.HTTPSConnection("127.0.0.1", web.port, timeout=10,
                                                    context=ssl.create_default_context())
            untrusted.request("GET", "/healthz")
        plain = http.client.HTTPConnection("127.0.0.1", web.port, timeout=10)
        plain.request("GET", "/healthz")
        refused = plain.getresponse()
        assert refused.status == 400
        assert refused.read() == b"this address serves HTTPS: open it with https:// instead of http://\n"
        assert refused.getheader("connection") == "close"
        # The TLS port still serves after it.
        again = http.client.HTTPSConnection("127.0.0.1", web.port, timeout=10, context=trusted)
        again.request("GET", "/healthz")
        assert again.getresponse().read() == b"ok\n"
    finally:
        assert web.stop() == 0


def test_a_header_sent_slowly_is_cut_but_an_idle_connection_is_kept(fake_server: Server,
                                                                   tmp_path: Path) -> None:
    web = WebProxy(fake_server.addr, ["--header-timeout-ms", "1000"], tmp_path / "web-slow.log")
    try:
        # Slowloris: a header trickling in a byte at a time is cut once the
        # header timeout has passed since its first byte.
        slow = socket.create_connection(("127.0.0.1", web.port), timeout=10)
        started = time.monotonic()
        closed = False
        for byte in f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{web.port}\r\nX-Slow: ".encode() + b"a" * 100:
            try:
                slow.sendall(bytes([byte]))
                time.sleep(0.05)
                if slow.recv(1, socket.MSG_DONTWAIT) == b"":
                    closed = True
                    break
            except BlockingIOError:
                continue
            except OSError:
                closed = True
                break
        assert closed, "the proxy kept a slow header open"
        assert 0.9 < time.monotonic() - started < 4
        slow.close()
        # A connection that has not started a request waits longer than the
        # header timeout (idle keep-alive), then is served.
        idle = socket.create_connection(("127.0.0.1", web.port), timeout=10)
        time.sleep(1.5)
        idle.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{web.port}\r\n"
                     f"Connection: close\r\n\r\n".encode())
        received = b""
        while chunk := idle.recv(65536):
            received += chunk
        idle.close()
        assert received.startswith(b"HTTP/1.1 200") and received.endswith(b"ok\n")
    finally:
        assert web.stop() == 0


def whoami_peer(web: WebProxy, headers: dict[str, str]) -> str:
    response = post(web, "/codex_manager.v1.AuthService/WhoAmI",
                    frame(auth_pb2.WhoAmIRequest().SerializeToString()), headers=headers)
    parts = frames(response.read())
    assert parts[-1][1].decode() == "grpc-status: 0\r\n"
    return auth_pb2.WhoAmIResponse.FromString(parts[0][1]).peer


def test_the_caller_behind_a_trusted_proxy_is_named_in_audit_records(
        proxy: WebProxy, tmp_path: Path) -> None:
    # A front proxy (say nginx) saw 198.51.100.9, which claimed 1.1.1.1.
    forwarded = {"x-forwarded-for": "1.1.1.1, 198.51.100.9"}
    # Not trusted (the default): the web proxy's own address, whatever the header says.
    assert re.fullmatch(r"ipv4:127\.0\.0\.1:\d+", whoami_peer(proxy, forwarded))

    (tmp_path / "trusting").mkdir()
    gen = make_server(tmp_path / "trusting", ["--codex-bin", str(FAKE_CODEX),
                                              "--trusted-proxies", "127.0.0.1, ::1"])
    server = next(gen)
    web = WebProxy(server.addr, [], tmp_path / "web-trusted.log")
    try:
        # The web proxy appends the address it saw (127.0.0.1, trusted: the
        # front proxy's); the first untrusted address from the right is the
        # caller's, and what the caller claimed left of it is not believed.
        via = r" via ipv4:127\.0\.0\.1:\d+"
        assert re.fullmatch(r"ipv4:198\.51\.100\.9" + via, whoami_peer(web, forwarded))
        # A browser on this machine, straight to the web proxy.
        assert re.fullmatch(r"ipv4:127\.0\.0\.1" + via, whoami_peer(web, {}))
        # A refused call's audit record names it too.
        refused = post(web, f"{SESSIONS}/ListSessions",
                       frame(sessions_pb2.ListSessionsRequest().SerializeToString()),
                       headers={"authorization": "Bearer cmt_" + "x" * 43,
                                "x-forwarded-for": "203.0.113.7"})
        refused.read()
        assert refused.getheader("grpc-status") == "16"
        with Client(server.addr) as client:
            [record] = [e for e in client.list_audit_events(method=f"{SESSIONS}/ListSessions")
                        if e.code == 16]
        assert re.fullmatch(r"ipv4:203\.0\.113\.7" + via, record.peer)
    finally:
        web_exit = web.stop()
        next(gen, None)
    assert web_exit == 0
