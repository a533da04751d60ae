#include "client.h"

#include <google/protobuf/stubs/logging.h>
#include <grpc/support/log.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/connect_failure.h"
#include "common/pem_files.h"

namespace codex_manager::cli {
namespace {

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

bool IsLoopback(const std::string& addr) {
  std::string host = addr;
  if (absl::StartsWith(host, "unix:")) return true;
  if (absl::StartsWith(host, "[")) {
    host = host.substr(1, host.find(']') - 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

// The first line of `path`, trimmed.
absl::StatusOr<std::string> FirstLine(const std::string& what,
                                      const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": cannot read \"", path, "\""));
  }
  return std::string(absl::StripAsciiWhitespace(line));
}

absl::StatusOr<std::string> WholeFile(const std::string& flag,
                                      const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": cannot read \"", path, "\""));
  }
  return text.str();
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

}  // namespace

absl::StatusOr<std::string> ResolveToken(const Options& options) {
  if (!options.token.empty()) return options.token;
  if (!options.token_file.empty()) {
    return FirstLine("--token-file", options.token_file);
  }
  if (std::string env = Env("CODEX_MANAGER_TOKEN"); !env.empty()) return env;
  if (std::string file = Env("CODEX_MANAGER_TOKEN_FILE"); !file.empty()) {
    return FirstLine("CODEX_MANAGER_TOKEN_FILE", file);
  }
  if (!IsLoopback(options.addr)) return std::string();
  std::filesystem::path state;
  if (std::string xdg = Env("XDG_STATE_HOME"); !xdg.empty() && xdg[0] == '/') {
    state = xdg;
  } else if (std::string home = Env("HOME"); !home.empty()) {
    state = std::filesystem::path(home) / ".local" / "state";
  } else {
    return std::string();
  }
  const std::filesystem::path path = state / "codex-manager" / "admin.token";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::string();
  absl::StatusOr<std::string> token = FirstLine("admin token", path.string());
  return token.ok() ? *token : std::string();  // not ours to read: no token
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(
    const Options& options) {
  if (options.ca_file.empty()) {
    if (!options.cert_file.empty() || !options.key_file.empty()) {
      return absl::InvalidArgumentError(
          "--cert-file/--key-file need --ca-file (mTLS runs over TLS)");
    }
    return grpc::InsecureChannelCredentials();
  }
  if (options.cert_file.empty() != options.key_file.empty()) {
    return absl::InvalidArgumentError(
        "--cert-file and --key-file go together");
  }
  grpc::SslCredentialsOptions ssl;
  absl::StatusOr<std::string> ca = WholeFile("--ca-file", options.ca_file);
  if (!ca.ok()) return ca.status();
  if (absl::Status pem = CheckPemCertificates("--ca-file", options.ca_file, *ca);
      !pem.ok()) {
    return pem;
  }
  ssl.pem_root_certs = *ca;
  if (!options.cert_file.empty()) {
    absl::StatusOr<std::string> cert =
        WholeFile("--cert-file", options.cert_file);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = WholeFile("--key-file", options.key_file);
    if (!key.ok()) return key.status();
    for (absl::Status pem :
         {CheckPemCertificates("--cert-file", options.cert_file, *cert),
          CheckPemPrivateKey("--key-file", options.key_file, *key),
          CheckKeyPair("--cert-file", options.cert_file, *cert, "--key-file",
                       options.key_file, *key)}) {
      if (!pem.ok()) return pem;
    }
    ssl.pem_cert_chain = *cert;
    ssl.pem_private_key = *key;
  }
  return grpc::SslCredentials(ssl);
}

namespace {

// Each connection attempt (TCP, TLS, the HTTP/2 handshake) gives up after
// this long, so a call to a server that accepts TCP but never answers fails
// UNAVAILABLE in seconds; gRPC core's default is 20 s. It is core's minimum
// connect timeout, set by GRPC_ARG_MIN_RECONNECT_BACKOFF_MS.
constexpr int kConnectTimeoutMs = 5000;

// While a call is open, an HTTP/2 ping after this long without activity,
// with no limit while no data flows (gRPC's default stops after two); a
// server that does not answer within kKeepaliveTimeoutMs has the calls end
// UNAVAILABLE, which `events --follow` and `turn start --follow` resume
// from their cursor, instead of waiting forever on a connection a NAT or
// a sleep dropped. The server accepts pings every 10 s
// (--keepalive-min-time).
constexpr int kKeepaliveMs = 30000;
constexpr int kKeepaliveTimeoutMs = 20000;

std::shared_ptr<grpc::Channel> NewChannel(
    const std::string& address,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, kConnectTimeoutMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, kKeepaliveMs);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, kKeepaliveTimeoutMs);
  // Newer gRPC cores (about 1.57 on) wait this long for any ping's ack
  // (default 60 s) whatever the keepalive timeout; 1.51 ignores it.
  args.SetInt("grpc.http2.ping_timeout_ms", kKeepaliveTimeoutMs);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  return grpc::CreateCustomChannel(address, credentials, args);
}

}  // namespace

std::string& ServerAddress() {
  static std::string* address = new std::string;  // never destroyed
  return *address;
}

Client::Client(const Options& options,
               std::shared_ptr<grpc::ChannelCredentials> credentials,
               std::string token)
    : options_(options),
      token_(std::move(token)),
      channel_(NewChannel(options.addr, credentials)),
      sessions_(v1::SessionService::NewStub(channel_)),
      turns_(v1::TurnService::NewStub(channel_)),
      approvals_(v1::ApprovalService::NewStub(channel_)),
      streams_(v1::StreamService::NewStub(channel_)),
      health_(grpc::health::v1::Health::NewStub(channel_)),
      auth_(v1::AuthService::NewStub(channel_)),
      audit_(v1::AuditService::NewStub(channel_)),
      codex_(v1::CodexService::NewStub(channel_)),
      maintenance_(v1::MaintenanceService::NewStub(channel_)) {
  ServerAddress() = options.addr;
}

std::unique_ptr<grpc::ClientContext> Client::Context() const {
  auto context = StreamContext();
  if (options_.timeout > std::chrono::milliseconds::zero()) {
    context->set_deadline(std::chrono::system_clock::now() + options_.timeout);
  }
  return context;
}

std::unique_ptr<grpc::ClientContext> Client::StreamContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token_.empty()) {
    context->AddMetadata("authorization", "Bearer " + token_);
  }
  return context;
}

int ExitCodeFor(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return kExitOk;
    case grpc::StatusCode::INVALID_ARGUMENT:
      return kExitUsage;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return kExitUnreachable;
    case grpc::StatusCode::NOT_FOUND:
      return kExitNotFound;
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return kExitAuth;
    default:
      return kExitTurnFailed;
  }
}

namespace {

// An UNAVAILABLE that gRPC's client library made because no server
// answered (its words in gRPC C++ 1.51: the connection, the name lookup,
// TLS), not one the server sent (e.g. "Codex could not be started").
bool NotReached(const grpc::Status& status) {
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return false;
  static constexpr absl::string_view kTransport[] = {
      "failed to connect",
      "connection refused",
      "connection reset",
      "dns resolution",
      "empty address list",
      "socket closed",
      "broken pipe",
      "goaway",
      "transport closed",
      "handshake",
      "connections to all backends failing",
  };
  const std::string message = absl::AsciiStrToLower(status.error_message());
  for (absl::string_view phrase : kTransport) {
    if (absl::StrContains(message, phrase)) return true;
  }
  return false;
}

}  // namespace

void RouteLibraryLogs() {
  // gRPC core writes its own "E1207 … Handshake failed …" lines to stderr;
  // what a failed call needs said is in its status, which Fail prints. So
  // they are shown only when asked for (GRPC_VERBOSITY or GRPC_TRACE set).
  if (Env("GRPC_VERBOSITY").empty() && Env("GRPC_TRACE").empty()) {
    gpr_set_log_function([](gpr_log_func_args*) {});
  }
  google::protobuf::SetLogHandler(
      [](google::protobuf::LogLevel, const char*, int,
         const std::string& message) {
        if (absl::StrContains(message, "invalid UTF-8 data when serializing")) {
          return;
        }
        std::cerr << "protobuf: "
                  << absl::StripTrailingAsciiWhitespace(message) << "\n";
      });
}

int Fail(const grpc::Status& status) {
  std::cerr << "error: " << CodeName(status.error_code()) << ": "
            << status.error_message() << "\n";
  if (NotReached(status) && !ServerAddress().empty()) {
    const std::string& at = ServerAddress();
    std::string hint;
    switch (ClassifyConnectFailure(status.error_message())) {
      case ConnectFailure::kHttp1:
        hint = absl::StrCat(at,
                            " answers HTTP/1.1, not gRPC: is it "
                            "codex-manager-web (the browser UI's address)? The "
                            "CLI talks to codex-manager-server at its --listen "
                            "address");
        break;
      case ConnectFailure::kNotTls:
        hint = absl::StrCat(at,
                            " does not serve TLS: drop --ca-file (and "
                            "CODEX_MANAGER_CA_FILE), or start the server with "
                            "--tls-cert");
        break;
      case ConnectFailure::kUntrustedCertificate:
        hint = absl::StrCat(at,
                            "'s certificate is not signed by a CA in "
                            "--ca-file, or does not name the host in --addr");
        break;
      case ConnectFailure::kClosed:
        hint = absl::StrCat(at,
                            " took the connection and closed it: if the "
                            "server serves TLS (--tls-cert), pass --ca-file "
                            "or set CODEX_MANAGER_CA_FILE");
        break;
      case ConnectFailure::kOther:
        hint = absl::StrCat("could not reach codex-manager-server at ", at,
                            ": is it running there? Set --addr or "
                            "CODEX_MANAGER_ADDR to where it listens");
        break;
    }
    std::cerr << "hint: " << hint << "\n";
  }
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    std::cerr << "hint: pass a token with --token, --token-file or "
                 "CODEX_MANAGER_TOKEN (the server wrote an admin token to "
                 "DATA_DIR/admin.token at its first start)\n";
  }
  return ExitCodeFor(status);
}

}  // namespace codex_manager::cli
