// Tokens and the audit log for people: `token list`, `audit list`.
#include <algorithm>
#include <cstdio>
#include <string>

#include "absl/time/time.h"
#include "render.h"

namespace codex_manager::cli {
namespace {

// Widest a name column grows to; longer names are cut ("~").
constexpr size_t kMaxNameWidth = 40;

// The width of a column holding `widest` columns (Columns) under
// `header`.
int ColumnWidth(const std::string& header, size_t widest) {
  return static_cast<int>(
      std::max(header.size(), std::min(widest, kMaxNameWidth)));
}

// A token's name as listed: on one line, cut to fit, " (revoked)" kept.
std::string TokenName(const v1::Token& t) {
  const std::string revoked = t.has_revoke_time() ? " (revoked)" : "";
  return Trim(OneLine(t.name()), kMaxNameWidth - revoked.size()) + revoked;
}

}  // namespace

std::string RoleName(v1::Role role) {
  switch (role) {
    case v1::ROLE_VIEWER:
      return "viewer";
    case v1::ROLE_OPERATOR:
      return "operator";
    case v1::ROLE_ADMIN:
      return "admin";
    default:
      return "none";
  }
}

std::string When(const google::protobuf::Timestamp& t, bool set) {
  if (!set) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S",
                          absl::FromUnixSeconds(t.seconds()),
                          absl::LocalTimeZone());
}

void PrintTokenTable(const v1::ListTokensResponse& list) {
  if (list.tokens().empty()) {
    std::printf("no tokens\n");
    return;
  }
  size_t widest = 0;
  for (const v1::Token& t : list.tokens()) {
    widest = std::max(widest, Columns(TokenName(t)));
  }
  const int name = ColumnWidth("NAME", widest);
  std::printf("%-24s  %-*s  %-8s  %-19s  %-19s  %s\n", "TOKEN", name, "NAME",
              "ROLE", "CREATED", "EXPIRES", "LAST USED");
  for (const v1::Token& t : list.tokens()) {
    std::printf("%-24s  %s  %-8s  %-19s  %-19s  %s\n", t.token_id().c_str(),
                Cell(TokenName(t), name).c_str(), RoleName(t.role()).c_str(),
                When(t.create_time(), t.has_create_time()).c_str(),
                When(t.expire_time(), t.has_expire_time()).c_str(),
                When(t.last_used_time(), t.has_last_used_time()).c_str());
  }
  PrintMore(list.next_page_token());
}

void PrintAuditTable(const v1::ListAuditEventsResponse& list) {
  if (list.audit_events().empty()) {
    std::printf("no audit events\n");
    return;
  }
  auto who = [](const v1::AuditEvent& e) {
    return e.token_name().empty()
               ? std::string("-")
               : Trim(OneLine(e.token_name()), kMaxNameWidth);
  };
  size_t widest = 0;
  for (const v1::AuditEvent& e : list.audit_events()) {
    widest = std::max(widest, Columns(who(e)));
  }
  const int width = ColumnWidth("WHO", widest);
  std::printf("%-19s  %-*s  %-4s  %-48s  %s\n", "TIME", width, "WHO", "CODE",
              "METHOD", "RESOURCE");
  for (const v1::AuditEvent& e : list.audit_events()) {
    std::printf("%-19s  %s  %-4d  %-48s  %s\n",
                When(e.time(), e.has_time()).c_str(),
                Cell(who(e), width).c_str(),
                e.code(), e.method().c_str(), e.resource_id().c_str());
    // Why a call was refused, or what the server did by itself (a
    // restore, a retention pass).
    if (!e.message().empty()) {
      std::printf("%21s%s\n", "", OneLine(e.message()).c_str());
    }
  }
  PrintMore(list.next_page_token());
}

}  // namespace codex_manager::cli
