// The trust boundary's parts on their own: token lifecycle (creation,
// expiry, revocation, the admin token file), the rate limiter, admission
// of cwd and sandbox, and the rule table.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "auth/admission.h"
#include "auth/method_rules.h"
#include "auth/rate_limiter.h"
#include "auth/refusal_sampler.h"
#include "auth/secrets.h"
#include "auth/token_registry.h"
#include "gtest/gtest.h"
#include "store/sqlite_store.h"

namespace codex_manager {
namespace {

namespace fs = std::filesystem;

class FakeClock : public Clock {
 public:
  absl::Time Now() override { return now; }
  absl::Time now = absl::FromUnixSeconds(1800000000);
};

const Caller kAdmin = {
    "tok_admin",        "admin", Role::kAdmin,
    "ipv4:127.0.0.1:1", "req_1", "/codex_manager.v1.AuthService/CreateToken",
    std::nullopt,       ""};

class TokenRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*SqliteStore::Open(":memory:"));
    tokens_ = std::make_unique<TokenRegistry>(store_.get(), &clock_);
  }
  FakeClock clock_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<TokenRegistry> tokens_;
};

TEST(SecretsTest, SecretsAreRandomPrefixedAndHashed) {
  std::string a = *NewTokenSecret(), b = *NewTokenSecret();
  EXPECT_NE(a, b);
  EXPECT_TRUE(absl::StartsWith(a, "cmt_"));
  EXPECT_EQ(a.size(), 4u + 43u);  // 32 bytes, unpadded base64url
  EXPECT_EQ(a.find_first_of("+/="), std::string::npos);
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(ConstantTimeEquals("same", "same"));
  EXPECT_FALSE(ConstantTimeEquals("same", "sane"));
  EXPECT_FALSE(ConstantTimeEquals("same", "samey"));
}

TEST(SecretsTest, Sha256InPiecesIsTheSha256OfTheWhole) {
  Sha256 hash;
  hash.Update("a");
  hash.Update("");
  hash.Update("bc");
  EXPECT_EQ(hash.HexDigest(), Sha256Hex("abc"));
  Sha256 empty;
  EXPECT_EQ(empty.HexDigest(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_F(TokenRegistryTest, CreateAuthenticateExpireRevoke) {
  auto created = tokens_->Create("ci", Role::kOperator, absl::Hours(1), kAdmin);
  ASSERT_TRUE(created.ok()) << created.status();
  // Only the hash is stored.
  TokenRecord stored = *store_->GetToken(created->token.token_id);
  EXPECT_EQ(stored.secret_sha256, Sha256Hex(created->secret));
  EXPECT_EQ(stored.secret_sha256.find(created->secret), std::string::npos);

  auto who = tokens_->Authenticate("Bearer " + created->secret);
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->name, "ci");
  EXPECT_EQ(who->role, Role::kOperator);
  EXPECT_TRUE(store_->GetToken(who->token_id)->last_used_time.has_value());
  EXPECT_TRUE(tokens_->Authenticate("bearer " + created->secret).ok());

  // Every failure reads the same.
  const std::string message(
      tokens_->Authenticate("Bearer cmt_nope").status().message());
  for (const std::string& bad :
       {std::string(""), std::string("Bearer"), std::string("Basic xyz"),
        std::string("Bearer ") + created->secret + "x"}) {
    absl::Status s = tokens_->Authenticate(bad).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated) << bad;
    EXPECT_EQ(s.message(), message);
  }

  clock_.now += absl::Hours(1);  // expired
  EXPECT_EQ(tokens_->Authenticate("Bearer " + created->secret).status().code(),
            absl::StatusCode::kUnauthenticated);
  clock_.now -= absl::Minutes(30);
  ASSERT_TRUE(tokens_->Authenticate("Bearer " + created->secret).ok());
  ASSERT_TRUE(tokens_->Revoke(created->token.token_id, kAdmin).ok());
  // At once, though the token was just read into the cache.
  EXPECT_EQ(tokens_->Authenticate("Bearer " + created->secret).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(tokens_->Revoke("tok_missing", kAdmin).status().code(),
            absl::StatusCode::kNotFound);

  // Every change has its audit record.
  auto audit = store_->ListAudit({}, {0, 100});
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->items.size(), 2u);
  EXPECT_EQ(audit->items[0].resource_id, created->token.token_id);  // revoke
  EXPECT_EQ(audit->items[0].caller.token_id, "tok_admin");
}

TEST_F(TokenRegistryTest, RevocationByAnotherProcessTakesEffectWithinASecond) {
  auto created = *tokens_->Create("x", Role::kViewer, absl::ZeroDuration(),
                                  kAdmin);
  ASSERT_TRUE(tokens_->Authenticate("Bearer " + created.secret).ok());
  TokenRecord t = created.token;
  t.revoke_time = clock_.now;
  WriteBatch batch;
  batch.tokens.push_back(t);
  ASSERT_TRUE(store_->Write(batch).ok());  // behind the registry's back
  clock_.now += absl::Seconds(1);
  EXPECT_EQ(tokens_->Authenticate("Bearer " + created.secret).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(TokenRegistryTest, BadCreateArguments) {
  EXPECT_EQ(tokens_->Create("", Role::kViewer, absl::ZeroDuration(), kAdmin)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(
      tokens_->Create("n", Role::kUnspecified, absl::ZeroDuration(), kAdmin)
          .status()
          .message(),
      "role"));
  EXPECT_TRUE(absl::StrContains(
      tokens_->Create("n", Role::kViewer, absl::Seconds(-1), kAdmin)
          .status()
          .message(),
      "ttl"));
}

TEST_F(TokenRegistryTest, AdminTokenFileIsWrittenOnceAndRotated) {
  const fs::path dir = fs::path(::testing::TempDir()) / "admin-token-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "admin.token").string();
  bool wrote = false;
  ASSERT_TRUE(tokens_->EnsureAdminTokenFile(path, false, &wrote).ok());
  EXPECT_TRUE(wrote);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::string first;
  std::getline(std::ifstream(path), first);
  auto who = tokens_->Authenticate("Bearer " + first);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->role, Role::kAdmin);
  EXPECT_TRUE(who->bootstrap);

  ASSERT_TRUE(tokens_->EnsureAdminTokenFile(path, false, &wrote).ok());
  EXPECT_FALSE(wrote);  // a later start leaves it alone
  ASSERT_TRUE(tokens_->EnsureAdminTokenFile(path, true, &wrote).ok());
  EXPECT_TRUE(wrote);
  std::string second;
  std::getline(std::ifstream(path), second);
  EXPECT_NE(first, second);
  EXPECT_FALSE(tokens_->Authenticate("Bearer " + first).ok());
  EXPECT_TRUE(tokens_->Authenticate("Bearer " + second).ok());
  fs::remove_all(dir);
}

TEST(RateLimiterTest, BurstThenRate) {
  FakeClock clock;
  RateLimiter limiter(&clock, /*rate=*/2, /*burst=*/3);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.Take("a").has_value());
  std::optional<absl::Duration> wait = limiter.Take("a");
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, absl::Milliseconds(500));
  EXPECT_FALSE(limiter.Take("b").has_value());  // per key
  clock.now += absl::Milliseconds(500);
  EXPECT_FALSE(limiter.Take("a").has_value());
  EXPECT_TRUE(limiter.Take("a").has_value());
}

// A refused call's record, as Guard makes it.
AuditRecord Refusal(const std::string& peer, const std::string& token_id,
                    absl::Time time, const std::string& message) {
  AuditRecord r;
  r.time = time;
  r.caller.peer = peer;
  r.caller.token_id = token_id;
  r.caller.request_id = "req_" + message;
  r.caller.method = "/codex_manager.v1.SessionService/ListSessions";
  r.code = 16;
  r.message = message;
  return r;
}

TEST(RefusalSamplerTest, SourcesAreTokensElseAddressesWithoutPort) {
  Caller c;
  c.peer = "ipv4:10.0.0.7:50312";
  EXPECT_EQ(RefusalSampler::SourceOf(c), "ipv4:10.0.0.7");
  c.peer = "ipv6:[::1]:443";
  EXPECT_EQ(RefusalSampler::SourceOf(c), "ipv6:[::1]");
  c.peer = "unix:/run/cm.sock";
  EXPECT_EQ(RefusalSampler::SourceOf(c), "unix:/run/cm.sock");
  // Through a trusted proxy: the proxy's address, not the one it forwarded
  // (which a caller on a trusted address could make up, call after call).
  c.peer = "ipv6:[2001:db8::7] via ipv4:127.0.0.1:40022";
  EXPECT_EQ(RefusalSampler::SourceOf(c), "ipv4:127.0.0.1");
  c.token_id = "tok_1";
  EXPECT_EQ(RefusalSampler::SourceOf(c), "tok_1");
}

TEST(RefusalSamplerTest, BurstThenRateAndEveryCountedRefusalIsSummarized) {
  FakeClock clock;
  RefusalSamplerOptions options;
  options.rate = 0.5;
  options.burst = 3;
  options.summary_after = absl::Seconds(10);
  RefusalSampler sampler(&clock, options);
  const absl::Time start = clock.now;
  int recorded = 0;
  // 100 refusals from one address (two ports) within a second: the burst
  // is recorded, the rest counted.
  for (int i = 0; i < 100; ++i) {
    const std::string peer = i % 2 ? "ipv4:10.0.0.7:1" : "ipv4:10.0.0.7:2";
    recorded += sampler.Admit(Refusal(peer, "", clock.now, absl::StrCat(i)));
    clock.now += absl::Milliseconds(5);
  }
  EXPECT_EQ(recorded, 3);
  // Another source has a bucket of its own.
  EXPECT_TRUE(sampler.Admit(Refusal("ipv4:10.0.0.8:1", "", clock.now, "x")));
  // Not due until the first counted one (at 15 ms) is 10 s old.
  EXPECT_TRUE(sampler.TakeSummaries(false).empty());
  clock.now = start + absl::Seconds(11);
  std::vector<AuditRecord> summaries = sampler.TakeSummaries(false);
  ASSERT_EQ(summaries.size(), 1u);
  const AuditRecord& s = summaries[0];
  EXPECT_EQ(s.time, clock.now);
  EXPECT_EQ(s.code, 16);
  EXPECT_EQ(s.caller.method, "/codex_manager.v1.SessionService/ListSessions");
  EXPECT_TRUE(s.caller.request_id.empty());
  EXPECT_TRUE(
      absl::StartsWith(s.message,
                       "97 refusals from ipv4:10.0.0.7 between "
                       "2027-01-15T08:00:00.015Z and 2027-01-15T08:00:00.495Z "
                       "counted"))
      << s.message;
  EXPECT_TRUE(absl::EndsWith(s.message, "the last: 99")) << s.message;
  EXPECT_TRUE(sampler.TakeSummaries(true).empty());  // each counted once

  // After 11 s the bucket has refilled (to its 3): then one each 2 s.
  EXPECT_TRUE(sampler.Admit(Refusal("ipv4:10.0.0.7:3", "", clock.now, "a")));
  EXPECT_TRUE(sampler.Admit(Refusal("ipv4:10.0.0.7:3", "", clock.now, "b")));
  EXPECT_TRUE(sampler.Admit(Refusal("ipv4:10.0.0.7:3", "", clock.now, "c")));
  EXPECT_FALSE(sampler.Admit(Refusal("ipv4:10.0.0.7:3", "", clock.now, "d")));
  clock.now += absl::Seconds(2);
  EXPECT_TRUE(sampler.Admit(Refusal("ipv4:10.0.0.7:3", "", clock.now, "e")));
  // At shutdown every count is written, due or not.
  summaries = sampler.TakeSummaries(true);
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_TRUE(absl::StartsWith(summaries[0].message, "1 refusal from "))
      << summaries[0].message;
}

TEST(RefusalSamplerTest, ManySourcesShareOneBucketPastTheCap) {
  FakeClock clock;
  RefusalSamplerOptions options;
  options.rate = 1;
  options.burst = 1;
  options.max_sources = 2;
  RefusalSampler sampler(&clock, options);
  EXPECT_TRUE(sampler.Admit(Refusal("ipv4:10.0.0.1:1", "", clock.now, "")));
  EXPECT_TRUE(sampler.Admit(Refusal("ipv4:10.0.0.2:1", "", clock.now, "")));
  // The third and fourth addresses share "other".
  EXPECT_TRUE(sampler.Admit(Refusal("ipv4:10.0.0.3:1", "", clock.now, "")));
  EXPECT_FALSE(sampler.Admit(Refusal("ipv4:10.0.0.4:1", "", clock.now, "")));
  std::vector<AuditRecord> summaries = sampler.TakeSummaries(true);
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_TRUE(absl::StartsWith(summaries[0].message, "1 refusal from other "))
      << summaries[0].message;
  // Idle sources are forgotten once their buckets are full again, so the
  // table does not keep every address that ever called.
  clock.now += absl::Seconds(2);
  EXPECT_TRUE(sampler.TakeSummaries(false).empty());
  EXPECT_TRUE(sampler.Admit(Refusal("ipv4:10.0.0.5:1", "", clock.now, "")));
  EXPECT_TRUE(sampler.Admit(Refusal("ipv4:10.0.0.6:1", "", clock.now, "")));
}

TEST(RefusalSamplerTest, RateZeroRecordsEveryRefusal) {
  FakeClock clock;
  RefusalSamplerOptions options;
  options.rate = 0;
  RefusalSampler sampler(&clock, options);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(sampler.Admit(Refusal("ipv4:10.0.0.1:1", "", clock.now, "")));
  }
  EXPECT_TRUE(sampler.TakeSummaries(true).empty());
}

TEST(AdmissionTest, CwdMustResolveInsideARoot) {
  const fs::path base = fs::path(::testing::TempDir()) / "admission-test";
  fs::remove_all(base);
  fs::create_directories(base / "root" / "project");
  fs::create_directories(base / "outside");
  fs::create_directory_symlink(base / "outside", base / "root" / "escape");
  fs::create_directory_symlink(base / "root" / "project", base / "link-in");
  AdmissionOptions options;
  options.allowed_roots = {(base / "root").string()};
  absl::StatusOr<Admission> admission = Admission::Create(options);
  ASSERT_TRUE(admission.ok()) << admission.status();

  EXPECT_EQ(*admission->AdmitCwd((base / "root" / "project").string()),
            fs::canonical(base / "root" / "project").string());
  // A symlink into a root resolves inside it; one out of a root does not.
  EXPECT_TRUE(admission->AdmitCwd((base / "link-in").string()).ok());
  absl::Status escape =
      admission->AdmitCwd((base / "root" / "escape").string()).status();
  EXPECT_EQ(escape.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(escape.message(), "escape"));
  EXPECT_EQ(admission->AdmitCwd("/").status().code(),
            absl::StatusCode::kPermissionDenied);
  // A sibling whose name starts like the root is not inside it.
  fs::create_directories(base / "rootless");
  EXPECT_EQ(admission->AdmitCwd((base / "rootless").string()).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(admission->AdmitCwd("relative").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(admission->AdmitCwd((base / "missing").string()).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.allowed_roots = {(base / "missing").string()};
  EXPECT_FALSE(Admission::Create(options).ok());
  fs::remove_all(base);
}

TEST(AdmissionTest, SandboxCeilingAndAdminOnlyFullAccess) {
  AdmissionOptions options;
  options.max_sandbox = "workspace-write";
  Admission ws = *Admission::Create(options);
  EXPECT_TRUE(ws.AdmitSandbox("", Role::kOperator).ok());
  EXPECT_TRUE(ws.AdmitSandbox("workspace-write", Role::kOperator).ok());
  EXPECT_EQ(ws.AdmitSandbox("danger-full-access", Role::kAdmin).code(),
            absl::StatusCode::kPermissionDenied);
  options.max_sandbox = "danger-full-access";
  Admission full = *Admission::Create(options);
  EXPECT_EQ(full.AdmitSandbox("danger-full-access", Role::kOperator).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(full.AdmitSandbox("danger-full-access", Role::kAdmin).ok());
  options.max_sandbox = "read-only";
  EXPECT_EQ(Admission::Create(options)->AdmitSandbox("workspace-write",
                                                     Role::kAdmin)
                .code(),
            absl::StatusCode::kPermissionDenied);
  options.max_sandbox = "bogus";
  EXPECT_FALSE(Admission::Create(options).ok());
}

TEST(AdmissionTest, AStoredSessionIsAdmittedAgainUnderTodaysFlags) {
  const fs::path base = fs::path(::testing::TempDir()) / "readmission-test";
  fs::remove_all(base);
  fs::create_directories(base / "root" / "app");
  fs::create_directories(base / "elsewhere");
  AdmissionOptions options;
  options.allowed_roots = {(base / "root").string()};
  const Admission admission = *Admission::Create(options);
  Session inside;
  inside.session_id = "ses_in";
  inside.cwd = (base / "root" / "app").string();
  inside.sandbox = "danger-full-access";  // set when the server allowed it
  EXPECT_TRUE(admission.AdmitStored(inside, std::nullopt).ok());
  absl::Status sandbox = admission.AdmitStored(inside, Role::kAdmin);
  EXPECT_EQ(sandbox.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(
      absl::StrContains(sandbox.message(), "session ses_in: its sandbox"))
      << sandbox;
  EXPECT_TRUE(absl::StrContains(sandbox.message(), "--max-sandbox")) << sandbox;
  inside.sandbox = "workspace-write";
  EXPECT_TRUE(admission.AdmitStored(inside, Role::kAdmin).ok());

  Session outside = inside;
  outside.session_id = "ses_out";
  outside.cwd = (base / "elsewhere").string();
  absl::Status out = admission.AdmitStored(outside, std::nullopt);
  EXPECT_EQ(out.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(absl::StrContains(out.message(), "session ses_out: its cwd"))
      << out;
  EXPECT_TRUE(absl::StrContains(out.message(), "--allowed-root")) << out;

  Session gone = inside;
  gone.cwd = (base / "root" / "gone").string();
  EXPECT_EQ(admission.AdmitStored(gone, std::nullopt).code(),
            absl::StatusCode::kFailedPrecondition);
  fs::remove_all(base);
}

TEST(AdmissionTest, OnlyAnAdminDrivesTheAgentUnsandboxed) {
  const fs::path base = fs::path(::testing::TempDir()) / "driver-test";
  fs::remove_all(base);
  fs::create_directories(base / "app");
  AdmissionOptions options;
  options.max_sandbox = "danger-full-access";
  const Admission admission = *Admission::Create(options);
  Session full;
  full.session_id = "ses_full";
  full.cwd = (base / "app").string();
  full.sandbox = "danger-full-access";  // an admin created it
  EXPECT_TRUE(admission.AdmitStored(full, Role::kAdmin).ok());
  // Reading its folder is not running the agent.
  EXPECT_TRUE(admission.AdmitStored(full, std::nullopt).ok());
  absl::Status op = admission.AdmitStored(full, Role::kOperator);
  EXPECT_EQ(op.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(
      absl::StrContains(op.message(),
                        "session ses_full: its sandbox \"danger-full-access\" "
                        "needs role admin"))
      << op;
  // A turn that asks for a narrower sandbox runs in it.
  EXPECT_TRUE(
      admission.AdmitStored(full, Role::kOperator, "workspace-write").ok());
  // And a narrower session's turn may not ask for it.
  Session narrow = full;
  narrow.sandbox = "workspace-write";
  EXPECT_TRUE(admission.AdmitStored(narrow, Role::kOperator).ok());
  EXPECT_EQ(admission.AdmitStored(narrow, Role::kOperator, "danger-full-access")
                .code(),
            absl::StatusCode::kPermissionDenied);
  // A session that leaves its sandbox to Codex's configuration runs in the
  // one Codex reported.
  Session by_config = full;
  by_config.sandbox = "";
  by_config.codex_settings.sandbox = "danger-full-access";
  EXPECT_EQ(admission.AdmitStored(by_config, Role::kOperator).code(),
            absl::StatusCode::kPermissionDenied);
  by_config.codex_settings.sandbox = "workspace-write";
  EXPECT_TRUE(admission.AdmitStored(by_config, Role::kOperator).ok());
  fs::remove_all(base);
}

TEST(MethodRulesTest, UnknownMethodsHaveNoRule) {
  EXPECT_EQ(FindMethodRule("/codex_manager.v1.SessionService/Nope"), nullptr);
  EXPECT_EQ(FindMethodRule(""), nullptr);
  EXPECT_NE(RoleTableMarkdown().find("CreateToken` | admin | yes"),
            std::string::npos);
}

}  // namespace
}  // namespace codex_manager
