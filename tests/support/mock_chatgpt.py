"""A scripted stand-in for ChatGPT's sign-in service, for end-to-end tests of
Codex's device code login (Codex ``account/login/start`` with
``chatgptDeviceCode``) without the network.

It speaks HTTPS with a test CA (Codex only talks to an HTTPS ChatGPT
backend; it trusts the CA through ``CODEX_CA_CERTIFICATE``) and answers, as
seen with Codex 0.171:

- ``POST /api/accounts/deviceauth/usercode``: a device auth id, the code
  ``ABCD-EFGH`` and a 1 s poll interval;
- ``POST /api/accounts/deviceauth/token``: 403 (not yet) until a test calls
  :meth:`MockChatGPT.enter_code`, as a person typing the code would; then an
  authorization code;
- ``POST /oauth/token``: tokens, with an unsigned id token for
  ``dev@example.com`` on a ``plus`` plan (Codex does not check the signature);
- ``GET /backend-api/wham/accounts/check``: the account, routed to the
  configured backend (``NO_CONSTRAINT``).

Codex is pointed at it with ``CODEX_APP_SERVER_LOGIN_ISSUER`` and
``chatgpt_base_url`` in its config.toml (:meth:`MockChatGPT.configure`).

Run as a script (the browser tests do), it makes its test PKI in the folder
named by its argument, prints one JSON line ``{"port", "origin", "ca"}`` and
serves until killed; ``POST /test/enter-code`` types the code.
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

USER_CODE = "ABCD-EFGH"
EMAIL = "dev@example.com"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


ID_TOKEN = ".".join([
    _b64({"alg": "none", "typ": "JWT"}),
    _b64({"email": EMAIL, "exp": 4102444800, "https://api.openai.com/auth": {
        "chatgpt_plan_type": "plus", "chatgpt_account_id": "acct-test",
        "chatgpt_user_id": "user-test", "user_id": "user-test"}}),
    "unsigned"])


class MockChatGPT:
    def __init__(self, pki: Path) -> None:
        """`pki`: a folder made by cm_testing.make_test_pki."""
        self.ca = pki / "ca.pem"
        self.polls = 0
        self.requests: list[str] = []
        self._entered = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                owner.requests.append(f"{self.command} {self.path}")
                if self.path == "/test/enter-code":
                    owner.enter_code()
                    self.reply(200, {})
                elif self.path == "/api/accounts/deviceauth/usercode":
                    self.reply(200, {"device_auth_id": "dev-test", "user_code": USER_CODE,
                                     "interval": "1"})
                elif self.path == "/api/accounts/deviceauth/token":
                    owner.polls += 1
                    if not owner._entered.is_set():
                        self.reply(403, {"error": "authorization_pending"})
                    else:
                        self.reply(200, {"authorization_code": "code-test",
                                         "code_challenge": "challenge", "code_verifier": "verifier"})
                elif self.path == "/oauth/token" and "grant_type=authorization_code" in body:
                    self.reply(200, {"id_token": ID_TOKEN, "access_token": ID_TOKEN,
                                     "refresh_token": "refresh-test", "expires_in": 3600})
                elif self.path.startswith("/backend-api/wham/accounts/check"):
                    self.reply(200, {"accounts": [{
                        "id": "acct-test", "structure": "personal", "plan_type": "plus",
                        "workspace_backend_origin": "NO_CONSTRAINT",
                        "account_routing_override": "NO_CONSTRAINT"}],
                        "account_ordering": ["acct-test"]})
                else:
                    self.reply(404, {"error": "not here"})

            do_GET = do_POST

            def reply(self, code: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                # A client that closed its TLS connection early: nothing to say.
                pass

        self._server = Server(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pki / "server.pem", pki / "server.key")
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self.origin = f"https://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def enter_code(self) -> None:
        """As a person typing the code on the verification page."""
        self._entered.set()

    def reset(self) -> None:
        """The next login waits for the code again."""
        self._entered.clear()

    def configure(self, codex_home: Path) -> dict[str, str]:
        """Points the Codex of `codex_home` at this service; returns the
        environment variables the server must pass to Codex (--pass-env)."""
        config = codex_home / "config.toml"
        # A top-level key: before the first table.
        config.write_text(f'chatgpt_base_url = "{self.origin}/backend-api/"\n'
                          + config.read_text())
        return {"CODEX_APP_SERVER_LOGIN_ISSUER": self.origin,
                "CODEX_CA_CERTIFICATE": str(self.ca)}

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


if __name__ == "__main__":
    import sys

    from cm_testing import make_test_pki

    service = MockChatGPT(make_test_pki(Path(sys.argv[1])))
    print(json.dumps({"port": service.port, "origin": service.origin, "ca": str(service.ca)}),
          flush=True)
    threading.Event().wait()
