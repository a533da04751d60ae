// The role x method matrix, generated from the descriptors: every method of
// every service the server registers is called with no token, a bad token,
// and a viewer, operator and admin token, over a real channel, and the
// outcome is compared with the rule table (auth/method_rules.h). A method
// added to a proto without a rule fails here (default deny), as does a
// handler that forgets to admit its caller.
#include <google/protobuf/descriptor.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "api/approval_service.h"
#include "api/auth_service.h"
#include "api/call_interceptor.h"
#include "api/codex_service.h"
#include "api/guard.h"
#include "api/health_service.h"
#include "api/maintenance_service.h"
#include "api/session_service.h"
#include "api/status.h"
#include "api/stream_service.h"
#include "api/turn_service.h"
#include "auth/admission.h"
#include "auth/method_rules.h"
#include "common/server_metrics.h"
#include "core/event_log.h"
#include "core/session_manager.h"
#include "gtest/gtest.h"
#include "runtime/codex_runtime.h"
#include "runtime/process.h"
#include "store/sqlite_store.h"

namespace codex_manager {
namespace {

// The full names of every method of every service in `files`.
std::vector<std::string> MethodsOf(const std::vector<std::string>& files) {
  std::vector<std::string> out;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const std::string& name : files) {
    const google::protobuf::FileDescriptor* file = pool->FindFileByName(name);
    EXPECT_NE(file, nullptr) << name;
    if (file == nullptr) continue;
    for (int s = 0; s < file->service_count(); ++s) {
      const auto* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        out.push_back("/" + service->full_name() + "/" +
                      service->method(m)->name());
      }
    }
  }
  return out;
}

class AuthMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*SqliteStore::Open(":memory:"));
    log_ = std::make_unique<EventLog>(store_.get());
    ASSERT_TRUE(log_->Start().ok());
    CodexRuntimeOptions runtime_options;
    runtime_options.codex_bin = "/nonexistent/codex";
    runtimes_ = std::make_unique<CodexRuntimeFactory>(&launcher_,
                                                      runtime_options);
    manager_ = std::make_unique<SessionManager>(
        store_.get(), log_.get(), runtimes_.get(), &clock_,
        SessionManagerOptions());
    tokens_ = std::make_unique<TokenRegistry>(store_.get(), &clock_);
    limiter_ = std::make_unique<RateLimiter>(&clock_, 1000, 1000);
    guard_ = std::make_unique<Guard>(tokens_.get(), limiter_.get(),
                                     store_.get(), &clock_, GuardOptions());
    admission_ = std::make_unique<Admission>(
        *Admission::Create(AdmissionOptions()));
    catalog_ = std::make_unique<CodexCatalog>(runtimes_.get(),
                                              CodexCatalogOptions());
    sessions_ = std::make_unique<SessionServiceImpl>(
        manager_.get(), log_.get(), store_.get(), guard_.get(),
        admission_.get(), catalog_.get());
    logins_ = std::make_unique<CodexLogins>(runtimes_.get(), catalog_.get(),
                                            CodexLoginOptions());
    codex_ = std::make_unique<CodexServiceImpl>(catalog_.get(), logins_.get(),
                                                store_.get(), guard_.get());
    turns_ = std::make_unique<TurnServiceImpl>(manager_.get(), guard_.get(),
                                               admission_.get());
    approvals_ =
        std::make_unique<ApprovalServiceImpl>(manager_.get(), guard_.get());
    streams_ = std::make_unique<StreamServiceImpl>(
        manager_.get(), log_.get(), store_.get(), guard_.get());
    auth_ = std::make_unique<AuthServiceImpl>(tokens_.get(), guard_.get());
    audit_ = std::make_unique<AuditServiceImpl>(store_.get(), guard_.get());
    maintenance_ = std::make_unique<MaintenanceServiceImpl>(
        store_.get(), guard_.get(), ::testing::TempDir(), 4 << 20);
    health_ = std::make_unique<HealthServiceImpl>(std::vector<std::string>{});

    grpc::EnableDefaultHealthCheckService(false);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    for (grpc::Service* s : std::vector<grpc::Service*>{
             sessions_.get(), turns_.get(), approvals_.get(), streams_.get(),
             auth_.get(), audit_.get(), health_.get(), codex_.get(),
             maintenance_.get()}) {
      builder.RegisterService(s);
    }
    std::vector<
        std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
        interceptors;
    interceptors.push_back(
        std::make_unique<CallInterceptorFactory>(guard_.get()));
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    health_->SetServing(true);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                   grpc::InsecureChannelCredentials());
    for (Role role : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
      secrets_[role] = tokens_->Create(std::string(RoleName(role)), role,
                                       absl::ZeroDuration(), Caller())
                           ->secret;
    }
  }

  void TearDown() override {
    health_->Shutdown();
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(1));
    manager_->Shutdown();
  }

  // Calls `method` with an empty request (valid for every message type)
  // and `authorization` (none when empty); returns the status.
  grpc::Status Call(const std::string& method,
                    const std::string& authorization) {
    grpc::GenericStub stub(channel_);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(1500));
    if (!authorization.empty()) {
      context.AddMetadata("authorization", authorization);
    }
    grpc::CompletionQueue cq;
    auto call = stub.PrepareCall(&context, method, &cq);
    call->StartCall(reinterpret_cast<void*>(1));
    void* tag;
    bool ok;
    cq.Next(&tag, &ok);
    grpc::ByteBuffer empty;
    grpc::Slice slice("", 0);
    empty = grpc::ByteBuffer(&slice, 1);
    call->Write(empty, reinterpret_cast<void*>(2));
    cq.Next(&tag, &ok);
    call->WritesDone(reinterpret_cast<void*>(3));
    cq.Next(&tag, &ok);
    grpc::ByteBuffer response;
    call->Read(&response, reinterpret_cast<void*>(4));
    cq.Next(&tag, &ok);
    grpc::Status status;
    call->Finish(&status, reinterpret_cast<void*>(5));
    for (;;) {  // drain until Finish's tag
      cq.Next(&tag, &ok);
      if (tag == reinterpret_cast<void*>(5)) break;
    }
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
    return status;
  }

  PosixProcessLauncher launcher_;
  RealClock clock_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<CodexRuntimeFactory> runtimes_;
  std::unique_ptr<SessionManager> manager_;
  std::unique_ptr<TokenRegistry> tokens_;
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<Guard> guard_;
  std::unique_ptr<Admission> admission_;
  std::unique_ptr<CodexCatalog> catalog_;
  std::unique_ptr<CodexLogins> logins_;
  std::unique_ptr<SessionServiceImpl> sessions_;
  std::unique_ptr<CodexServiceImpl> codex_;
  std::unique_ptr<TurnServiceImpl> turns_;
  std::unique_ptr<ApprovalServiceImpl> approvals_;
  std::unique_ptr<StreamServiceImpl> streams_;
  std::unique_ptr<AuthServiceImpl> auth_;
  std::unique_ptr<AuditServiceImpl> audit_;
  std::unique_ptr<MaintenanceServiceImpl> maintenance_;
  std::unique_ptr<HealthServiceImpl> health_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::map<Role, std::string> secrets_;
};

TEST_F(AuthMatrixTest, EveryMethodTimesEveryRoleMatchesTheRuleTable) {
  const std::vector<std::string> methods = MethodsOf(
      {"codex_manager/v1/sessions.proto", "codex_manager/v1/turns.proto",
       "codex_manager/v1/approvals.proto", "codex_manager/v1/events.proto",
       "codex_manager/v1/auth.proto", "codex_manager/v1/codex.proto",
       "codex_manager/v1/maintenance.proto", "grpc/health/v1/health.proto"});
  ASSERT_GE(methods.size(), 20u);
  for (const std::string& method : methods) {
    SCOPED_TRACE(method);
    const MethodRule* rule = FindMethodRule(method);
    ASSERT_NE(rule, nullptr) << "no authorization rule: add one to "
                                "server/auth/method_rules.cc";
    const bool open = rule->role == Role::kUnspecified;
    auto refused = [&](const grpc::Status& s) {
      return s.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
             s.error_code() == grpc::StatusCode::PERMISSION_DENIED;
    };
    grpc::Status none = Call(method, "");
    grpc::Status bad = Call(method, "Bearer cmt_" + std::string(43, 'A'));
    if (open) {
      EXPECT_FALSE(refused(none)) << none.error_message();
      EXPECT_FALSE(refused(bad)) << bad.error_message();
    } else {
      EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED);
      EXPECT_EQ(bad.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    }
    for (Role role : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
      SCOPED_TRACE(RoleName(role));
      grpc::Status s = Call(method, "Bearer " + secrets_[role]);
      if (role >= rule->role) {
        EXPECT_FALSE(refused(s)) << s.error_message();
      } else {
        EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
        EXPECT_NE(s.error_message().find(std::string("needs role ") +
                                         std::string(RoleName(rule->role))),
                  std::string::npos)
            << s.error_message();
      }
    }
  }
}

TEST_F(AuthMatrixTest, ReflectionNeedsAToken) {
  const std::string method =
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
  ASSERT_NE(FindMethodRule(method), nullptr);
  Counter& cancelled = Metrics().grpc_handled.With(
      {"bidi_stream", "grpc.reflection.v1alpha.ServerReflection",
       "ServerReflectionInfo", "Canceled"});
  const double cancelled_before = cancelled.Value();
  EXPECT_EQ(Call(method, "").error_code(), grpc::StatusCode::CANCELLED);
  // The refusal sent no status; it is counted once the server lets go of
  // the call, which may be after the client has seen it end.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (cancelled.Value() == cancelled_before && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(cancelled.Value(), cancelled_before + 1);
  // With a token the call goes through (the empty request is answered).
  grpc::Status viewer = Call(method, "Bearer " + secrets_[Role::kViewer]);
  EXPECT_NE(viewer.error_code(), grpc::StatusCode::CANCELLED)
      << viewer.error_message();
}

TEST_F(AuthMatrixTest, RefusalsAndFailedMutationsAreAudited) {
  Call("/codex_manager.v1.SessionService/CreateSession", "");
  Call("/codex_manager.v1.AuthService/CreateToken",
       "Bearer " + secrets_[Role::kOperator]);
  Call("/codex_manager.v1.SessionService/CreateSession",
       "Bearer " + secrets_[Role::kOperator]);  // INVALID_ARGUMENT: no cwd
  Call("/codex_manager.v1.SessionService/GetSession",
       "Bearer " + secrets_[Role::kViewer]);  // a read: not audited
  auto page = store_->ListAudit({}, {0, 100});
  ASSERT_TRUE(page.ok());
  std::vector<std::pair<std::string, int>> seen;
  for (const AuditRecord& r : page->items) {
    if (r.caller.method.empty()) continue;  // the fixture's own tokens
    seen.emplace_back(r.caller.method, r.code);
  }
  std::vector<std::pair<std::string, int>> want = {
      {"/codex_manager.v1.SessionService/CreateSession", 3},
      {"/codex_manager.v1.AuthService/CreateToken", 7},
      {"/codex_manager.v1.SessionService/CreateSession", 16},
  };
  EXPECT_EQ(seen, want);
  EXPECT_EQ(page->items[0].caller.token_name, "operator");
  EXPECT_FALSE(page->items[0].caller.peer.empty());
  EXPECT_FALSE(page->items[0].caller.request_id.empty());
}

// A client's 100 KB id is refused as malformed (api/id_fields.h), naming
// the field and not quoting it, and goes to the audit log cut
// (api/status.h): whole, the audit row held it twice.
TEST_F(AuthMatrixTest, AnIdTooLongToBeOneIsInvalidAndAuditedCut) {
  auto stub = v1::TurnService::NewStub(channel_);
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + secrets_[Role::kOperator]);
  v1::StartTurnRequest request;
  request.set_session_id(std::string(100000, 'x'));
  request.set_prompt("hi");
  v1::Turn turn;
  const grpc::Status status = stub->StartTurn(&context, request, &turn);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << status.error_message().substr(0, 200);
  EXPECT_EQ(status.error_message(),
            "session_id: at most 256 bytes, got 100000");
  auto page = store_->ListAudit({}, {0, 100});
  ASSERT_TRUE(page.ok());
  auto it = std::find_if(
      page->items.begin(), page->items.end(), [](const AuditRecord& r) {
        return r.caller.method == "/codex_manager.v1.TurnService/StartTurn";
      });
  ASSERT_NE(it, page->items.end());
  const AuditRecord& record = *it;
  EXPECT_EQ(record.code, 3);
  EXPECT_LE(record.resource_id.size(), kMaxEchoedIdBytes + 3);
  EXPECT_EQ(record.message, "session_id: at most 256 bytes, got 100000");
}

// An open stream gets no event once its token is revoked or has expired:
// it ends UNAUTHENTICATED, when the guard's once-a-second pass wakes it or
// at the latest before its next event; another token's goes on.
TEST_F(AuthMatrixTest, StreamsEndWhenTheirTokenIsRevokedOrExpires) {
  auto later =
      *tokens_->Create("later", Role::kViewer, absl::ZeroDuration(), Caller());
  auto soon =
      *tokens_->Create("soon", Role::kViewer, absl::Seconds(1), Caller());
  auto stub = v1::StreamService::NewStub(channel_);
  struct Follower {
    grpc::ClientContext context;
    std::unique_ptr<grpc::ClientReader<v1::Event>> reader;
  };
  auto follow = [&](const std::string& secret) {
    auto f = std::make_unique<Follower>();
    f->context.AddMetadata("authorization", "Bearer " + secret);
    f->context.set_deadline(std::chrono::system_clock::now() +
                            std::chrono::seconds(20));
    f->reader = stub->StreamEvents(&f->context, v1::StreamEventsRequest());
    return f;
  };
  auto ended = [](Follower& f, const std::string& why) {
    v1::Event event;
    EXPECT_FALSE(f.reader->Read(&event));
    grpc::Status status = f.reader->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_NE(status.error_message().find(why), std::string::npos)
        << status.error_message();
  };
  auto revoked = follow(later.secret);
  auto expiring = follow(soon.secret);
  auto kept = follow(secrets_[Role::kAdmin]);
  v1::Event event;
  log_->Append("ses_a", EventType::kRaw, "", nlohmann::json::object());
  for (Follower* f : {revoked.get(), expiring.get(), kept.get()}) {
    ASSERT_TRUE(f->reader->Read(&event));
    EXPECT_EQ(event.session_seq(), 1);
  }

  // Idle: the guard's pass ends it, with no event to come.
  ASSERT_TRUE(tokens_->Revoke(later.token.token_id, Caller()).ok());
  guard_->WakeStreamsOfGoneTokens();
  ended(*revoked, "was revoked");

  // Expired meanwhile: its next event is not sent.
  absl::SleepFor(absl::Milliseconds(1100));
  log_->Append("ses_a", EventType::kRaw, "", nlohmann::json::object());
  ASSERT_TRUE(kept->reader->Read(&event));
  EXPECT_EQ(event.session_seq(), 2);
  ended(*expiring, "has expired");
  kept->context.TryCancel();
}

// A token revoked between a call's admission and its stream slot: the
// slot's first check says so.
TEST_F(AuthMatrixTest, ASlotTakenAfterTheRevocationKnowsIt) {
  auto token =
      *tokens_->Create("late", Role::kViewer, absl::ZeroDuration(), Caller());
  Caller caller;
  caller.token_id = token.token.token_id;
  caller.token_name = "late";
  caller.role = Role::kViewer;
  ASSERT_TRUE(tokens_->Revoke(token.token.token_id, Caller()).ok());
  auto slot = guard_->AcquireStream(caller);
  ASSERT_TRUE(slot.ok()) << slot.status();
  EXPECT_EQ((*slot)->Check().code(), absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace codex_manager
