#!/usr/bin/env python3
"""codex-manager-web as a Connect conformance "server under test".

The conformance runner (connectconformance --mode server) starts this
program once per server configuration. It reads one size-delimited
ServerCompatRequest from stdin, starts the suite's reference server as the
gRPC upstream (HTTP/2 without TLS), starts codex-manager-web in front of
it, and writes a size-delimited ServerCompatResponse naming the proxy's
address. It runs until the runner sends SIGTERM, then stops both.

For a TLS case (use_tls) the runner gives the server's certificate and key
(server_creds); the proxy serves them (--tls-cert, --tls-key, written to a
private temporary folder) and the response returns the certificate
(pem_cert) for the runner's client to trust. Client certificates are not
asked for (config.yaml leaves supports_tls_client_certs false), so a
request naming one is refused.

The request's message_receive_limit becomes the proxy's
--max-request-bytes; the upstream gets no limit, so the proxy alone must
enforce it.

Only a few scalar fields of the messages are used, so they are read
and written with the Protobuf wire format directly (varint and
length-delimited fields), which keeps this wrapper free of generated code.

Usage (see run.sh): proxy_under_test.py WEB_BINARY REFERENCESERVER_BINARY

WEB_BINARY may also be improbable-eng's grpcwebproxy (named so), run the
same way for comparison (bench/grpcwebproxy_compare.sh); it has no
request limit flag.
"""

from __future__ import annotations

import json
import os
import socket
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

# ServerCompatRequest field numbers (connectrpc/conformance/v1/server_compat.proto).
_PROTOCOL = 1
_HTTP_VERSION = 2
_USE_TLS = 4
_CLIENT_TLS_CERT = 5
_MESSAGE_RECEIVE_LIMIT = 6
_SERVER_CREDS = 7
# TLSCreds (connectrpc/conformance/v1/config.proto).
_CREDS_CERT = 1
_CREDS_KEY = 2
_PROTOCOL_GRPC = 2
_HTTP_VERSION_2 = 2


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def _fields(data: bytes) -> dict[int, int | bytes]:
    """The scalar (varint) and length-delimited fields of a message."""
    out: dict[int, int | bytes] = {}
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            out[number], pos = _read_varint(data, pos)
        elif wire_type == 2:
            size, pos = _read_varint(data, pos)
            out[number] = data[pos : pos + size]
            pos += size
        else:
            raise ValueError(f"unexpected wire type {wire_type} for field {number}")
    return out


def _read_delimited(stream) -> bytes:
    header = stream.read(4)
    if len(header) != 4:
        raise EOFError("no size prefix")
    (size,) = struct.unpack(">I", header)
    body = stream.read(size)
    if len(body) != size:
        raise EOFError("message cut short")
    return body


def _write_delimited(stream, body: bytes) -> None:
    stream.write(struct.pack(">I", len(body)) + body)
    stream.flush()


def _write_tls_files(creds: bytes, folder: str) -> tuple[str, str, bytes]:
    """Writes the runner's certificate and key (a TLSCreds message) as PEM
    files only this user can read; returns their paths and the certificate."""
    fields = _fields(creds)
    paths = []
    for number, name in ((_CREDS_CERT, "cert.pem"), (_CREDS_KEY, "key.pem")):
        path = os.path.join(folder, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(bytes(fields[number]))
        paths.append(path)
    return paths[0], paths[1], bytes(fields[_CREDS_CERT])


def _start_codex_manager_web(binary: str, upstream: str, limit: int,
                             tls: tuple[str, str] | None):
    # The suite's client sends no token (its reference server asks for
    # none): calls without one are not capped below the message limit.
    args = [binary, "--listen", "127.0.0.1:0", "--upstream", upstream,
            "--max-anonymous-request-bytes", str(1 << 30)]
    if tls:
        args += ["--tls-cert", tls[0], "--tls-key", tls[1]]
    if limit:
        args += ["--max-request-bytes", str(limit)]
    # Our stdout is the runner's channel: children write only to stderr.
    proxy = subprocess.Popen(args, stdout=sys.stderr, stderr=subprocess.PIPE, text=True)
    for line in proxy.stderr:  # the proxy's first JSON line names its port
        sys.stderr.write(line)
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("msg") == "listening":
            return proxy, int(record["port"])
    return proxy, None


def _start_grpcwebproxy(binary: str, upstream: str, tls: tuple[str, str] | None):
    with socket.socket() as probe:  # a free port (grpcwebproxy cannot say)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    if tls:
        serving = ["--run_http_server=false", f"--server_http_tls_port={port}",
                   f"--server_tls_cert_file={tls[0]}", f"--server_tls_key_file={tls[1]}"]
    else:
        serving = ["--run_tls_server=false", f"--server_http_debug_port={port}"]
    proxy = subprocess.Popen(
        [binary, f"--backend_addr={upstream}", *serving,
         "--server_bind_address=127.0.0.1",
         "--allow_all_origins", "--backend_max_call_recv_msg_size=16777216"],
        stdout=sys.stderr, stderr=sys.stderr)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proxy, port
        except OSError:
            if proxy.poll() is not None:
                break
            time.sleep(0.05)
    return proxy, None


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="conformance-tls-") as tls_folder:
        return _serve(sys.argv[1], sys.argv[2], tls_folder)


def _serve(web_binary: str, reference_binary: str, tls_folder: str) -> int:
    request = _fields(_read_delimited(sys.stdin.buffer))
    if request.get(_CLIENT_TLS_CERT):
        print("proxy_under_test: client certificates are not configured", file=sys.stderr)
        return 2
    tls: tuple[str, str] | None = None
    pem_cert = b""
    if request.get(_USE_TLS):
        cert_path, key_path, pem_cert = _write_tls_files(
            bytes(request[_SERVER_CREDS]), tls_folder)
        tls = (cert_path, key_path)
    limit = int(request.get(_MESSAGE_RECEIVE_LIMIT, 0))

    # The upstream: the reference server over gRPC on HTTP/2 (h2c), no limit.
    upstream_request = (
        _varint(_PROTOCOL << 3) + _varint(_PROTOCOL_GRPC)
        + _varint(_HTTP_VERSION << 3) + _varint(_HTTP_VERSION_2)
    )
    upstream = subprocess.Popen(
        [reference_binary, "-port", "0"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=sys.stderr)
    _write_delimited(upstream.stdin, upstream_request)
    upstream_response = _fields(_read_delimited(upstream.stdout))
    upstream_addr = f"{upstream_response[1].decode()}:{upstream_response[2]}"

    if os.path.basename(web_binary) == "grpcwebproxy":
        proxy, port = _start_grpcwebproxy(web_binary, upstream_addr, tls)
    else:
        proxy, port = _start_codex_manager_web(web_binary, upstream_addr, limit, tls)
    if port is None:
        upstream.terminate()
        print("proxy_under_test: codex-manager-web did not start", file=sys.stderr)
        return 1
    # Keep relaying the proxy's log so nothing blocks on a full pipe.
    if proxy.stderr is not None:
        threading.Thread(
            target=lambda: [sys.stderr.write(line) for line in proxy.stderr],
            daemon=True).start()

    response = (
        _varint((1 << 3) | 2) + _varint(len(b"127.0.0.1")) + b"127.0.0.1"
        + _varint(2 << 3) + _varint(port)
    )
    if pem_cert:
        response += _varint((3 << 3) | 2) + _varint(len(pem_cert)) + pem_cert
    _write_delimited(sys.stdout.buffer, response)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        if proxy.poll() is not None or upstream.poll() is not None:
            print("proxy_under_test: a child exited early", file=sys.stderr)
            break
    for child in (proxy, upstream):
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in (proxy, upstream):
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
