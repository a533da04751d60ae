#include "api/codex_service.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "api/serve.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/utf8.h"
#include "core/request_validation.h"

namespace codex_manager {
namespace {

constexpr int kDefaultThreadPage = 25;
constexpr int kMaxThreadPage = 100;
constexpr size_t kMaxCursorBytes = 1024;
constexpr size_t kMaxSearchBytes = 1024;
// Hooks trusted by one call.
constexpr int kMaxTrustedAtOnce = 100;

// An optional folder of a request: empty, or an absolute path of at most
// PATH_MAX bytes; INVALID_ARGUMENT naming `cwd` otherwise.
absl::Status CheckCwd(const std::string& cwd) {
  if (!cwd.empty() && cwd.front() != '/') {
    return absl::InvalidArgumentError(absl::StrCat(
        "cwd: \"", SafeText(cwd, 256), "\" is not an absolute path"));
  }
  if (cwd.size() > kMaxHookPathBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("cwd: over ", kMaxHookPathBytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::StatusOr<CodexThreadQuery> ThreadQueryOf(
    const v1::ListCodexThreadsRequest& r) {
  CodexThreadQuery q;
  if (r.page_size() < 0 || r.page_size() > kMaxThreadPage) {
    return absl::InvalidArgumentError(absl::StrCat(
        "page_size: ", r.page_size(), " is not in 0..", kMaxThreadPage));
  }
  q.limit = r.page_size() == 0 ? kDefaultThreadPage : r.page_size();
  if (r.page_token().size() > kMaxCursorBytes) {
    return absl::InvalidArgumentError("page_token: not one this server gave");
  }
  q.cursor = r.page_token();
  RETURN_IF_ERROR(CheckCwd(r.cwd()));
  q.cwd = r.cwd();
  if (r.search().size() > kMaxSearchBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("search: over ", kMaxSearchBytes, " bytes"));
  }
  q.search = r.search();
  return q;
}

// "sha256:" and 64 lowercase hex digits, as Codex writes a hook's hash.
bool IsHookHash(const std::string& hash) {
  constexpr absl::string_view kPrefix = "sha256:";
  if (hash.size() != kPrefix.size() + 64 || !absl::StartsWith(hash, kPrefix)) {
    return false;
  }
  for (char c : absl::string_view(hash).substr(kPrefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// The hooks a TrustCodexHooks request names, or INVALID_ARGUMENT naming
// the field.
absl::StatusOr<std::vector<CodexCatalog::HookTrust>> HookTrustsOf(
    const v1::TrustCodexHooksRequest& r) {
  RETURN_IF_ERROR(CheckCwd(r.cwd()));
  if (r.hooks_size() == 0 || r.hooks_size() > kMaxTrustedAtOnce) {
    return absl::InvalidArgumentError(absl::StrCat(
        "hooks: ", r.hooks_size(), " given; name 1 to ", kMaxTrustedAtOnce));
  }
  std::vector<CodexCatalog::HookTrust> out;
  for (int i = 0; i < r.hooks_size(); ++i) {
    const v1::HookTrust& h = r.hooks(i);
    if (h.key().empty() || h.key().size() > kMaxHookPathBytes ||
        ToValidUtf8(h.key()) != h.key()) {
      return absl::InvalidArgumentError(
          absl::StrCat("hooks[", i, "].key: required, at most ",
                       kMaxHookPathBytes, " bytes of UTF-8"));
    }
    if (!IsHookHash(h.current_hash())) {
      return absl::InvalidArgumentError(
          absl::StrCat("hooks[", i,
                       "].current_hash: not \"sha256:\" and 64 lowercase hex "
                       "digits (CodexHook.current_hash)"));
    }
    out.push_back({h.key(), h.current_hash()});
  }
  return out;
}

// The resource a trust is audited against: the keys, bounded.
std::string TrustResource(const v1::TrustCodexHooksRequest& r) {
  std::vector<std::string> keys;
  for (const v1::HookTrust& h : r.hooks()) keys.push_back(h.key());
  return SafeText(absl::StrJoin(keys, " "), 512);
}

// What SetCodexFeature writes: true, false, or nullopt (the line
// removed); INVALID_ARGUMENT naming the field.
absl::StatusOr<std::optional<bool>> FeatureValueOf(
    const v1::SetCodexFeatureRequest& r) {
  if (!IsFeatureName(r.name())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "name: \"", SafeText(r.name(), 140),
        "\" is not a feature name (1 to ", kMaxFeatureNameBytes,
        " letters, digits, \"_\", \".\", \"-\"; see ListCodexFeatures)"));
  }
  switch (r.setting()) {
    case v1::CODEX_FEATURE_SETTING_ENABLED:
      return std::optional<bool>(true);
    case v1::CODEX_FEATURE_SETTING_DISABLED:
      return std::optional<bool>(false);
    case v1::CODEX_FEATURE_SETTING_DEFAULT:
      return std::optional<bool>();
    default:
      return absl::InvalidArgumentError(
          "setting: required: ENABLED, DISABLED or DEFAULT");
  }
}

}  // namespace

grpc::ServerUnaryReactor* CodexServiceImpl::ListModels(
    grpc::CallbackServerContext* context, const v1::ListModelsRequest* request,
    v1::ListModelsResponse* response) {
  static const std::string kMethod = FullMethod<v1::CodexService>("ListModels");
  const bool include_hidden = request->include_hidden();
  const std::string model_provider = request->model_provider();
  return ServeLater<v1::ListModelsResponse>(
      guard_, context, kMethod, *request, "", response,
      [=, this](const Caller&, auto finish) {
        if (absl::Status valid = ValidateModelProvider(model_provider);
            !valid.ok()) {
          return finish(valid);
        }
        catalog_->ListModels(
            include_hidden, model_provider,
            [finish](absl::StatusOr<std::vector<CodexModel>> models) {
              if (!models.ok()) return finish(models.status());
              v1::ListModelsResponse out;
              for (const CodexModel& m : *models) ToProto(m, out.add_models());
              finish(std::move(out));
            });
      });
}

grpc::ServerUnaryReactor* CodexServiceImpl::ListModelProviders(
    grpc::CallbackServerContext* context,
    const v1::ListModelProvidersRequest* request,
    v1::ListModelProvidersResponse* response) {
  static const std::string kMethod =
      FullMethod<v1::CodexService>("ListModelProviders");
  return ServeLater<v1::ListModelProvidersResponse>(
      guard_, context, kMethod, *request, "", response,
      [=, this](const Caller&, auto finish) {
        catalog_->ListModelProviders(
            [finish](absl::StatusOr<std::vector<CodexModelProvider>> list) {
              if (!list.ok()) return finish(list.status());
              v1::ListModelProvidersResponse out;
              for (const CodexModelProvider& p : *list) {
                ToProto(p, out.add_providers());
              }
              finish(std::move(out));
            });
      });
}

grpc::ServerUnaryReactor* CodexServiceImpl::GetAccount(
    grpc::CallbackServerContext* context, const v1::GetAccountRequest* request,
    v1::Account* response) {
  static const std::string kMethod = FullMethod<v1::CodexService>("GetAccount");
  return ServeLater<CodexAccount>(guard_, context, kMethod, *request, "",
                                  response,
                                  [=, this](const Caller&, auto finish) {
                                    catalog_->GetAccount(std::move(finish));
                                  });
}

grpc::ServerUnaryReactor* CodexServiceImpl::ListCodexThreads(
    grpc::CallbackServerContext* context,
    const v1::ListCodexThreadsRequest* request,
    v1::ListCodexThreadsResponse* response) {
  static const std::string kMethod =
      FullMethod<v1::CodexService>("ListCodexThreads");
  absl::StatusOr<CodexThreadQuery> query = ThreadQueryOf(*request);
  return ServeLater<v1::ListCodexThreadsResponse>(
      guard_, context, kMethod, *request, "", response,
      [=, this](const Caller&, auto finish) {
        if (!query.ok()) return finish(query.status());
        Store* store = store_;
        catalog_->ListThreads(
            *std::move(query),
            [finish, store](absl::StatusOr<CodexThreadPage> page) {
              if (!page.ok()) return finish(page.status());
              v1::ListCodexThreadsResponse out;
              for (const CodexThread& t : page->threads) {
                v1::CodexThread* thread = out.add_threads();
                ToProto(t, thread);
                // Runs on the catalog's thread: an indexed read.
                absl::StatusOr<std::vector<Session>> sessions =
                    store->SessionsOfThread(t.thread_id);
                if (sessions.ok() && !sessions->empty()) {
                  thread->set_session_id(sessions->front().session_id);
                }
              }
              out.set_next_page_token(page->next_cursor);
              finish(std::move(out));
            });
      });
}

grpc::ServerUnaryReactor* CodexServiceImpl::ListCodexHooks(
    grpc::CallbackServerContext* context,
    const v1::ListCodexHooksRequest* request,
    v1::ListCodexHooksResponse* response) {
  static const std::string kMethod =
      FullMethod<v1::CodexService>("ListCodexHooks");
  const std::string cwd = request->cwd();
  return ServeLater<CodexHookList>(
      guard_, context, kMethod, *request, "", response,
      [=, this](const Caller&, auto finish) {
        if (absl::Status ok = CheckCwd(cwd); !ok.ok()) return finish(ok);
        catalog_->ListHooks(cwd, std::move(finish));
      });
}

grpc::ServerUnaryReactor* CodexServiceImpl::TrustCodexHooks(
    grpc::CallbackServerContext* context,
    const v1::TrustCodexHooksRequest* request,
    v1::TrustCodexHooksResponse* response) {
  static const std::string kMethod =
      FullMethod<v1::CodexService>("TrustCodexHooks");
  absl::StatusOr<std::vector<CodexCatalog::HookTrust>> hooks =
      HookTrustsOf(*request);
  const std::string cwd = request->cwd();
  const std::string resource = TrustResource(*request);
  return ServeLater<v1::TrustCodexHooksResponse>(
      guard_, context, kMethod, *request, resource, response,
      [=, this](const Caller& caller, auto finish) {
        if (!hooks.ok()) return finish(hooks.status());
        catalog_->TrustHooks(cwd, *hooks,
                             [finish, self = this, caller,
                              resource](absl::StatusOr<CodexHookList> after) {
                               if (!after.ok()) return finish(after.status());
                               // Written to Codex's config.
                               self->AuditDone(caller, resource,
                                               "TrustCodexHooks");
                               v1::TrustCodexHooksResponse out;
                               for (const CodexHook& hook : after->hooks) {
                                 ToProto(hook, out.add_hooks());
                               }
                               finish(std::move(out));
                             });
      });
}

grpc::ServerUnaryReactor* CodexServiceImpl::ListCodexFeatures(
    grpc::CallbackServerContext* context,
    const v1::ListCodexFeaturesRequest* request,
    v1::ListCodexFeaturesResponse* response) {
  static const std::string kMethod =
      FullMethod<v1::CodexService>("ListCodexFeatures");
  const bool include_removed = request->include_removed();
  return ServeLater<v1::ListCodexFeaturesResponse>(
      guard_, context, kMethod, *request, "", response,
      [=, this](const Caller&, auto finish) {
        catalog_->ListFeatures(
            [finish, include_removed](
                absl::StatusOr<std::vector<CodexFeature>> features) {
              if (!features.ok()) return finish(features.status());
              v1::ListCodexFeaturesResponse out;
              for (const CodexFeature& f : *features) {
                if (f.stage == "removed" && !include_removed) continue;
                ToProto(f, out.add_features());
              }
              finish(std::move(out));
            });
      });
}

grpc::ServerUnaryReactor* CodexServiceImpl::SetCodexFeature(
    grpc::CallbackServerContext* context,
    const v1::SetCodexFeatureRequest* request,
    v1::SetCodexFeatureResponse* response) {
  static const std::string kMethod =
      FullMethod<v1::CodexService>("SetCodexFeature");
  absl::StatusOr<std::optional<bool>> value = FeatureValueOf(*request);
  const std::string name = request->name();
  // The feature and what it is set to, e.g. "memories=enabled".
  std::string resource = SafeText(name, 140);
  if (value.ok()) {
    absl::StrAppend(&resource, !value->has_value() ? "=default"
                               : **value           ? "=enabled"
                                                   : "=disabled");
  }
  return ServeLater<v1::SetCodexFeatureResponse>(
      guard_, context, kMethod, *request, resource, response,
      [=, this](const Caller& caller, auto finish) {
        if (!value.ok()) return finish(value.status());
        catalog_->SetFeature(
            name, *value,
            [finish, self = this, caller,
             resource](absl::StatusOr<CodexCatalog::FeatureChange> change) {
              if (!change.ok()) return finish(change.status());
              // Written to Codex's config.
              self->AuditDone(caller, resource, "SetCodexFeature");
              v1::SetCodexFeatureResponse out;
              ToProto(change->feature, out.mutable_feature());
              out.set_overridden(change->overridden);
              finish(std::move(out));
            });
      });
}

void CodexServiceImpl::AuditDone(const Caller& caller,
                                 const std::string& resource,
                                 const char* method) {
  if (absl::Status saved =
          store_->AppendAudit(AuditOk(caller, resource, absl::Now()));
      !saved.ok()) {
    Log(LogLevel::kError, "audit record not written",
        {{"method", method}, {"error", saved.ToString()}});
  }
}

grpc::ServerUnaryReactor* CodexServiceImpl::StartCodexLogin(
    grpc::CallbackServerContext* context,
    const v1::StartCodexLoginRequest* request, v1::CodexLogin* response) {
  static const std::string kMethod =
      FullMethod<v1::CodexService>("StartCodexLogin");
  const int method = request->method();
  // Copied once, into the call to Codex; never logged.
  std::string key = request->api_key();
  return ServeLater<CodexLogin>(
      guard_, context, kMethod, *request, "", response,
      [=, this, key = std::move(key)](const Caller& caller,
                                      auto finish) mutable {
        if (absl::Status ok = ValidateCodexLogin(method, key); !ok.ok()) {
          return finish(ok);
        }
        logins_->Start(
            static_cast<CodexLoginMethod>(method), std::move(key),
            [finish, self = this, caller](absl::StatusOr<CodexLogin> login) {
              if (login.ok()) {
                self->AuditDone(caller, login->login_id, "StartCodexLogin");
              }
              finish(std::move(login));
            });
      });
}

grpc::ServerUnaryReactor* CodexServiceImpl::GetCodexLogin(
    grpc::CallbackServerContext* context,
    const v1::GetCodexLoginRequest* request, v1::CodexLogin* response) {
  static const std::string kMethod =
      FullMethod<v1::CodexService>("GetCodexLogin");
  const std::string id = request->login_id();
  return ServeLater<CodexLogin>(
      guard_, context, kMethod, *request, id, response,
      [=, this](const Caller&, auto finish) { finish(logins_->Get(id)); });
}

grpc::ServerUnaryReactor* CodexServiceImpl::CancelCodexLogin(
    grpc::CallbackServerContext* context,
    const v1::CancelCodexLoginRequest* request, v1::CodexLogin* response) {
  static const std::string kMethod =
      FullMethod<v1::CodexService>("CancelCodexLogin");
  const std::string id = request->login_id();
  return ServeLater<CodexLogin>(guard_, context, kMethod, *request, id,
                                response,
                                [=, this](const Caller& caller, auto finish) {
                                  // Waits (seconds at most) for Codex to let go
                                  // of the login.
                                  absl::StatusOr<CodexLogin> login =
                                      logins_->Cancel(id);
                                  if (login.ok())
                                    AuditDone(caller, id, "CancelCodexLogin");
                                  finish(std::move(login));
                                });
}

grpc::ServerUnaryReactor* CodexServiceImpl::LogoutCodex(
    grpc::CallbackServerContext* context, const v1::LogoutCodexRequest* request,
    v1::LogoutCodexResponse* response) {
  static const std::string kMethod =
      FullMethod<v1::CodexService>("LogoutCodex");
  return ServeLater<v1::LogoutCodexResponse>(
      guard_, context, kMethod, *request, "", response,
      [=, this](const Caller& caller, auto finish) {
        logins_->Logout(
            [finish, self = this, caller](absl::StatusOr<bool> done) {
              if (!done.ok()) return finish(done.status());
              self->AuditDone(caller, "", "LogoutCodex");
              finish(v1::LogoutCodexResponse());
            });
      });
}

}  // namespace codex_manager
