#include "api/convert.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/json_access.h"
#include "core/codex_protocol.h"

namespace codex_manager {
namespace {

using json = nlohmann::json;

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t us = absl::ToUnixMicros(t);
  out->set_seconds(us / 1000000);
  out->set_nanos(static_cast<int32_t>((us % 1000000) * 1000));
}

std::string Str(const json& j, const char* key) { return StringMember(j, key); }

int64_t Int(const json& j, const char* key) { return IntMember(j, key); }

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Text of an item: agentMessage text, userMessage text parts, the prompt a
// hook added (hookPrompt fragments), reasoning summary parts, a review's
// target (enteredReviewMode) or findings (exitedReviewMode), a web search's
// query (or the page it opened), an image's path (imageView), where a
// generated image was saved (imageGeneration).
std::string ItemText(const json& item) {
  const std::string type = Str(item, "type");
  if (type == "agentMessage" || type == "plan") return Str(item, "text");
  if (type == "enteredReviewMode" || type == "exitedReviewMode") {
    return Str(item, "review");
  }
  std::string out;
  if (type == "userMessage" && item.contains("content") &&
      item["content"].is_array()) {
    for (const json& part : item["content"]) {
      if (Str(part, "type") == "text") absl::StrAppend(&out, Str(part, "text"));
    }
  } else if (type == "webSearch") {
    out = Str(item, "query");
    const json& action = Member(item, "action");
    if (out.empty()) out = Str(action, "query");
    if (out.empty()) out = Str(action, "url");
  } else if (type == "imageView") {
    out = Str(item, "path");
  } else if (type == "imageGeneration") {
    out = Str(item, "savedPath");
  } else if (type == "hookPrompt") {
    for (const json& fragment : ArrayMember(item, "fragments")) {
      const std::string text = Str(fragment, "text");
      if (!text.empty()) absl::StrAppend(&out, out.empty() ? "" : "\n", text);
    }
  } else if (type == "reasoning" && item.contains("summary") &&
             item["summary"].is_array()) {
    for (const json& part : item["summary"]) {
      if (part.is_string()) {
        absl::StrAppend(&out, out.empty() ? "" : "\n", part.get<std::string>());
      }
    }
  }
  return out;
}

// An MCP tool call's tool, arguments, result text and error.
void McpToolCallToProto(const json& item, v1::Item* out) {
  out->set_tool(Str(item, "tool"));
  out->set_mcp_server(Str(item, "server"));
  const json& arguments = Member(item, "arguments");
  if (!arguments.is_null()) out->set_arguments(Dump(arguments));
  std::string output;
  for (const json& part : ArrayMember(ObjectMember(item, "result"), "content")) {
    const std::string kind = Str(part, "type");
    absl::StrAppend(&output, output.empty() || output.back() == '\n' ? "" : "\n",
                    kind == "text" ? Str(part, "text")
                                   : absl::StrCat("[", kind, "]"));
  }
  out->set_tool_output(output);
  out->set_error(Str(Member(item, "error"), "message"));
}

void ItemToProto(const json& item, v1::Item* out) {
  const std::string type = Str(item, "type");
  out->set_item_id(Str(item, "id"));
  out->set_item_type(type);
  out->set_status(Str(item, "status"));
  out->set_text(ItemText(item));
  out->set_command(Str(item, "command"));
  out->set_cwd(Str(item, "cwd"));
  if (type == "commandExecution") {
    out->set_command_source(Str(item, "source"));
  }
  if (item.is_object() && item.contains("exitCode") &&
      item["exitCode"].is_number_integer()) {
    out->set_exit_code(item["exitCode"].get<int32_t>());
  }
  out->set_aggregated_output(Str(item, "aggregatedOutput"));
  out->set_diff(DiffOfFileChange(item));
  out->set_item_json(Dump(item));
  out->set_moderation(
      Str(Member(Member(item, "moderation"), "display"), "mode"));
  if (type == "mcpToolCall") McpToolCallToProto(item, out);
  if (type == "imageGeneration") {
    // Why no image came (ImageGenerationFailure's kind, e.g.
    // "usageLimitExceeded").
    out->set_error(Str(Member(item, "failure"), "type"));
  }
  const int64_t duration = IntMember(item, "durationMs", -1);
  if (duration >= 0) out->set_duration_ms(duration);
}

}  // namespace

void ToProto(const CodexSettings& in, v1::CodexSettings* out) {
  out->set_model(in.model);
  out->set_model_provider(in.model_provider);
  out->set_effort(in.effort);
  out->set_approval_policy(in.approval_policy);
  out->set_sandbox(in.sandbox);
  out->set_approvals_reviewer(in.approvals_reviewer);
  out->set_collaboration_mode(in.collaboration_mode);
  out->set_service_tier(in.service_tier);
}

void ToProto(const SessionGoal& in, v1::SessionGoal* out) {
  out->set_objective(in.objective);
  out->set_status(static_cast<v1::GoalStatus>(in.status));
  if (in.token_budget) out->set_token_budget(*in.token_budget);
  out->set_tokens_used(in.tokens_used);
  out->set_time_used_seconds(in.time_used_seconds);
  SetTime(in.create_time, out->mutable_create_time());
  SetTime(in.update_time, out->mutable_update_time());
}

void ToProto(const Session& in, v1::Session* out) {
  out->set_session_id(in.session_id);
  out->set_cwd(in.cwd);
  out->set_model(in.model);
  out->set_approval_policy(in.approval_policy);
  out->set_sandbox(in.sandbox);
  out->set_title(in.title);
  out->set_state(static_cast<v1::SessionState>(in.state));
  out->set_thread_id(in.thread_id);
  out->set_last_error(in.last_error);
  SetTime(in.create_time, out->mutable_create_time());
  SetTime(in.update_time, out->mutable_update_time());
  out->set_pending_approvals(in.pending_approvals);
  out->set_last_seq(in.last_seq);
  out->set_purged_seq(in.purged_seq);
  out->set_developer_instructions(in.developer_instructions);
  out->set_model_provider(in.model_provider);
  out->set_runtime_version(in.runtime_version);
  out->set_effort(in.effort);
  out->set_service_tier(in.service_tier);
  out->set_preview(in.preview);
  if (in.goal) ToProto(*in.goal, out->mutable_goal());
  if (in.codex_settings != CodexSettings()) {
    ToProto(in.codex_settings, out->mutable_codex_settings());
  }
}

void ToProto(const Turn& in, v1::Turn* out) {
  out->set_turn_id(in.turn_id);
  out->set_session_id(in.session_id);
  out->set_prompt(in.prompt);
  out->set_state(static_cast<v1::TurnState>(in.state));
  out->set_codex_turn_id(in.codex_turn_id);
  out->set_error(in.error);
  SetTime(in.create_time, out->mutable_create_time());
  if (in.start_time) SetTime(*in.start_time, out->mutable_start_time());
  if (in.end_time) SetTime(*in.end_time, out->mutable_end_time());
  out->set_final_message(in.final_message);
  if (in.revert_time) SetTime(*in.revert_time, out->mutable_revert_time());
  out->set_started_by_codex(in.started_by_codex);
}

void ToProto(const Approval& in, v1::Approval* out) {
  out->set_approval_id(in.approval_id);
  out->set_session_id(in.session_id);
  out->set_turn_id(in.turn_id);
  out->set_kind(static_cast<v1::ApprovalKind>(in.kind));
  out->set_state(static_cast<v1::ApprovalState>(in.state));
  out->set_command(in.command);
  out->set_cwd(in.cwd);
  out->set_reason(in.reason);
  out->set_diff(in.diff);
  out->set_item_id(in.item_id);
  out->set_params_json(in.params_json);
  out->set_decision(static_cast<v1::Decision>(in.decision));
  SetTime(in.create_time, out->mutable_create_time());
  if (in.resolve_time) SetTime(*in.resolve_time, out->mutable_resolve_time());
  out->set_method(in.method);
  for (Decision d : OfferedDecisions(in)) {
    out->add_available_decisions(static_cast<v1::Decision>(d));
  }
  for (std::string& word : ExecpolicyAmendmentOf(in)) {
    out->add_execpolicy_amendment(std::move(word));
  }
  for (std::string& file : ChangedFilesOf(in)) {
    out->add_changed_files(std::move(file));
  }
  for (std::string& line : RequestedPermissionsOf(in)) {
    out->add_requested_permissions(std::move(line));
  }
  if (!in.sub_agent_thread_id.empty()) {
    out->mutable_sub_agent()->set_thread_id(in.sub_agent_thread_id);
    out->mutable_sub_agent()->set_path(in.sub_agent_path);
  }
  if (in.kind == ApprovalKind::kMcpElicitation) {
    const Elicitation e = ElicitationOf(in);
    out->set_mcp_server_name(e.server_name);
    out->set_elicitation_mode(e.mode);
    out->set_elicitation_url(e.url);
    if (!e.requested_schema.empty()) {
      out->set_requested_schema_json(e.requested_schema.dump(
          -1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
  }
}

void ToProto(const CodexModel& in, v1::Model* out) {
  out->set_model(in.model);
  out->set_display_name(in.display_name);
  out->set_description(in.description);
  out->set_is_default(in.is_default);
  out->set_hidden(in.hidden);
  for (const std::string& e : in.supported_efforts) out->add_supported_efforts(e);
  out->set_default_effort(in.default_effort);
  for (const CodexServiceTier& t : in.service_tiers) {
    v1::ServiceTier* tier = out->add_service_tiers();
    tier->set_id(t.id);
    tier->set_name(t.name);
    tier->set_description(t.description);
  }
  out->set_default_service_tier(in.default_service_tier);
  for (const std::string& m : in.input_modalities) out->add_input_modalities(m);
  out->set_configured(in.configured);
}

void ToProto(const CodexModelProvider& in, v1::ModelProvider* out) {
  out->set_id(in.id);
  out->set_name(in.name);
  out->set_is_default(in.is_default);
}

void ToProto(const CodexFeature& in, v1::CodexFeature* out) {
  out->set_name(in.name);
  out->set_stage(in.stage);
  out->set_enabled(in.enabled);
  out->set_default_enabled(in.default_enabled);
  out->set_display_name(in.display_name);
  out->set_description(in.description);
  out->set_announcement(in.announcement);
}

void ToProto(const CodexLogin& in, v1::CodexLogin* out) {
  out->set_login_id(in.login_id);
  out->set_method(static_cast<v1::CodexLoginMethod>(in.method));
  out->set_state(static_cast<v1::CodexLoginState>(in.state));
  out->set_verification_url(in.verification_url);
  out->set_user_code(in.user_code);
  out->set_error(in.error);
  SetTime(in.start_time, out->mutable_start_time());
  if (in.method == CodexLoginMethod::kChatgptDeviceCode) {
    SetTime(in.expire_time, out->mutable_expire_time());
  }
  if (in.state != CodexLoginState::kPending) {
    SetTime(in.end_time, out->mutable_end_time());
  }
}

void ToProto(const CodexAccount& in, v1::Account* out) {
  out->set_type(in.type);
  out->set_email(in.email);
  out->set_plan_type(in.plan_type);
  out->set_requires_openai_auth(in.requires_openai_auth);
  if (in.rate_limits) RateLimitsToProto(*in.rate_limits, out->mutable_rate_limits());
  out->set_rate_limits_error(in.rate_limits_error);
}

void ToProto(const CodexThread& in, v1::CodexThread* out) {
  out->set_thread_id(in.thread_id);
  out->set_name(in.name);
  out->set_preview(in.preview);
  out->set_cwd(in.cwd);
  out->set_source(in.source);
  out->set_model_provider(in.model_provider);
  out->set_model(in.model);
  out->set_forked_from_thread_id(in.forked_from_thread_id);
  out->mutable_create_time()->set_seconds(absl::ToUnixSeconds(in.create_time));
  out->mutable_update_time()->set_seconds(absl::ToUnixSeconds(in.update_time));
}

void ToProto(const CodexHook& in, v1::CodexHook* out) {
  out->set_key(in.key);
  out->set_event_name(in.event_name);
  out->set_handler_type(in.handler_type);
  out->set_command(in.command);
  out->set_mcp_server(in.mcp_server);
  out->set_mcp_tool(in.mcp_tool);
  out->set_matcher(in.matcher);
  out->set_status_message(in.status_message);
  out->set_source(in.source);
  out->set_source_path(in.source_path);
  out->set_enabled(in.enabled);
  out->set_managed(in.managed);
  out->set_current_hash(in.current_hash);
  out->set_trust_status(in.trust_status);
  out->set_skipped(HookSkipped(in));
}

void ToProto(const RevertResult& in, v1::RevertSessionResponse* out) {
  ToProto(in.session, out->mutable_session());
  for (const std::string& id : in.reverted_turn_ids) {
    out->add_reverted_turn_ids(id);
  }
}

void ToProto(const std::vector<BackgroundTerminal>& in,
             v1::ListBackgroundTerminalsResponse* out) {
  for (const BackgroundTerminal& t : in) {
    v1::BackgroundTerminal* p = out->add_terminals();
    p->set_process_id(t.process_id);
    p->set_item_id(t.item_id);
    p->set_command(t.command);
    p->set_cwd(t.cwd);
    if (t.os_pid) p->set_os_pid(*t.os_pid);
    if (t.cpu_percent) p->set_cpu_percent(*t.cpu_percent);
    if (t.rss_kib) p->set_rss_kib(*t.rss_kib);
  }
}

void ToProto(const std::vector<FileMatch>& in, v1::SearchFilesResponse* out) {
  for (const FileMatch& match : in) {
    v1::FileMatch* p = out->add_files();
    p->set_path(match.path);
    p->set_file_name(match.file_name);
    p->set_directory(match.directory);
    p->set_score(match.score);
    p->mutable_indices()->Add(match.indices.begin(), match.indices.end());
  }
}

void ToProto(const Skill& in, v1::Skill* out) {
  out->set_name(in.name);
  out->set_description(in.description);
  out->set_short_description(in.short_description);
  out->set_display_name(in.display_name);
  out->set_path(in.path);
  out->set_scope(in.scope);
  out->set_enabled(in.enabled);
}

void ToProto(const SkillList& in, v1::ListSkillsResponse* out) {
  for (const Skill& skill : in.skills) ToProto(skill, out->add_skills());
  for (const SkillError& error : in.errors) {
    v1::SkillError* p = out->add_errors();
    p->set_path(error.path);
    p->set_message(error.message);
  }
}

void ToProto(const std::vector<McpServer>& in,
             v1::ListMcpServersResponse* out) {
  for (const McpServer& server : in) {
    v1::McpServer* p = out->add_servers();
    p->set_name(server.name);
    p->set_connection(server.connection);
    p->set_auth_status(server.auth_status);
    p->set_title(server.title);
    p->set_version(server.version);
    p->set_error(server.error);
    p->set_http_origin(server.http_origin);
    for (const McpTool& tool : server.tools) {
      v1::McpTool* t = p->add_tools();
      t->set_name(tool.name);
      t->set_title(tool.title);
      t->set_description(tool.description);
    }
  }
}

void ToProto(const CodexHookList& in, v1::ListCodexHooksResponse* out) {
  for (const CodexHook& hook : in.hooks) ToProto(hook, out->add_hooks());
  for (const CodexHookError& error : in.errors) {
    v1::CodexHookError* e = out->add_errors();
    e->set_path(error.path);
    e->set_message(error.message);
  }
  for (const std::string& warning : in.warnings) out->add_warnings(warning);
}

void RateLimitsToProto(const json& limits, v1::RateLimits* m) {
  for (auto [key, window] :
       {std::pair{"primary", m->mutable_primary()},
        std::pair{"secondary", m->mutable_secondary()}}) {
    const json& w = Member(limits, key);
    if (!w.is_object()) continue;
    window->set_used_percent(static_cast<int32_t>(
        std::clamp<int64_t>(Int(w, "usedPercent"), 0, 100)));
    window->set_window_minutes(Int(w, "windowDurationMins"));
    const int64_t resets = Int(w, "resetsAt");
    if (resets > 0 && resets < 253402300799) {
      window->mutable_resets_at()->set_seconds(resets);
    }
  }
  if (!Member(limits, "primary").is_object()) m->clear_primary();
  if (!Member(limits, "secondary").is_object()) m->clear_secondary();
  m->set_plan_type(Str(limits, "planType"));
  m->set_limit_name(Str(limits, "limitName"));
}

void ToProto(const Event& in, v1::Event* out) {
  out->set_event_id(in.event_id);
  out->set_session_id(in.session_id);
  out->set_session_seq(in.session_seq);
  out->set_type(static_cast<v1::EventType>(in.type));
  SetTime(in.create_time, out->mutable_create_time());
  out->set_turn_id(in.turn_id);
  const json& p = in.payload;
  // The marker event_log.h's CapPayload leaves on a payload it cut.
  out->set_original_payload_bytes(Int(Member(p, "truncated"), "original_bytes"));
  if (const json& sub = Member(p, "sub_agent"); sub.is_object()) {
    out->mutable_sub_agent()->set_thread_id(Str(sub, "thread_id"));
    out->mutable_sub_agent()->set_path(Str(sub, "path"));
  }
  switch (in.type) {
    case EventType::kSessionStateChanged: {
      auto* m = out->mutable_session_state_changed();
      m->set_state(static_cast<v1::SessionState>(Int(p, "state")));
      m->set_error(Str(p, "error"));
      m->set_thread_id(Str(p, "thread_id"));
      break;
    }
    case EventType::kTurnStateChanged: {
      auto* m = out->mutable_turn_state_changed();
      m->set_turn_id(Str(p, "turn_id"));
      m->set_state(static_cast<v1::TurnState>(Int(p, "state")));
      m->set_error(Str(p, "error"));
      m->set_prompt(Str(p, "prompt"));
      m->set_final_message(Str(p, "final_message"));
      m->set_codex_turn_id(Str(p, "codex_turn_id"));
      m->set_started_by_codex(BoolMember(p, "started_by_codex"));
      break;
    }
    case EventType::kItemStarted:
    case EventType::kItemCompleted:
    case EventType::kItemUpdated:
      ItemToProto(p.is_object() && p.contains("item") ? p["item"] : json(),
                  out->mutable_item());
      break;
    case EventType::kAgentMessageDelta:
    case EventType::kCommandOutputDelta:
    case EventType::kReasoningDelta:
    case EventType::kItemDelta: {
      auto* m = out->mutable_delta();
      m->set_item_id(Str(p, "item_id"));
      m->set_text(Str(p, "text"));
      m->set_method(Str(p, "method"));
      break;
    }
    case EventType::kApprovalRequested:
      ToProto(ApprovalFromJson(p.is_object() && p.contains("approval")
                                   ? p["approval"]
                                   : json()),
              out->mutable_approval_requested()->mutable_approval());
      break;
    case EventType::kApprovalResolved: {
      auto* m = out->mutable_approval_resolved();
      m->set_approval_id(Str(p, "approval_id"));
      m->set_state(static_cast<v1::ApprovalState>(Int(p, "state")));
      m->set_decision(static_cast<v1::Decision>(Int(p, "decision")));
      break;
    }
    case EventType::kTokenUsage: {
      auto* m = out->mutable_token_usage();
      const json total =
          p.is_object() ? p.value("total", json::object()) : json::object();
      m->set_total_tokens(Int(total, "totalTokens"));
      m->set_input_tokens(Int(total, "inputTokens"));
      m->set_cached_input_tokens(Int(total, "cachedInputTokens"));
      m->set_output_tokens(Int(total, "outputTokens"));
      m->set_reasoning_output_tokens(Int(total, "reasoningOutputTokens"));
      const json last =
          p.is_object() ? p.value("last", json::object()) : json::object();
      m->set_last_total_tokens(Int(last, "totalTokens"));
      break;
    }
    case EventType::kError:
    case EventType::kWarning:
    case EventType::kContextCompacted: {
      auto* m = out->mutable_notice();
      m->set_message(Str(p, "message"));
      m->set_details(Str(p, "details"));
      m->set_codex_error_info(Str(p, "codex_error_info"));
      m->set_will_retry(BoolMember(p, "will_retry"));
      break;
    }
    // The next ones are stored as Codex sent their params.
    case EventType::kPlanUpdated: {
      auto* m = out->mutable_plan();
      m->set_explanation(Str(p, "explanation"));
      for (const json& step : ArrayMember(p, "plan")) {
        auto* s = m->add_steps();
        s->set_step(Str(step, "step"));
        s->set_status(Str(step, "status"));
      }
      break;
    }
    case EventType::kTurnDiffUpdated:
      out->mutable_turn_diff()->set_diff(Str(p, "diff"));
      break;
    case EventType::kThreadStatusChanged: {
      auto* m = out->mutable_thread_status();
      const json& status = Member(p, "status");
      m->set_status(Str(status, "type"));
      for (const json& flag : ArrayMember(status, "activeFlags")) {
        if (flag.is_string()) m->add_active_flags(flag.get<std::string>());
      }
      break;
    }
    case EventType::kModelRerouted: {
      auto* m = out->mutable_model_rerouted();
      m->set_from_model(Str(p, "fromModel"));
      m->set_to_model(Str(p, "toModel"));
      m->set_reason(Str(p, "reason"));
      break;
    }
    case EventType::kRateLimitsUpdated:
      RateLimitsToProto(Member(p, "rateLimits"), out->mutable_rate_limits());
      break;
    case EventType::kMcpServerStatus: {
      auto* m = out->mutable_mcp_server_status();
      m->set_name(Str(p, "name"));
      m->set_status(Str(p, "status"));
      m->set_error(Str(p, "error"));
      break;
    }
    case EventType::kHookRun: {
      auto* m = out->mutable_hook_run();
      const json& run = Member(p, "run");
      m->set_run_id(Str(run, "id"));
      m->set_event_name(Str(run, "eventName"));
      m->set_status(Str(run, "status"));
      m->set_status_message(Str(run, "statusMessage"));
      for (const json& entry : ArrayMember(run, "entries")) {
        auto* e = m->add_entries();
        e->set_kind(Str(entry, "kind"));
        e->set_text(Str(entry, "text"));
      }
      m->set_handler_type(Str(run, "handlerType"));
      m->set_execution_mode(Str(run, "executionMode"));
      m->set_scope(Str(run, "scope"));
      m->set_source(Str(run, "source"));
      m->set_source_path(Str(run, "sourcePath"));
      const int64_t duration = IntMember(run, "durationMs", -1);
      if (duration >= 0) m->set_duration_ms(duration);
      break;
    }
    case EventType::kTerminalInput: {
      auto* m = out->mutable_terminal_input();
      m->set_item_id(Str(p, "itemId"));
      m->set_process_id(Str(p, "processId"));
      m->set_stdin(Str(p, "stdin"));
      break;
    }
    case EventType::kSessionUpdated: {
      auto* m = out->mutable_session_updated();
      const json& fields = Member(p, "changed_fields");
      if (fields.is_array()) {
        for (const json& field : fields) {
          if (field.is_string()) m->add_changed_fields(field.get<std::string>());
        }
      }
      m->set_title(Str(p, "title"));
      m->set_model(Str(p, "model"));
      m->set_effort(Str(p, "effort"));
      m->set_approval_policy(Str(p, "approval_policy"));
      m->set_sandbox(Str(p, "sandbox"));
      m->set_service_tier(Str(p, "service_tier"));
      break;
    }
    case EventType::kSessionReverted: {
      auto* m = out->mutable_session_reverted();
      m->set_before_turn_id(Str(p, "before_turn_id"));
      const json& ids = Member(p, "reverted_turn_ids");
      if (ids.is_array()) {
        for (const json& id : ids) {
          if (id.is_string()) m->add_reverted_turn_ids(id.get<std::string>());
        }
      }
      break;
    }
    case EventType::kGoalUpdated: {
      auto* m = out->mutable_goal_updated();
      if (std::optional<SessionGoal> goal = GoalFromJson(Member(p, "goal"))) {
        ToProto(*goal, m->mutable_goal());
      }
      break;
    }
    case EventType::kCodexSettingsChanged:
      ToProto(CodexSettingsFromJson(Member(p, "codex_settings")),
              out->mutable_codex_settings());
      break;
    case EventType::kSkillsChanged:
      break;  // no payload: a signal
    case EventType::kRaw:
    case EventType::kUnspecified: {
      auto* m = out->mutable_raw();
      m->set_method(Str(p, "method"));
      m->set_params_json(
          Dump(p.is_object() ? p.value("params", json::object()) : json()));
      break;
    }
  }
}

void ToProto(const TokenRecord& in, v1::Token* out) {
  out->set_token_id(in.token_id);
  out->set_name(in.name);
  out->set_role(static_cast<v1::Role>(in.role));
  SetTime(in.create_time, out->mutable_create_time());
  if (in.expire_time) SetTime(*in.expire_time, out->mutable_expire_time());
  if (in.last_used_time) {
    SetTime(*in.last_used_time, out->mutable_last_used_time());
  }
  if (in.revoke_time) SetTime(*in.revoke_time, out->mutable_revoke_time());
  out->set_bootstrap(in.bootstrap);
}

void ToProto(const AuditRecord& in, v1::AuditEvent* out) {
  out->set_audit_id(in.audit_id);
  SetTime(in.time, out->mutable_time());
  out->set_token_id(in.caller.token_id);
  out->set_token_name(in.caller.token_name);
  out->set_role(static_cast<v1::Role>(in.caller.role));
  out->set_peer(in.caller.peer);
  out->set_request_id(in.caller.request_id);
  out->set_method(in.caller.method);
  out->set_resource_id(in.resource_id);
  out->set_code(in.code);
  out->set_message(in.message);
}

absl::StatusOr<absl::Time> FromProto(const google::protobuf::Timestamp& ts,
                                     absl::string_view field) {
  // The range of google.protobuf.Timestamp: years 0001..9999.
  if (ts.seconds() < -62135596800 || ts.seconds() > 253402300799 ||
      ts.nanos() < 0 || ts.nanos() > 999999999) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": not a valid timestamp"));
  }
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

std::string EncodePageToken(int64_t position) {
  if (position == 0) return "";
  return absl::WebSafeBase64Escape(absl::StrCat("v1.", position));
}

absl::StatusOr<int64_t> DecodePageToken(const std::string& token) {
  if (token.empty()) return 0;
  std::string raw;
  int64_t position = 0;
  if (!absl::WebSafeBase64Unescape(token, &raw) ||
      !absl::StartsWith(raw, "v1.") ||
      !absl::SimpleAtoi(raw.substr(3), &position) || position <= 0) {
    return absl::InvalidArgumentError(
        "page_token: malformed; pass the next_page_token of a previous "
        "response");
  }
  return position;
}

absl::StatusOr<PageRequest> ToPageRequest(int32_t page_size,
                                          const std::string& page_token) {
  if (page_size < 0 || page_size > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must be between 0 and 1000, got ", page_size));
  }
  absl::StatusOr<int64_t> after = DecodePageToken(page_token);
  if (!after.ok()) return after.status();
  return PageRequest{*after, page_size == 0 ? 100 : page_size};
}

}  // namespace codex_manager
