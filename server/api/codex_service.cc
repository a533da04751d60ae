#include "api/codex_service.h"

#include <utility>

#include "api/serve.h"
#include "common/status_macros.h"

namespace codex_manager {
namespace {

constexpr int kDefaultThreadPage = 25;
constexpr int kMaxThreadPage = 100;
constexpr size_t kMaxCursorBytes = 1024;
constexpr size_t kMaxSearchBytes = 1024;

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
  if (!r.cwd().empty() && r.cwd().front() != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("cwd: \"", r.cwd(), "\" is not an absolute path"));
  }
  q.cwd = r.cwd();
  if (r.search().size() > kMaxSearchBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("search: over ", kMaxSearchBytes, " bytes"));
  }
  q.search = r.search();
  return q;
}

}  // namespace

grpc::ServerUnaryReactor* CodexServiceImpl::ListModels(
    grpc::CallbackServerContext* context, const v1::ListModelsRequest* request,
    v1::ListModelsResponse* response) {
  static const std::string kMethod = FullMethod<v1::CodexService>("ListModels");
  const bool include_hidden = request->include_hidden();
  return ServeLater<v1::ListModelsResponse>(
      guard_, context, kMethod, "", response,
      [=, this](const Caller&, auto finish) {
        catalog_->ListModels(
            include_hidden,
            [finish](absl::StatusOr<std::vector<CodexModel>> models) {
              if (!models.ok()) return finish(models.status());
              v1::ListModelsResponse out;
              for (const CodexModel& m : *models) ToProto(m, out.add_models());
              finish(std::move(out));
            });
      });
}

grpc::ServerUnaryReactor* CodexServiceImpl::GetAccount(
    grpc::CallbackServerContext* context, const v1::GetAccountRequest*,
    v1::Account* response) {
  static const std::string kMethod = FullMethod<v1::CodexService>("GetAccount");
  return ServeLater<CodexAccount>(guard_, context, kMethod, "", response,
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
      guard_, context, kMethod, "", response,
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

}  // namespace codex_manager
