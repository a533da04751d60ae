"""Typed exceptions for failed calls.

Every failed RPC raises a subclass of :class:`CodexManagerError` chosen by
its gRPC status code; the server's message (which names the bad field or the
unknown id) is in :attr:`CodexManagerError.details`.
"""

from __future__ import annotations

import grpc


class CodexManagerError(Exception):
    """A call to the Codex Manager server failed.

    Attributes:
        code: the gRPC status code.
        details: the server's message, e.g. ``"cwd: \\"/x\\" does not exist or
            is not a directory"`` or ``"session ses_… not found"``.
    """

    code: grpc.StatusCode = grpc.StatusCode.UNKNOWN

    def __init__(self, details: str, code: grpc.StatusCode | None = None) -> None:
        super().__init__(details)
        self.details = details
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code.name}: {self.details}"


class CancelledError(CodexManagerError):
    code = grpc.StatusCode.CANCELLED


class InvalidArgumentError(CodexManagerError):
    """A field is missing or malformed; :attr:`details` starts with its name.

    An id over 256 bytes is one (``"session_id: at most 256 bytes, got
    N"``): no id is that long, so it is not looked up."""

    code = grpc.StatusCode.INVALID_ARGUMENT


class DeadlineExceededError(CodexManagerError):
    """The call did not finish within its deadline (the client's ``timeout``)."""

    code = grpc.StatusCode.DEADLINE_EXCEEDED


class NotFoundError(CodexManagerError):
    """An id does not exist; :attr:`details` names it."""

    code = grpc.StatusCode.NOT_FOUND


class AlreadyExistsError(CodexManagerError):
    code = grpc.StatusCode.ALREADY_EXISTS


class PermissionDeniedError(CodexManagerError):
    code = grpc.StatusCode.PERMISSION_DENIED


class ResourceExhaustedError(CodexManagerError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class FailedPreconditionError(CodexManagerError):
    """Wrong state, e.g. an approval that was already decided (the message
    names the decision) or a turn on an archived session."""

    code = grpc.StatusCode.FAILED_PRECONDITION


class AbortedError(CodexManagerError):
    code = grpc.StatusCode.ABORTED


class OutOfRangeError(CodexManagerError):
    """A stream cursor is ahead of the log."""

    code = grpc.StatusCode.OUT_OF_RANGE


class UnimplementedError(CodexManagerError):
    code = grpc.StatusCode.UNIMPLEMENTED


class InternalError(CodexManagerError):
    code = grpc.StatusCode.INTERNAL


class UnavailableError(CodexManagerError):
    """The server is unreachable, or at its live-session limit. Retryable."""

    code = grpc.StatusCode.UNAVAILABLE


class DataLossError(CodexManagerError):
    code = grpc.StatusCode.DATA_LOSS


class UnauthenticatedError(CodexManagerError):
    code = grpc.StatusCode.UNAUTHENTICATED


_BY_CODE: dict[grpc.StatusCode, type[CodexManagerError]] = {
    cls.code: cls
    for cls in (
        CancelledError, InvalidArgumentError, DeadlineExceededError, NotFoundError,
        AlreadyExistsError, PermissionDeniedError, ResourceExhaustedError,
        FailedPreconditionError, AbortedError, OutOfRangeError, UnimplementedError,
        InternalError, UnavailableError, DataLossError, UnauthenticatedError,
    )
}


def from_rpc_error(error: grpc.RpcError, address: str | None = None) -> CodexManagerError:
    """The typed exception for a failed call (works for sync and aio errors).

    With `address` (the server the client dials), an UNAVAILABLE error says
    which server could not be reached and what to check, before gRPC's own
    text.
    """
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = (error.details() if hasattr(error, "details") else None) or str(error)
    if code == grpc.StatusCode.UNAVAILABLE and address:
        # The texts the C++ tools match too (server/common/connect_failure.h);
        # OpenSSL says "wrong version number", BoringSSL WRONG_VERSION_NUMBER.
        said = details.lower().replace("_", " ")
        if "http1.x server" in details:
            # gRPC's words for an HTTP/1.1 answer: most likely the web proxy.
            details = (f"{address} answers HTTP/1.1, not gRPC (is it codex-manager-web, "
                       f"the browser UI's address? the client talks to codex-manager-server "
                       f"at its --listen address): {details}")
        elif "wrong version number" in said:
            # A TLS client's hello answered in plaintext.
            details = (f"{address} does not serve TLS (drop ca_file and "
                       f"CODEX_MANAGER_CA_FILE, or start the server with --tls-cert): {details}")
        elif "certificate verify failed" in said:
            details = (f"{address}'s certificate is not signed by a CA in ca_file, or does not "
                       f"name the host in the address: {details}")
        elif "Socket closed" in details:
            # What a TLS server does with a plaintext connection.
            details = (f"{address} took the connection and closed it (if the server serves "
                       f"TLS, pass ca_file or set CODEX_MANAGER_CA_FILE): {details}")
        else:
            details = (f"could not reach codex-manager-server at {address} (is it running "
                       f"there? pass the address or set CODEX_MANAGER_ADDR): {details}")
    cls = _BY_CODE.get(code, CodexManagerError)
    return cls(details, code)
