// codex-manager-server: the Codex Manager gRPC server.
//
// Owns sessions, turns, approvals and the durable event stream (SQLite in
// --data-dir) and runs one `codex app-server` per live session. See
// docs/operations.md for every flag.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/server_credentials.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "api/approval_service.h"
#include "api/auth_service.h"
#include "api/call_interceptor.h"
#include "api/codex_service.h"
#include "api/guard.h"
#include "api/health_service.h"
#include "api/library_logs.h"
#include "api/maintenance_service.h"
#include "api/session_service.h"
#include "api/stream_service.h"
#include "api/turn_service.h"
#include "auth/admission.h"
#include "auth/forwarded_for.h"
#include "auth/method_rules.h"
#include "auth/rate_limiter.h"
#include "auth/refusal_sampler.h"
#include "auth/token_registry.h"
#include "common/crash_report.h"
#include "common/data_dir.h"
#include "common/listen_probe.h"
#include "common/log.h"
#include "common/metrics_http.h"
#include "common/pem_files.h"
#include "common/server_metrics.h"
#include "common/status_macros.h"
#include "common/thread_name.h"
#include "core/backup.h"
#include "core/clock.h"
#include "core/event_log.h"
#include "core/session_manager.h"
#include "notify/notifier.h"
#include "runtime/codex_runtime.h"
#include "runtime/process.h"
#include "runtime/sandbox_check.h"
#include "store/fault_vfs.h"
#include "store/restore.h"
#include "store/sqlite_store.h"

namespace codex_manager {
namespace {

struct Flags {
  std::string listen = "127.0.0.1:50051";
  std::string data_dir = DefaultDataDir();
  std::string restore;  // --restore FILE
  std::string codex_bin = "codex";
  std::string codex_home;
  int max_live_sessions = 16;
  std::string idle_timeout = "30m";
  std::string stop_grace = "5s";
  std::string start_timeout = "30s";
  std::string interrupt_grace = "10s";
  std::string turn_stall_timeout = "30m";
  double retain_archived_days = 0;
  double retain_audit_days = 0;
  double retain_request_keys_days = 30;
  std::string commit_timeout = "10s";
  std::string drain_timeout = "10s";
  std::string keepalive_interval = "60s";
  std::string keepalive_timeout = "20s";
  std::string keepalive_min_time = "10s";
  std::string inject_store_faults_from;
  std::vector<std::string> pass_env;
  int max_message_bytes = 16 << 20;
  int64_t max_runtime_line_bytes = 64 << 20;
  std::string log_level = "info";
  std::string log_format = "json";
  std::string metrics_listen;
  std::string webhook_url;
  std::string webhook_secret_file;
  std::string webhook_events = "approval,turn_end";
  std::string ntfy_url;
  std::string public_url;
  // Trust boundary (docs/security.md).
  bool rotate_admin_token = false;
  bool reflection = true;
  std::vector<std::string> allowed_roots;
  std::string max_sandbox = "workspace-write";
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  std::string trusted_proxies;
  bool insecure_plaintext_remote = false;
  double rate_limit = 20;
  double rate_burst = 40;
  double audit_refusal_rate = 0.1;
  double audit_refusal_burst = 20;
  int max_streams_per_principal = 64;
  int handler_threads = 8;
  int64_t max_uncommitted_events = 100000;
  int64_t catch_up_rate = 200000;
  int max_queued_turns = 16;
  int max_codex_calls = 2;
  int64_t max_prompt_bytes = 1 << 20;
};

// Paths the server hands to its Codex children, which run in each
// session's folder: a relative --codex-bin (with a slash) or --codex-home
// means what it meant where the server was started, so it is made
// absolute against the server's working directory.
void AnchorChildPaths(Flags* flags) {
  auto anchor = [](std::string& path) {
    if (path.empty() || path.front() == '/') return;
    std::error_code error;
    std::filesystem::path absolute = std::filesystem::absolute(path, error);
    if (!error) path = absolute.lexically_normal().string();
  };
  if (flags->codex_bin.find('/') != std::string::npos) {
    anchor(flags->codex_bin);
  }
  anchor(flags->codex_home);
}

// Audit retention (--retain-audit-days): deletes up to 10,000 records
// older than `days` at a time, leaving a record that says so.
void PurgeAudit(Store& store, double days) {
  const absl::Time now = absl::Now();
  AuditRecord note;
  note.time = now;
  note.caller.token_name = "codex-manager-server";
  note.caller.method = "retention/audit";
  note.message = absl::StrCat("--retain-audit-days ", days, ": ");
  absl::StatusOr<int64_t> deleted =
      store.PurgeAudit(now - absl::Hours(24) * days, 10000, note);
  if (!deleted.ok()) {
    Log(LogLevel::kError, "audit retention failed",
        {{"error", deleted.status().ToString()}});
  } else if (*deleted > 0) {
    Log(LogLevel::kInfo, "retention deleted audit records",
        {{"records", *deleted}, {"retain_audit_days", days}});
  }
}

// Idempotency key retention (--retain-request-keys-days): deletes up to
// 10,000 keys stored longer ago than `days` at a time.
void PurgeRequestKeys(Store& store, double days) {
  absl::StatusOr<int64_t> deleted =
      store.PurgeRequestKeys(absl::Now() - absl::Hours(24) * days, 10000);
  if (!deleted.ok()) {
    Log(LogLevel::kError, "idempotency key retention failed",
        {{"error", deleted.status().ToString()}});
  } else if (*deleted > 0) {
    Log(LogLevel::kInfo, "retention deleted idempotency keys",
        {{"keys", *deleted}, {"retain_request_keys_days", days}});
  }
}

// Sets the state gauges (sessions, turns, approvals, subscribers, bytes
// stored) from the store at each scrape.
void AddStateCollector(Store* store, EventLog* log, const std::string& data_dir,
                       Clock* clock) {
  Metrics().registry.AddCollector([=] {
    ServerMetrics& m = Metrics();
    for (SessionState state :
         {SessionState::kStarting, SessionState::kIdle, SessionState::kBusy,
          SessionState::kStopped, SessionState::kFailed,
          SessionState::kArchived}) {
      absl::StatusOr<std::vector<Session>> sessions =
          store->SessionsInState(state);
      if (sessions.ok()) {
        m.sessions.With({absl::AsciiStrToLower(SessionStateName(state))})
            .Set(static_cast<double>(sessions->size()));
      }
    }
    for (TurnState state : {TurnState::kRunning, TurnState::kQueued}) {
      absl::StatusOr<std::vector<Turn>> turns = store->TurnsInState(state);
      if (turns.ok()) {
        m.turns.With({absl::AsciiStrToLower(TurnStateName(state))})
            .Set(static_cast<double>(turns->size()));
      }
    }
    int64_t pending = 0;
    absl::Time oldest = absl::InfiniteFuture();
    PageRequest page;
    page.limit = 1000;
    for (;;) {
      absl::StatusOr<Page<Approval>> approvals =
          store->ListApprovals("", /*pending_only=*/true, page);
      if (!approvals.ok()) break;
      for (const Approval& a : approvals->items) {
        ++pending;
        oldest = std::min(oldest, a.create_time);
      }
      if (approvals->next == 0) break;
      page.after = approvals->next;
    }
    m.approvals_pending.With({}).Set(static_cast<double>(pending));
    m.approval_oldest_seconds.With({}).Set(
        pending == 0 ? 0 : absl::ToDoubleSeconds(clock->Now() - oldest));
    m.subscribers.With({}).Set(static_cast<double>(log->SubscriberCount()));
    m.events_uncommitted.With({}).Set(static_cast<double>(log->Uncommitted()));
    double bytes = 0;
    for (const char* name : {"codex-manager.db", "codex-manager.db-wal"}) {
      std::error_code ec;
      const auto size =
          std::filesystem::file_size(std::filesystem::path(data_dir) / name, ec);
      if (!ec) bytes += static_cast<double>(size);
    }
    m.store_bytes.With({}).Set(bytes);
    // The newest backup the audit log says was made (a failed one is
    // recorded with its code); the method's index finds it.
    AuditQuery backups;
    backups.method = "/codex_manager.v1.MaintenanceService/Backup";
    PageRequest newest;
    newest.limit = 100;
    absl::StatusOr<Page<AuditRecord>> records =
        store->ListAudit(backups, newest);
    if (records.ok()) {
      double made = 0;
      for (const AuditRecord& r : records->items) {
        if (r.code != 0) continue;
        made = absl::ToDoubleSeconds(r.time - absl::UnixEpoch());
        break;
      }
      m.last_backup.With({}).Set(made);
    }
  });
}

// True for addresses only this machine can reach: 127.0.0.0/8, ::1,
// localhost and unix sockets.
bool IsLoopbackListen(const std::string& listen) {
  if (absl::StartsWith(listen, "unix:")) return true;
  std::string host = listen;
  if (absl::StartsWith(host, "[")) {
    host = host.substr(1, host.find(']') == std::string::npos
                              ? std::string::npos
                              : host.find(']') - 1);
  } else if (size_t colon = host.rfind(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

absl::StatusOr<std::string> ReadFile(const std::string& flag,
                                     const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, ": cannot read \"", path, "\""));
  }
  return text.str();
}

// Plaintext, or TLS (and mTLS with --tls-client-ca) from the PEM files.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(
    const Flags& flags) {
  if (flags.tls_cert.empty() != flags.tls_key.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert and --tls-key go together (PEM certificate chain and "
        "private key)");
  }
  if (flags.tls_cert.empty()) {
    if (!flags.tls_client_ca.empty()) {
      return absl::InvalidArgumentError(
          "--tls-client-ca needs --tls-cert and --tls-key");
    }
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions options;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.cert_chain, ReadFile("tls-cert", flags.tls_cert));
  ASSIGN_OR_RETURN(pair.private_key, ReadFile("tls-key", flags.tls_key));
  RETURN_IF_ERROR(
      CheckPemCertificates("--tls-cert", flags.tls_cert, pair.cert_chain));
  RETURN_IF_ERROR(
      CheckPemPrivateKey("--tls-key", flags.tls_key, pair.private_key));
  RETURN_IF_ERROR(CheckKeyPair("--tls-cert", flags.tls_cert, pair.cert_chain,
                               "--tls-key", flags.tls_key, pair.private_key));
  options.pem_key_cert_pairs.push_back(std::move(pair));
  if (!flags.tls_client_ca.empty()) {
    ASSIGN_OR_RETURN(options.pem_root_certs,
                     ReadFile("tls-client-ca", flags.tls_client_ca));
    RETURN_IF_ERROR(CheckPemCertificates(
        "--tls-client-ca", flags.tls_client_ca, options.pem_root_certs));
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

// The exposure guard and the other start-time checks of the trust boundary.
absl::Status CheckExposure(const Flags& flags) {
  const bool loopback = IsLoopbackListen(flags.listen);
  if (!loopback && flags.tls_cert.empty()) {
    if (!flags.insecure_plaintext_remote) {
      return absl::FailedPreconditionError(absl::StrCat(
          "--listen ", flags.listen,
          " is reachable from other machines, and plaintext would expose "
          "tokens and transcripts: TLS is required. Set --tls-cert and "
          "--tls-key (PEM), or listen on 127.0.0.1. Behind a TLS-terminating "
          "proxy on another host, --insecure-plaintext-remote allows it "
          "(docs/security.md)."));
    }
    Log(LogLevel::kWarning,
        "serving plaintext on a non-loopback address "
        "(--insecure-plaintext-remote): tokens and transcripts cross the "
        "network unencrypted unless a TLS proxy is in front",
        {{"listen", flags.listen}});
  }
  if (!loopback && flags.allowed_roots.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--listen ", flags.listen,
        " is reachable from other machines: set at least one --allowed-root "
        "DIR so sessions cannot work anywhere on this machine"));
  }
  if (flags.allowed_roots.empty()) {
    Log(LogLevel::kWarning,
        "no --allowed-root: sessions may work in any folder this user can "
        "reach");
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Duration> ParseDurationFlag(const std::string& name,
                                                 const std::string& value) {
  absl::Duration d;
  if (!absl::ParseDuration(value, &d) || d < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--", name, ": \"", value,
        "\" is not a duration (examples: 30s, 10m, 1h, 0 to disable)"));
  }
  return d;
}

// HTTP/2 keepalive (gRPC's keepalive guide, doc/keepalive.md). Every
// `interval` without activity the server pings each connection, with no
// limit on pings while no data flows (gRPC's default stops after two),
// and closes one whose peer does not answer within `timeout`: the calls
// on it end, so a follower whose phone left the network or whose laptop
// went to sleep gives back its stream slot (--max-streams-per-principal),
// and a NAT or load balancer on the way sees traffic on a quiet stream.
// Clients may ping as often as every `min_time` (gRPC's default: 5 min;
// the SDK and the CLI ping every 30 s while a call is open).
void SetKeepalive(absl::Duration interval, absl::Duration timeout,
                  absl::Duration min_time, grpc::ServerBuilder& builder) {
  // gRPC takes milliseconds as an int.
  auto ms = [](absl::Duration d) {
    return static_cast<int>(std::clamp<int64_t>(
        absl::ToInt64Milliseconds(d), 1, std::numeric_limits<int>::max()));
  };
  if (interval > absl::ZeroDuration()) {
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, ms(interval));
    builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, ms(timeout));
    builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  }
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, ms(min_time));
}

// --check: verifies the data dir's store offline (Store::CheckInvariants).
// Exit 0 when every invariant holds, 1 naming each violation, 2 when the
// store cannot be checked (missing, or a server holds the data dir).
int Check(const Flags& flags) {
  if (!std::filesystem::is_directory(flags.data_dir)) {
    std::cerr << "--check: " << flags.data_dir << " is not a data dir\n";
    return 2;
  }
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock =
      LockDataDir(flags.data_dir);
  if (!lock.ok()) {
    std::cerr << "--check: " << lock.status().message() << "\n";
    return 2;
  }
  const std::string db_path =
      (std::filesystem::path(flags.data_dir) / "codex-manager.db").string();
  absl::StatusOr<std::unique_ptr<SqliteStore>> store =
      SqliteStore::Open(db_path);
  absl::StatusOr<std::vector<std::string>> violations =
      store.ok() ? (*store)->CheckInvariants() : store.status();
  if (!violations.ok()) {
    std::cerr << "--check: " << db_path << ": "
              << violations.status().message() << "\n";
    return 2;
  }
  for (const std::string& v : *violations) std::cout << v << "\n";
  std::cout << db_path << ": "
            << (violations->empty()
                    ? std::string("every invariant holds")
                    : absl::StrCat(violations->size(), " violations"))
            << "\n";
  return violations->empty() ? 0 : 1;
}

// --restore FILE: puts a backup (MaintenanceService.Backup's copy) in place
// of the data dir's database, on a stopped server (store/restore.h). Exit
// 0 restored, 1 the backup is refused (why is named), 2 cannot restore (a
// server holds the data dir, a file cannot be read or written).
int Restore(const Flags& flags) {
  umask(077);  // as the server's own files
  absl::StatusOr<std::unique_ptr<DataDirLock>> lock =
      PrepareDataDir(flags.data_dir);
  if (!lock.ok()) {
    std::cerr << "--restore: " << lock.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<Restored> restored =
      RestoreBackup(flags.restore, flags.data_dir, absl::Now());
  if (!restored.ok()) {
    std::cerr << "--restore: " << flags.restore << ": "
              << restored.status().message() << "\n";
    return absl::IsInvalidArgument(restored.status()) ||
                   absl::IsFailedPrecondition(restored.status())
               ? 1
               : 2;
  }
  std::cout << "restored " << flags.restore << " into " << restored->database
            << ": " << restored->sessions
            << (restored->sessions == 1 ? " session" : " sessions")
            << ", events through " << restored->last_event_id << "\n";
  if (!restored->replaced.empty()) {
    std::cout << "the database it replaced is now " << restored->replaced
              << "\n";
  }
  if (restored->next_event_id > 0) {
    std::cout << "new events are numbered from " << restored->next_event_id
              << ", after the replaced database's\n";
  }
  if (restored->seq_gaps > 0) {
    std::cout << restored->seq_gaps
              << (restored->seq_gaps == 1 ? " session" : " sessions")
              << " had events after the backup's: new events are numbered "
                 "after them\n";
  }
  if (restored->revocations_kept > 0) {
    std::cout << restored->revocations_kept
              << (restored->revocations_kept == 1
                      ? " token revoked since the backup stays revoked\n"
                      : " tokens revoked since the backup stay revoked\n");
  }
  if (!restored->replaced_unread.empty()) {
    std::cerr << "warning: the replaced database could not be read ("
              << restored->replaced_unread
              << "): event ids and seqs after the backup's may be given "
                 "again, and tokens revoked since the backup are valid "
                 "again (revoke them anew)\n";
  }
  return 0;
}

int Run(const Flags& flags) {
  // Everything this server creates is its user's alone; Codex, which works
  // in its user's projects, gets the umask the server was started with.
  const mode_t project_umask = umask(077);
  if (flags.log_format == "text") SetLogFormat(LogFormat::kText);
  if (flags.log_level == "debug") SetLogLevel(LogLevel::kDebug);
  if (flags.log_level == "warning") SetLogLevel(LogLevel::kWarning);
  if (flags.log_level == "error") SetLogLevel(LogLevel::kError);
  RouteLibraryLogs();

  // The duration flags, parsed ("30s", "10m"; 0 where it turns one off).
  absl::Duration idle, grace, start, interrupt_grace, stall, commit_timeout,
      drain_timeout, keepalive_interval, keepalive_timeout, keepalive_min_time;
  struct DurationFlag {
    const char* name;
    const std::string* text;
    absl::Duration* value;
  };
  const DurationFlag durations[] = {
      {"idle-timeout", &flags.idle_timeout, &idle},
      {"stop-grace", &flags.stop_grace, &grace},
      {"start-timeout", &flags.start_timeout, &start},
      {"interrupt-grace", &flags.interrupt_grace, &interrupt_grace},
      {"turn-stall-timeout", &flags.turn_stall_timeout, &stall},
      {"commit-timeout", &flags.commit_timeout, &commit_timeout},
      {"drain-timeout", &flags.drain_timeout, &drain_timeout},
      {"keepalive-interval", &flags.keepalive_interval, &keepalive_interval},
      {"keepalive-timeout", &flags.keepalive_timeout, &keepalive_timeout},
      {"keepalive-min-time", &flags.keepalive_min_time, &keepalive_min_time},
  };
  for (const DurationFlag& flag : durations) {
    absl::StatusOr<absl::Duration> parsed =
        ParseDurationFlag(flag.name, *flag.text);
    if (!parsed.ok()) {
      Log(LogLevel::kError, "bad flag",
          {{"error", std::string(parsed.status().message())}});
      return 2;
    }
    *flag.value = *parsed;
  }
  if (keepalive_interval > absl::ZeroDuration() &&
      keepalive_timeout == absl::ZeroDuration()) {
    Log(LogLevel::kError, "bad flag",
        {{"error", "--keepalive-timeout must be more than 0 while "
                   "--keepalive-interval is on"}});
    return 2;
  }
  if (flags.max_live_sessions < 1) {
    Log(LogLevel::kError, "bad flag",
        {{"error", "--max-live-sessions must be at least 1"}});
    return 2;
  }
  if (flags.max_streams_per_principal < 1 || flags.max_queued_turns < 1 ||
      flags.max_codex_calls < 1 || flags.handler_threads < 1 ||
      flags.max_uncommitted_events < 1 ||
      flags.max_prompt_bytes < 1 || flags.rate_burst < 1 ||
      !(flags.audit_refusal_burst >= 1)) {
    Log(LogLevel::kError, "bad flag",
        {{"error",
          "--max-streams-per-principal, --max-queued-turns, "
          "--max-codex-calls, --handler-threads, --max-uncommitted-events, "
          "--max-prompt-bytes, --rate-burst and --audit-refusal-burst must "
          "be at least 1"}});
    return 2;
  }
  // (Not CLI11's NonNegativeNumber, whose message prints the largest
  // double; `!(x >= 0)` also refuses "nan".)
  for (const auto& [name, value] :
       {std::pair<const char*, double>{
            "--catch-up-rate", static_cast<double>(flags.catch_up_rate)},
        {"--retain-archived-days", flags.retain_archived_days},
        {"--retain-audit-days", flags.retain_audit_days},
        {"--retain-request-keys-days", flags.retain_request_keys_days},
        {"--audit-refusal-rate", flags.audit_refusal_rate}}) {
    if (!(value >= 0)) {
      Log(LogLevel::kError, "bad flag",
          {{"error", absl::StrCat(name, " must be at least 0")}});
      return 2;
    }
  }
  absl::StatusOr<TrustedProxies> trusted_proxies =
      TrustedProxies::Parse(flags.trusted_proxies);
  if (!trusted_proxies.ok()) {
    Log(LogLevel::kError, "bad flag",
        {{"error", std::string(trusted_proxies.status().message())}});
    return 2;
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      ServerCredentials(flags);
  absl::Status exposure =
      credentials.ok() ? CheckExposure(flags) : credentials.status();
  AdmissionOptions admission_options;
  admission_options.allowed_roots = flags.allowed_roots;
  admission_options.max_sandbox = flags.max_sandbox;
  absl::StatusOr<Admission> admission = Admission::Create(admission_options);
  if (exposure.ok()) exposure = admission.status();
  if (!exposure.ok()) {
    Log(LogLevel::kError, "refusing to start",
        {{"error", std::string(exposure.message())}});
    std::cerr << "codex-manager-server: " << exposure.message() << "\n";
    return 2;
  }
  if (flags.data_dir.empty()) {
    Log(LogLevel::kError, "bad flag",
        {{"error", "--data-dir: no default (HOME is not set); set it"}});
    return 2;
  }
  // A busy port is found before the data dir is touched (gRPC's own bind,
  // below, comes after the store is open).
  if (absl::Status free = ProbeListenAddress(flags.listen); !free.ok()) {
    Log(LogLevel::kError, "cannot listen",
        {{"listen", flags.listen}, {"error", std::string(free.message())}});
    return 1;
  }
  // Held until the server exits: one server per data dir.
  absl::StatusOr<std::unique_ptr<DataDirLock>> data_dir_lock =
      PrepareDataDir(flags.data_dir);
  if (!data_dir_lock.ok()) {
    Log(LogLevel::kError,
        absl::IsFailedPrecondition(data_dir_lock.status())
            ? "data dir in use"
            : "cannot prepare data dir",
        {{"data_dir", flags.data_dir},
         {"error", std::string(data_dir_lock.status().message())}});
    return 1;
  }
  if (!flags.inject_store_faults_from.empty()) {
    Log(LogLevel::kWarning, "store fault injection is on (a test seam)",
        {{"control_file", flags.inject_store_faults_from}});
    if (absl::Status s = InstallFaultInjectingVfs(flags.inject_store_faults_from);
        !s.ok()) {
      Log(LogLevel::kError, "cannot install the fault VFS",
          {{"error", s.ToString()}});
      return 1;
    }
  }
  if (const int stale = RemoveStaleBackups(flags.data_dir); stale > 0) {
    Log(LogLevel::kInfo, "removed unfinished backups",
        {{"data_dir", flags.data_dir}, {"files", std::to_string(stale)}});
  }
  const std::string db_path =
      (std::filesystem::path(flags.data_dir) / "codex-manager.db").string();
  absl::StatusOr<std::unique_ptr<SqliteStore>> store =
      SqliteStore::Open(db_path);
  if (!store.ok()) {
    Log(LogLevel::kError, "cannot open store",
        {{"path", db_path}, {"error", store.status().ToString()}});
    return 1;
  }

  EventLog::Options log_options;
  log_options.max_uncommitted_events = flags.max_uncommitted_events;
  log_options.catch_up_events_per_second = flags.catch_up_rate;
  // Room for the event's other fields and the response around it.
  log_options.max_payload_bytes =
      static_cast<size_t>(std::max(flags.max_message_bytes - (64 << 10), 4096));
  EventLog log(store->get(), log_options);
  if (absl::Status s = log.Start(); !s.ok()) {
    Log(LogLevel::kError, "cannot start event log", {{"error", s.ToString()}});
    return 1;
  }

  RealClock clock;
  TokenRegistry tokens(store->get(), &clock);
  const std::string admin_token_path =
      (std::filesystem::path(flags.data_dir) / "admin.token").string();
  bool wrote_admin_token = false;
  if (absl::Status s = tokens.EnsureAdminTokenFile(
          admin_token_path, flags.rotate_admin_token, &wrote_admin_token);
      !s.ok()) {
    Log(LogLevel::kError, "cannot write the admin token",
        {{"path", admin_token_path}, {"error", s.ToString()}});
    return 1;
  }
  if (wrote_admin_token) {
    Log(LogLevel::kInfo, "wrote a new admin token",
        {{"path", admin_token_path}});
  }
  RateLimiter limiter(&clock, flags.rate_limit, flags.rate_burst);
  // RPC handler bodies run here, off gRPC's callback threads (they may
  // block on the store); declared before everything they use is gone.
  WorkerPool handler_pool(flags.handler_threads, "cm-handler");
  RefusalSamplerOptions sampler_options;
  sampler_options.rate = flags.audit_refusal_rate;
  sampler_options.burst = flags.audit_refusal_burst;
  sampler_options.summary_after = absl::Minutes(1);
  RefusalSampler refusal_sampler(&clock, sampler_options);
  GuardOptions guard_options;
  guard_options.max_streams_per_principal = flags.max_streams_per_principal;
  guard_options.handler_pool = &handler_pool;
  guard_options.refusal_sampler = &refusal_sampler;
  if (!trusted_proxies->empty()) {
    guard_options.trusted_proxies = &*trusted_proxies;
  }
  Guard guard(&tokens, &limiter, store->get(), &clock, guard_options);

  // A Codex that cannot be run fails every session's start: say so now.
  if (access(ResolveProgram(flags.codex_bin).c_str(), X_OK) != 0) {
    Log(LogLevel::kWarning, "codex binary not found",
        {{"codex_bin", flags.codex_bin},
         {"hint",
          "sessions cannot start until --codex-bin names the Codex "
          "executable (the npm package's bin/codex, or an absolute path)"}});
  }
  PosixProcessLauncher launcher;
  CodexRuntimeOptions runtime_options;
  runtime_options.codex_bin = flags.codex_bin;
  runtime_options.codex_home = flags.codex_home;
  runtime_options.pass_env = flags.pass_env;
  runtime_options.umask = project_umask;
  runtime_options.stop_grace = grace;
  runtime_options.start_timeout = start;
  runtime_options.max_line_bytes =
      static_cast<size_t>(flags.max_runtime_line_bytes);
  CodexRuntimeFactory runtimes(&launcher, runtime_options);
  // Say once whether Codex's sandbox can confine commands here.
  const SandboxCheck sandbox = CheckCodexSandbox(
      &launcher, CodexRuntime::ChildEnvironment(runtime_options));
  if (sandbox.functional) {
    Log(LogLevel::kInfo, "codex sandbox", {{"bubblewrap", true}, {"functional", true}});
  } else {
    Log(LogLevel::kWarning, "codex sandbox",
        {{"bubblewrap", sandbox.bubblewrap_on_path},
         {"functional", false},
         {"reason", sandbox.reason}});
  }
  SessionManagerOptions manager_options;
  manager_options.runtime_warning = sandbox.session_warning;
  manager_options.max_live_sessions = flags.max_live_sessions;
  manager_options.idle_timeout = idle;
  manager_options.interrupt_grace = interrupt_grace;
  manager_options.turn_stall_timeout = stall;
  manager_options.commit_timeout = commit_timeout;
  manager_options.max_queued_turns = flags.max_queued_turns;
  manager_options.max_prompt_bytes = static_cast<size_t>(flags.max_prompt_bytes);
  auto manager = std::make_unique<SessionManager>(store->get(), &log, &runtimes,
                                                  &clock, manager_options);
  if (absl::Status s = manager->Recover(); !s.ok()) {
    Log(LogLevel::kError, "recovery failed", {{"error", s.ToString()}});
    return 1;
  }

  // One-off Codex runtimes (models, account, stored threads, forks), run
  // in the data dir.
  CodexCatalogOptions catalog_options;
  catalog_options.cwd = flags.data_dir;
  catalog_options.max_concurrent = flags.max_codex_calls;
  CodexCatalog catalog(&runtimes, catalog_options);
  // Sign-ins of the server's Codex (a device code login keeps a runtime of
  // its own while it waits).
  CodexLoginOptions login_options;
  login_options.cwd = flags.data_dir;
  CodexLogins logins(&runtimes, &catalog, login_options);
  SessionServiceImpl sessions(manager.get(), &log, store->get(), &guard,
                              &*admission, &catalog);
  CodexServiceImpl codex(&catalog, &logins, store->get(), &guard);
  TurnServiceImpl turns(manager.get(), &guard, &*admission);
  ApprovalServiceImpl approvals(manager.get(), &guard);
  StreamServiceImpl streams(manager.get(), &log, store->get(), &guard);
  AuthServiceImpl auth(&tokens, &guard);
  AuditServiceImpl audit(store->get(), &guard);
  MaintenanceServiceImpl maintenance(store->get(), &guard, flags.data_dir,
                                     flags.max_message_bytes);
  HealthServiceImpl health({
      std::string(v1::SessionService::service_full_name()),
      std::string(v1::TurnService::service_full_name()),
      std::string(v1::ApprovalService::service_full_name()),
      std::string(v1::StreamService::service_full_name()),
      std::string(v1::AuthService::service_full_name()),
      std::string(v1::AuditService::service_full_name()),
      std::string(v1::CodexService::service_full_name()),
      std::string(v1::MaintenanceService::service_full_name()),
  });

  // Our own Health (answers without a token) instead of gRPC's default, so
  // reflection lists it.
  grpc::EnableDefaultHealthCheckService(false);
  if (flags.reflection) grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(flags.listen, *credentials, &port);
  // gRPC sets SO_REUSEPORT by default: a second server on the same port
  // would then start, and the kernel would share connections between the
  // two. Off, its bind fails and it exits.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  SetKeepalive(keepalive_interval, keepalive_timeout, keepalive_min_time,
               builder);
  builder.SetMaxReceiveMessageSize(flags.max_message_bytes);
  builder.SetMaxSendMessageSize(flags.max_message_bytes);
  builder.RegisterService(&sessions);
  builder.RegisterService(&turns);
  builder.RegisterService(&approvals);
  builder.RegisterService(&streams);
  builder.RegisterService(&auth);
  builder.RegisterService(&audit);
  builder.RegisterService(&maintenance);
  builder.RegisterService(&health);
  builder.RegisterService(&codex);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  auto call_interceptors = std::make_unique<CallInterceptorFactory>(&guard);
  // Owned by the server, which outlives its use here.
  CallInterceptorFactory* const calls = call_interceptors.get();
  interceptors.push_back(std::move(call_interceptors));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    Log(LogLevel::kError, "cannot listen",
        {{"listen", flags.listen},
         {"hint", "the grpc line before this one says why (e.g. Address "
                  "already in use: another server serves that address)"}});
    return 1;
  }
  std::unique_ptr<Notifier> notifier;
  if (!flags.webhook_url.empty() || !flags.ntfy_url.empty()) {
    NotifierOptions notify;
    notify.webhook_url = flags.webhook_url;
    notify.ntfy_url = flags.ntfy_url;
    notify.public_url = flags.public_url;
    notify.kinds.clear();
    for (absl::string_view kind :
         absl::StrSplit(flags.webhook_events, ',', absl::SkipEmpty())) {
      notify.kinds.insert(std::string(absl::StripAsciiWhitespace(kind)));
    }
    if (!flags.webhook_secret_file.empty()) {
      std::ifstream secret(flags.webhook_secret_file, std::ios::binary);
      std::stringstream text;
      text << secret.rdbuf();
      notify.webhook_secret = std::string(absl::StripTrailingAsciiWhitespace(text.str()));
      if (!secret || notify.webhook_secret.empty()) {
        Log(LogLevel::kError, "--webhook-secret-file: cannot read a secret",
            {{"file", flags.webhook_secret_file}});
        return 2;
      }
    }
    absl::StatusOr<std::unique_ptr<Notifier>> started =
        Notifier::Start(&log, store->get(), std::move(notify));
    if (!started.ok()) {
      Log(LogLevel::kError, "cannot notify",
          {{"error", started.status().ToString()}});
      return 2;
    }
    notifier = std::move(*started);
    Log(LogLevel::kInfo, "notifications on",
        {{"webhook", !flags.webhook_url.empty()},
         {"signed", !flags.webhook_secret_file.empty()},
         {"ntfy", !flags.ntfy_url.empty()},
         {"events", flags.webhook_events}});
  }
  std::unique_ptr<MetricsHttpServer> metrics_http;
  if (!flags.metrics_listen.empty()) {
    AddStateCollector(store->get(), &log, flags.data_dir, &clock);
    absl::StatusOr<std::unique_ptr<MetricsHttpServer>> started =
        MetricsHttpServer::Start(flags.metrics_listen, &Metrics().registry);
    if (!started.ok()) {
      Log(LogLevel::kError, "cannot serve metrics",
          {{"error", started.status().ToString()}});
      return absl::IsInvalidArgument(started.status()) ? 2 : 1;
    }
    metrics_http = std::move(*started);
    Log(IsLoopbackListen(flags.metrics_listen) ? LogLevel::kInfo
                                               : LogLevel::kWarning,
        "metrics listening",
        {{"metrics_listen", flags.metrics_listen},
         {"port", metrics_http->port()},
         {"path", "/metrics"}});
  }
  health.SetServing(true);
  Log(LogLevel::kInfo, "listening",
      {{"listen", flags.listen},
       {"port", port},
       {"tls", !flags.tls_cert.empty()},
       {"mtls", !flags.tls_client_ca.empty()},
       {"trusted_proxies", flags.trusted_proxies},
       {"data_dir", flags.data_dir},
       {"admin_token_file", admin_token_path},
       {"codex_bin", flags.codex_bin}});

  // Idle timeout, turn watchdog, refusal summaries, streams of revoked or
  // expired tokens, and retention: once a second.
  absl::Notification stop;
  std::thread reaper = NamedThread("cm-reaper", [&] {
    while (!stop.WaitForNotificationWithTimeout(absl::Seconds(1))) {
      manager->Tick();
      guard.FlushRefusals(/*all=*/false);
      guard.WakeStreamsOfGoneTokens();
      if (flags.retain_archived_days > 0) {
        absl::StatusOr<int64_t> purged = log.PurgeArchived(
            absl::Now() - absl::Hours(24) * flags.retain_archived_days);
        if (!purged.ok()) {
          Log(LogLevel::kError, "retention failed",
              {{"error", purged.status().ToString()}});
        } else if (*purged > 0) {
          Log(LogLevel::kInfo, "retention deleted events of archived sessions",
              {{"events", *purged},
               {"retain_archived_days", flags.retain_archived_days}});
        }
      }
      if (flags.retain_audit_days > 0) {
        PurgeAudit(**store, flags.retain_audit_days);
      }
      if (flags.retain_request_keys_days > 0) {
        PurgeRequestKeys(**store, flags.retain_request_keys_days);
      }
    }
  });

  // Wait for SIGTERM or SIGINT (blocked in every thread, taken here).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int sig = 0;
  sigwait(&signals, &sig);
  Log(LogLevel::kInfo, "shutting down", {{"signal", sig}});

  stop.Notify();
  reaper.join();
  health.SetServing(false);
  health.Shutdown();
  // Graceful stop. No new calls from here on; the calls in flight may
  // finish until the deadline, when the rest are cancelled.
  const absl::Time deadline = absl::Now() + grace + drain_timeout;
  absl::Notification refused;
  std::thread refuse_calls = NamedThread("cm-shutdown", [&] {
    server->Shutdown(absl::ToChronoTime(deadline));
    refused.Notify();
  });
  // Every Codex stops (turns INTERRUPTED, sessions STOPPED, committed);
  // then each stream delivers everything committed and ends UNAVAILABLE,
  // so its client resumes from its last cursor once we are back.
  manager->Shutdown();
  log.Drain();
  // Once the calls in flight have finished, close every connection at
  // once. Left to itself, gRPC's graceful GOAWAY waits (up to 20 s) for
  // each client to answer a PING, and an idle client may not read its
  // socket for seconds: a Python client with no call open held the stop up
  // for 5 s. Repeated until Shutdown returns, for a connection made while
  // it was starting.
  calls->WaitForNoCalls(deadline);
  do {
    grpc_server_cancel_all_calls(server->c_server());
  } while (!refused.WaitForNotificationWithTimeout(absl::Milliseconds(100)));
  refuse_calls.join();
  server->Wait();
  guard.FlushRefusals(/*all=*/true);
  Log(LogLevel::kInfo, "drained",
      {{"subscribers_left", log.SubscriberCount()}});
  manager.reset();
  log.Flush();
  Log(LogLevel::kInfo, "stopped");
  return 0;
}

}  // namespace
}  // namespace codex_manager

int main(int argc, char** argv) {
  codex_manager::InstallCrashReport(argv[0]);
  // Block the shutdown signals before any thread starts, so every thread
  // inherits the mask and only sigwait in Run takes them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
#ifdef NDEBUG
  // Debian's Abseil checks lock order on every absl::Mutex acquisition
  // (deadlock detection, a graph update per lock). Release builds skip
  // it; debug and sanitizer builds, which run the tests, keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif

  codex_manager::Flags flags;
  CLI::App app{
      "codex-manager-server: runs Codex sessions and serves the Codex Manager "
      "gRPC API.\n\nWARNING: every session launches an agent that runs "
      "commands on this machine. Every call needs a token (the first start "
      "writes an admin token to DATA_DIR/admin.token); the server binds to "
      "loopback by default and refuses a non-loopback address without TLS "
      "(see docs/security.md)."};
  app.add_option(
         "--listen", flags.listen,
         "Address to serve gRPC on, host:port (port 0 picks a free one)")
      ->capture_default_str();
  app.add_option("--data-dir", flags.data_dir,
                 "Folder for the SQLite database and admin.token (created "
                 "0700 if missing; its files are made 0600)")
      ->capture_default_str();
  app.add_flag("--rotate-admin-token", flags.rotate_admin_token,
               "Revoke the token in DATA_DIR/admin.token and write a new one");
  app.add_option("--reflection", flags.reflection,
                 "Serve gRPC server reflection (needs a viewer token)")
      ->capture_default_str();
  app.add_option("--allowed-root", flags.allowed_roots,
                 "Folder sessions may work in (repeatable); a session's cwd "
                 "must resolve inside one. Required off loopback");
  app.add_option("--max-sandbox", flags.max_sandbox,
                 "Most permissive Codex sandbox a session may ask for "
                 "(danger-full-access also needs the admin role)")
      ->check(CLI::IsMember(
          {"read-only", "workspace-write", "danger-full-access"}))
      ->capture_default_str();
  app.add_option("--tls-cert", flags.tls_cert,
                 "PEM certificate chain: serve TLS (with --tls-key)");
  app.add_option("--tls-key", flags.tls_key, "PEM private key for --tls-cert");
  app.add_option("--tls-client-ca", flags.tls_client_ca,
                 "PEM CA bundle: require and verify client certificates "
                 "(mTLS); tokens are still required");
  app.add_option("--trusted-proxies", flags.trusted_proxies,
                 "Comma-separated addresses, CIDR blocks and `unix` (unix "
                 "sockets) of proxies whose x-forwarded-for names the caller "
                 "in audit records (e.g. codex-manager-web's address); "
                 "empty: x-forwarded-for is ignored");
  app.add_flag("--insecure-plaintext-remote", flags.insecure_plaintext_remote,
               "Allow plaintext on a non-loopback --listen (only behind a "
               "TLS-terminating proxy)");
  app.add_option("--rate-limit", flags.rate_limit,
                 "Changes (mutating calls) a second per token, on average; 0 "
                 "disables")
      ->capture_default_str();
  app.add_option("--rate-burst", flags.rate_burst,
                 "Changes a token may make at once above --rate-limit")
      ->capture_default_str();
  app.add_option("--audit-refusal-rate", flags.audit_refusal_rate,
                 "Refused calls a second recorded one by one in the audit "
                 "log per source (token, else peer address), after "
                 "--audit-refusal-burst; the rest are counted in one summary "
                 "record a minute; 0 records every one")
      ->capture_default_str();
  app.add_option("--audit-refusal-burst", flags.audit_refusal_burst,
                 "Refused calls a source may have recorded one by one "
                 "before --audit-refusal-rate applies")
      ->capture_default_str();
  app.add_option("--max-streams-per-principal", flags.max_streams_per_principal,
                 "Most streams (StreamEvents, StreamEventBatches, "
                 "ExportTranscript) one token may have open")
      ->capture_default_str();
  app.add_option("--max-uncommitted-events", flags.max_uncommitted_events,
                 "Events waiting for the store beyond which Codex's output "
                 "is held back (read more slowly) until commits catch up")
      ->capture_default_str();
  app.add_option("--catch-up-rate", flags.catch_up_rate,
                 "While a turn streams, the most events a second that "
                 "replays and streams catching up get, all together, so "
                 "history leaves the live events a free core; 0: no limit")
      ->capture_default_str();
  app.add_option("--handler-threads", flags.handler_threads,
                 "Threads running RPC handlers (which may wait on the "
                 "store), apart from gRPC's own")
      ->capture_default_str();
  app.add_option("--max-codex-calls", flags.max_codex_calls,
                 "Most one-off Codex runtimes at once (ListModels, "
                 "GetAccount, ListCodexThreads, ImportThread, ForkSession)")
      ->capture_default_str();
  app.add_option("--max-queued-turns", flags.max_queued_turns,
                 "Most queued turns per session")
      ->capture_default_str();
  app.add_option("--max-prompt-bytes", flags.max_prompt_bytes,
                 "Largest prompt accepted, in bytes")
      ->capture_default_str();
  bool print_role_table = false;
  bool check = false;
  app.add_flag("--check", check,
               "Verify the data dir's store offline (integrity, gapless "
               "session_seq but for what a restore lost, every row with its "
               "events and every event with "
               "its row) and exit: 0 ok, 1 violations (listed), 2 cannot "
               "check");
  app.add_option("--restore", flags.restore,
                 "Put FILE (a backup: codex-manager backup) in place of the "
                 "data dir's database, checked first, and exit (the server "
                 "must be stopped): 0 restored, 1 FILE refused, 2 cannot "
                 "restore");
  app.add_flag("--print-role-table", print_role_table,
               "Print the role each RPC needs (Markdown) and exit");
  app.add_option("--codex-bin", flags.codex_bin,
                 "The Codex executable (the npm `codex` or its native binary)")
      ->capture_default_str();
  app.add_option("--codex-home", flags.codex_home,
                 "Passed to Codex as CODEX_HOME (its config.toml and auth); "
                 "empty keeps Codex's default (~/.codex)");
  app.add_option("--max-live-sessions", flags.max_live_sessions,
                 "Most sessions with a running Codex at once")
      ->capture_default_str();
  app.add_option("--idle-timeout", flags.idle_timeout,
                 "Stop the runtime of a session idle this long (kept "
                 "resumable); 0 disables")
      ->capture_default_str();
  app.add_option("--stop-grace", flags.stop_grace,
                 "Graceful stop: time between SIGTERM and SIGKILL")
      ->capture_default_str();
  app.add_option("--drain-timeout", flags.drain_timeout,
                 "Graceful shutdown (SIGTERM): after the Codex processes "
                 "stopped, the most time streams get to deliver the last "
                 "events before they are cancelled")
      ->capture_default_str();
  app.add_option("--keepalive-interval", flags.keepalive_interval,
                 "Ping each client connection after this long without "
                 "activity (HTTP/2 keepalive; 0 turns it off)")
      ->capture_default_str();
  app.add_option("--keepalive-timeout", flags.keepalive_timeout,
                 "Close a connection whose client has not answered a ping "
                 "within this long, ending its calls and freeing its stream "
                 "slots")
      ->capture_default_str();
  app.add_option("--keepalive-min-time", flags.keepalive_min_time,
                 "Most often a client may ping; one that pings more often "
                 "is sent GOAWAY (too_many_pings)")
      ->capture_default_str();
  app.add_option("--interrupt-grace", flags.interrupt_grace,
                 "Time a turn has to end after turn/interrupt before its "
                 "Codex is killed (the turn INTERRUPTED, the session "
                 "resumable)")
      ->capture_default_str();
  app.add_option("--commit-timeout", flags.commit_timeout,
                 "Most time a call waits for the store to commit its change "
                 "before failing UNAVAILABLE")
      ->capture_default_str();
  app.add_option("--inject-store-faults-from", flags.inject_store_faults_from,
                 "Testing seam: fail store writes as FILE says (\"full\", "
                 "\"ioerr\"; missing: none)")
      ->group("");  // hidden: tests only
  app.add_option("--retain-archived-days", flags.retain_archived_days,
                 "Delete the events of sessions archived longer ago than "
                 "this many days (fractions allowed); a cursor older than "
                 "what is kept gets OUT_OF_RANGE. 0 keeps everything")
      ->capture_default_str();
  app.add_option("--retain-audit-days", flags.retain_audit_days,
                 "Delete audit records older than this many days (fractions "
                 "allowed), checked every second; each deletion leaves a "
                 "record saying how many went; 0 keeps them all")
      ->capture_default_str();
  app.add_option("--retain-request-keys-days", flags.retain_request_keys_days,
                 "Delete idempotency keys (request_id) stored longer ago "
                 "than this many days (fractions allowed), checked every "
                 "second; a retry with a deleted key makes a new resource; "
                 "0 keeps them all")
      ->capture_default_str();
  app.add_option("--turn-stall-timeout", flags.turn_stall_timeout,
                 "A running turn with no Codex output this long (and no "
                 "approval waiting) is FAILED and its Codex killed; 0 "
                 "disables")
      ->capture_default_str();
  app.add_option("--start-timeout", flags.start_timeout,
                 "Most time Codex may take to answer initialize and "
                 "thread/start")
      ->capture_default_str();
  app.add_option("--pass-env", flags.pass_env,
                 "Environment variable Codex children inherit besides the "
                 "basics (repeatable), e.g. OPENAI_API_KEY");
  app.add_option("--max-message-bytes", flags.max_message_bytes,
                 "Largest gRPC message accepted or sent, in bytes; an event "
                 "payload larger than this less 64 KiB is stored cut down")
      ->check(CLI::Range(64 << 10, 1 << 30))
      ->capture_default_str();
  app.add_option("--max-runtime-line-bytes", flags.max_runtime_line_bytes,
                 "Longest line accepted from a Codex child's stdout, in "
                 "bytes; a longer one is skipped with a warning event")
      ->check(CLI::Range(int64_t{4096}, int64_t{1} << 30))
      ->capture_default_str();
  app.add_option("--metrics-listen", flags.metrics_listen,
                 "Serve Prometheus metrics at http://ADDRESS/metrics "
                 "(host:port, no token: keep it on loopback or a scrape "
                 "network; port 0 picks one, logged); off when empty");
  app.add_option("--webhook-url", flags.webhook_url,
                 "POST a JSON payload here when an approval waits or a turn "
                 "ends (http:// or https://)");
  app.add_option("--webhook-secret-file", flags.webhook_secret_file,
                 "File holding the key that signs webhooks "
                 "(X-Codex-Manager-Signature-256: sha256=HMAC-SHA256)");
  app.add_option("--webhook-events", flags.webhook_events,
                 "Which events notify: approval, turn_end (comma-separated)")
      ->capture_default_str();
  app.add_option("--ntfy-url", flags.ntfy_url,
                 "Push to this ntfy topic URL too (e.g. https://ntfy.sh/TOPIC)");
  app.add_option("--public-url", flags.public_url,
                 "The UI's address, for links in notifications "
                 "(e.g. https://codex.example.com)");
  app.add_option("--log-format", flags.log_format,
                 "json (one object a line, for machines) or text (logfmt, "
                 "for people)")
      ->check(CLI::IsMember({"json", "text"}))
      ->capture_default_str();
  app.add_option("--log-level", flags.log_level,
                 "debug, info, warning or error")
      ->check(CLI::IsMember({"debug", "info", "warning", "error"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (print_role_table) {
    std::cout << codex_manager::RoleTableMarkdown();
    return 0;
  }
  if (check) return codex_manager::Check(flags);
  if (!flags.restore.empty()) return codex_manager::Restore(flags);
  codex_manager::AnchorChildPaths(&flags);
  return codex_manager::Run(flags);
}
