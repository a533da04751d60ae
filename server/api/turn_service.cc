#include "api/turn_service.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "api/readmit.h"
#include "api/request_digest.h"
#include "api/serve.h"
#include "common/status_macros.h"

namespace codex_manager {
namespace {

// Largest uploaded image, in bytes.
constexpr size_t kMaxUploadBytes = 10 << 20;

absl::StatusOr<TurnSettings> TurnSettingsOf(const v1::StartTurnRequest& r) {
  TurnSettings s;
  s.model = r.model();
  s.effort = r.effort();
  s.service_tier = r.service_tier();
  s.summary = r.reasoning_summary();
  s.approval_policy = r.approval_policy();
  s.sandbox = r.sandbox();
  s.collaboration_mode = r.collaboration_mode();
  s.output_schema_json = r.output_schema_json();
  s.image_paths.assign(r.image_paths().begin(), r.image_paths().end());
  for (int i = 0; i < r.images_size(); ++i) {
    const v1::ImageUpload& image = r.images(i);
    const std::string& type = image.media_type();
    if (type != "image/png" && type != "image/jpeg" && type != "image/gif" &&
        type != "image/webp") {
      return absl::InvalidArgumentError(absl::StrCat(
          "images[", i, "].media_type: \"", type.substr(0, 40),
          "\" is not image/png, image/jpeg, image/gif or image/webp"));
    }
    if (image.data().empty() || image.data().size() > kMaxUploadBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "images[", i, "].data: 1 byte to ", kMaxUploadBytes >> 20, " MiB"));
    }
    s.image_urls.push_back(absl::StrCat("data:", type, ";base64,",
                                        absl::Base64Escape(image.data())));
  }
  return s;
}

// Longest review argument (branch, sha, title, instructions), in bytes.
constexpr size_t kMaxReviewTextBytes = 64 << 10;

absl::Status CheckReviewText(const char* field, const std::string& value,
                             bool required) {
  if (required && value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("target.", field,
                                                   ": required"));
  }
  if (value.size() > kMaxReviewTextBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "target.", field, ": over ", kMaxReviewTextBytes, " bytes"));
  }
  return absl::OkStatus();
}

// The Codex ReviewTarget of `target` and the prompt that describes it.
absl::StatusOr<std::pair<nlohmann::json, std::string>> ReviewTargetOf(
    const v1::ReviewTarget& target) {
  using json = nlohmann::json;
  switch (target.target_case()) {
    case v1::ReviewTarget::kUncommittedChanges:
      if (!target.uncommitted_changes()) {
        return absl::InvalidArgumentError(
            "target.uncommitted_changes: must be true when set");
      }
      return std::pair{json{{"type", "uncommittedChanges"}},
                       std::string("Review: uncommitted changes")};
    case v1::ReviewTarget::kBaseBranch:
      RETURN_IF_ERROR(CheckReviewText("base_branch", target.base_branch(), true));
      return std::pair{
          json{{"type", "baseBranch"}, {"branch", target.base_branch()}},
          absl::StrCat("Review: changes against ", target.base_branch())};
    case v1::ReviewTarget::kCommit: {
      RETURN_IF_ERROR(CheckReviewText("commit", target.commit(), true));
      RETURN_IF_ERROR(
          CheckReviewText("commit_title", target.commit_title(), false));
      json t = {{"type", "commit"}, {"sha", target.commit()}};
      if (!target.commit_title().empty()) t["title"] = target.commit_title();
      return std::pair{std::move(t),
                       absl::StrCat("Review: commit ", target.commit())};
    }
    case v1::ReviewTarget::kCustomInstructions:
      RETURN_IF_ERROR(CheckReviewText("custom_instructions",
                                      target.custom_instructions(), true));
      return std::pair{json{{"type", "custom"},
                            {"instructions", target.custom_instructions()}},
                       absl::StrCat("Review: ", target.custom_instructions())};
    case v1::ReviewTarget::TARGET_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError(
      "target: required (uncommitted_changes, base_branch, commit or "
      "custom_instructions)");
}

// Longest shell command (RunShellCommand), in bytes.
constexpr size_t kMaxShellCommandBytes = 64 << 10;

absl::Status CheckShellCommand(const std::string& command) {
  if (absl::StripAsciiWhitespace(command).empty()) {
    return absl::InvalidArgumentError("command: required");
  }
  if (command.size() > kMaxShellCommandBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "command: over ", kMaxShellCommandBytes, " bytes"));
  }
  if (command.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError("command: contains a NUL byte");
  }
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* TurnServiceImpl::StartTurn(
    grpc::CallbackServerContext* context, const v1::StartTurnRequest* request,
    v1::Turn* response) {
  static const std::string kMethod = FullMethod<v1::TurnService>("StartTurn");
  return Serve(guard_, context, kMethod, *request, request->session_id(),
               [=, this](const Caller& caller) -> absl::Status {
                 // A sandbox override is admitted as a session's is; the
                 // session again, as its runtime may start again.
                 RETURN_IF_ERROR(
                     admission_->AdmitSandbox(request->sandbox(), caller.role));
                 RETURN_IF_ERROR(Readmit(*manager_, *admission_,
                                         request->session_id(), caller.role,
                                         request->sandbox()));
                 ASSIGN_OR_RETURN(TurnSettings settings,
                                  TurnSettingsOf(*request));
                 return Fill(manager_->StartTurn(
                                 request->session_id(), request->prompt(),
                                 request->request_id(),
                                 WithRequestDigest(caller, *request,
                                                   request->request_id()),
                                 settings),
                             response);
               });
}


grpc::ServerUnaryReactor* TurnServiceImpl::StartReview(
    grpc::CallbackServerContext* context, const v1::StartReviewRequest* request,
    v1::Turn* response) {
  static const std::string kMethod = FullMethod<v1::TurnService>("StartReview");
  return Serve(guard_, context, kMethod, *request, request->session_id(),
               [=, this](const Caller& caller) -> absl::Status {
                 ASSIGN_OR_RETURN(auto target, ReviewTargetOf(request->target()));
                 RETURN_IF_ERROR(Readmit(*manager_, *admission_,
                                         request->session_id(), caller.role));
                 TurnSettings settings;
                 settings.review_target = std::move(target.first);
                 return Fill(manager_->StartTurn(
                                 request->session_id(), target.second,
                                 request->request_id(),
                                 WithRequestDigest(caller, *request,
                                                   request->request_id()),
                                 settings),
                             response);
               });
}

grpc::ServerUnaryReactor* TurnServiceImpl::RunShellCommand(
    grpc::CallbackServerContext* context,
    const v1::RunShellCommandRequest* request, v1::Turn* response) {
  static const std::string kMethod =
      FullMethod<v1::TurnService>("RunShellCommand");
  return Serve(
      guard_, context, kMethod, *request, request->session_id(),
      [=, this](const Caller& caller) -> absl::Status {
        RETURN_IF_ERROR(CheckShellCommand(request->command()));
        // Codex runs it unsandboxed: admitted as a danger-full-access
        // session is (role admin, --max-sandbox).
        if (absl::Status s =
                admission_->AdmitSandbox("danger-full-access", caller.role);
            !s.ok()) {
          return absl::PermissionDeniedError(absl::StrCat(
              "command: Codex runs a shell command unsandboxed, as "
              "danger-full-access: ", s.message()));
        }
        RETURN_IF_ERROR(Readmit(*manager_, *admission_, request->session_id(),
                                caller.role));
        TurnSettings settings;
        settings.shell_command = request->command();
        return Fill(
            manager_->StartTurn(
                request->session_id(), absl::StrCat("!", request->command()),
                request->request_id(),
                WithRequestDigest(caller, *request, request->request_id()),
                settings),
            response);
      });
}

grpc::ServerUnaryReactor* TurnServiceImpl::InterruptTurn(
    grpc::CallbackServerContext* context,
    const v1::InterruptTurnRequest* request, v1::Turn* response) {
  static const std::string kMethod = FullMethod<v1::TurnService>("InterruptTurn");
  return Serve(guard_, context, kMethod, *request,
               request->turn_id().empty() ? request->session_id()
                                          : request->turn_id(),
               [=, this](const Caller& caller) {
                 return Fill(manager_->InterruptTurn(request->session_id(),
                                                     request->turn_id(), caller),
                             response);
               });
}

grpc::ServerUnaryReactor* TurnServiceImpl::SteerTurn(
    grpc::CallbackServerContext* context, const v1::SteerTurnRequest* request,
    v1::Turn* response) {
  static const std::string kMethod = FullMethod<v1::TurnService>("SteerTurn");
  return ServeLater<Turn>(
      guard_, context, kMethod, *request,
      request->turn_id().empty() ? request->session_id() : request->turn_id(),
      response, [=, this](const Caller& caller, auto finish) {
        if (absl::Status s = ReadmitRunning(*manager_, *admission_,
                                            request->session_id(), caller.role);
            !s.ok()) {
          return finish(s);
        }
        manager_->SteerTurn(request->session_id(), request->turn_id(),
                            request->prompt(), caller, std::move(finish));
      });
}

grpc::ServerUnaryReactor* TurnServiceImpl::GetTurn(
    grpc::CallbackServerContext* context, const v1::GetTurnRequest* request,
    v1::Turn* response) {
  static const std::string kMethod = FullMethod<v1::TurnService>("GetTurn");
  return Serve(guard_, context, kMethod, *request, request->turn_id(),
               [=, this](const Caller&) {
                 return Fill(manager_->GetTurn(request->turn_id()), response);
               });
}

grpc::ServerUnaryReactor* TurnServiceImpl::ListTurns(
    grpc::CallbackServerContext* context, const v1::ListTurnsRequest* request,
    v1::ListTurnsResponse* response) {
  static const std::string kMethod = FullMethod<v1::TurnService>("ListTurns");
  return Serve(guard_, context, kMethod, *request, request->session_id(),
               [=, this](const Caller&) {
                 ASSIGN_OR_RETURN(PageRequest page,
                                  ToPageRequest(request->page_size(),
                                                request->page_token()));
                 ASSIGN_OR_RETURN(
                     Page<Turn> result,
                     manager_->ListTurns(request->session_id(), page));
                 for (const Turn& t : result.items) {
                   ToProto(t, response->add_turns());
                 }
                 response->set_next_page_token(EncodePageToken(result.next));
                 return absl::OkStatus();
               });
}

}  // namespace codex_manager
