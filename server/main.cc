// codex-manager-server: the Codex Manager gRPC server.
//
// Owns sessions, turns, approvals and the durable event stream (SQLite in
// --data-dir) and runs one `codex app-server` per live session. See
// docs/operations.md for every flag.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "api/approval_service.h"
#include "api/logging_interceptor.h"
#include "api/session_service.h"
#include "api/stream_service.h"
#include "api/turn_service.h"
#include "common/log.h"
#include "core/clock.h"
#include "core/event_log.h"
#include "core/session_manager.h"
#include "runtime/codex_runtime.h"
#include "runtime/process.h"
#include "store/sqlite_store.h"

namespace codex_manager {
namespace {

struct Flags {
  std::string listen = "127.0.0.1:50051";
  std::string data_dir = "./var";
  std::string codex_bin = "codex";
  std::string codex_home;
  int max_live_sessions = 16;
  std::string idle_timeout = "30m";
  std::string stop_grace = "5s";
  std::string start_timeout = "30s";
  std::vector<std::string> pass_env;
  int max_message_bytes = 16 << 20;
  std::string log_level = "info";
};

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

int Run(const Flags& flags) {
  if (flags.log_level == "debug") SetLogLevel(LogLevel::kDebug);
  if (flags.log_level == "warning") SetLogLevel(LogLevel::kWarning);
  if (flags.log_level == "error") SetLogLevel(LogLevel::kError);

  absl::StatusOr<absl::Duration> idle =
      ParseDurationFlag("idle-timeout", flags.idle_timeout);
  absl::StatusOr<absl::Duration> grace =
      ParseDurationFlag("stop-grace", flags.stop_grace);
  absl::StatusOr<absl::Duration> start =
      ParseDurationFlag("start-timeout", flags.start_timeout);
  for (const absl::Status& s :
       {idle.status(), grace.status(), start.status()}) {
    if (!s.ok()) {
      Log(LogLevel::kError, "bad flag", {{"error", std::string(s.message())}});
      return 2;
    }
  }
  if (flags.max_live_sessions < 1) {
    Log(LogLevel::kError, "bad flag",
        {{"error", "--max-live-sessions must be at least 1"}});
    return 2;
  }

  std::error_code ec;
  std::filesystem::create_directories(flags.data_dir, ec);
  if (ec) {
    Log(LogLevel::kError, "cannot create data dir",
        {{"data_dir", flags.data_dir}, {"error", ec.message()}});
    return 1;
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

  EventLog log(store->get());
  if (absl::Status s = log.Start(); !s.ok()) {
    Log(LogLevel::kError, "cannot start event log", {{"error", s.ToString()}});
    return 1;
  }

  PosixProcessLauncher launcher;
  CodexRuntimeOptions runtime_options;
  runtime_options.codex_bin = flags.codex_bin;
  runtime_options.codex_home = flags.codex_home;
  runtime_options.pass_env = flags.pass_env;
  runtime_options.stop_grace = *grace;
  runtime_options.start_timeout = *start;
  CodexRuntimeFactory runtimes(&launcher, runtime_options);
  RealClock clock;
  SessionManagerOptions manager_options;
  manager_options.max_live_sessions = flags.max_live_sessions;
  manager_options.idle_timeout = *idle;
  auto manager = std::make_unique<SessionManager>(store->get(), &log, &runtimes,
                                                  &clock, manager_options);
  if (absl::Status s = manager->Recover(); !s.ok()) {
    Log(LogLevel::kError, "recovery failed", {{"error", s.ToString()}});
    return 1;
  }

  SessionServiceImpl sessions(manager.get());
  TurnServiceImpl turns(manager.get());
  ApprovalServiceImpl approvals(manager.get());
  StreamServiceImpl streams(manager.get(), &log, store->get());

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(flags.listen, grpc::InsecureServerCredentials(),
                           &port);
  builder.SetMaxReceiveMessageSize(flags.max_message_bytes);
  builder.SetMaxSendMessageSize(flags.max_message_bytes);
  builder.RegisterService(&sessions);
  builder.RegisterService(&turns);
  builder.RegisterService(&approvals);
  builder.RegisterService(&streams);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(std::make_unique<LoggingInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    Log(LogLevel::kError, "cannot listen", {{"listen", flags.listen}});
    return 1;
  }
  server->GetHealthCheckService()->SetServingStatus(true);
  Log(LogLevel::kInfo, "listening",
      {{"listen", flags.listen},
       {"port", port},
       {"data_dir", flags.data_dir},
       {"codex_bin", flags.codex_bin}});

  // Idle reaper: once a second.
  absl::Notification stop;
  std::thread reaper([&] {
    while (!stop.WaitForNotificationWithTimeout(absl::Seconds(1))) {
      manager->ReapIdle();
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
  server->GetHealthCheckService()->SetServingStatus(false);
  // Streams are cancelled; unary calls get a moment to finish.
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  manager->Shutdown();
  server->Wait();
  manager.reset();
  log.Flush();
  Log(LogLevel::kInfo, "stopped");
  return 0;
}

}  // namespace
}  // namespace codex_manager

int main(int argc, char** argv) {
  // Block the shutdown signals before any thread starts, so every thread
  // inherits the mask and only sigwait in Run takes them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  codex_manager::Flags flags;
  CLI::App app{
      "codex-manager-server: runs Codex sessions and serves the Codex Manager "
      "gRPC API.\n\nWARNING: every session launches an agent that runs "
      "commands on this machine. The server binds to loopback by default; "
      "expose it only deliberately, behind authentication (see "
      "docs/operations.md)."};
  app.add_option(
         "--listen", flags.listen,
         "Address to serve gRPC on, host:port (port 0 picks a free one)")
      ->capture_default_str();
  app.add_option("--data-dir", flags.data_dir,
                 "Folder for the SQLite database (created if missing)")
      ->capture_default_str();
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
  app.add_option("--start-timeout", flags.start_timeout,
                 "Most time Codex may take to answer initialize and "
                 "thread/start")
      ->capture_default_str();
  app.add_option("--pass-env", flags.pass_env,
                 "Environment variable Codex children inherit besides the "
                 "basics (repeatable), e.g. OPENAI_API_KEY");
  app.add_option("--max-message-bytes", flags.max_message_bytes,
                 "Largest gRPC message accepted or sent, in bytes")
      ->capture_default_str();
  app.add_option("--log-level", flags.log_level,
                 "debug, info, warning or error")
      ->check(CLI::IsMember({"debug", "info", "warning", "error"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return codex_manager::Run(flags);
}
