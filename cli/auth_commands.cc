// The trust-boundary commands: token create/list/revoke, whoami, audit list
// (auth.proto).
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "call.h"
#include "commands.h"
#include "nlohmann/json.hpp"

namespace codex_manager::cli {
namespace {

using google::protobuf::util::TimeUtil;

// "30d", "12h", "90m", "0"; nullopt when malformed or negative. Days
// past a million years are infinite (absl saturates; the callers clamp).
std::optional<absl::Duration> ParseDuration(const std::string& text) {
  if (text.empty() || text == "0") return absl::ZeroDuration();
  int64_t days = 0;
  if (text.back() == 'd' &&
      absl::SimpleAtoi(text.substr(0, text.size() - 1), &days) && days >= 0) {
    return days > 365LL * 1000000 ? absl::InfiniteDuration()
                                  : absl::Hours(24 * days);
  }
  absl::Duration d;
  if (absl::ParseDuration(text, &d) && d >= absl::ZeroDuration()) return d;
  return std::nullopt;
}

}  // namespace

int TokenCreate(Client& client, const std::string& name,
                const std::string& role, const std::string& ttl,
                const std::string& link) {
  v1::CreateTokenRequest request;
  request.set_name(name);
  v1::Role parsed = v1::ROLE_UNSPECIFIED;
  if (role == "viewer") parsed = v1::ROLE_VIEWER;
  if (role == "operator") parsed = v1::ROLE_OPERATOR;
  if (role == "admin") parsed = v1::ROLE_ADMIN;
  request.set_role(parsed);
  std::optional<absl::Duration> lifetime = ParseDuration(ttl);
  if (!lifetime) {
    std::cerr << "error: --ttl \"" << ttl
              << "\" is not a duration (examples: 30d, 12h, 90m, 0 = never)\n";
    return kExitUsage;
  }
  // An infinite one saturates, which the server refuses naming its limit.
  request.mutable_ttl()->set_seconds(absl::ToInt64Seconds(*lifetime));
  v1::CreateTokenResponse response;
  grpc::Status status =
      client.auth().CreateToken(client.Context().get(), request, &response);
  if (!status.ok()) return Fail(status);
  if (client.options().json) {
    // One flat object: the token's fields plus its secret.
    std::string text;
    google::protobuf::util::JsonPrintOptions options;
    options.always_print_primitive_fields = true;
    (void)google::protobuf::util::MessageToJsonString(response.token(), &text,
                                                      options);
    nlohmann::json out = nlohmann::json::parse(text);
    out["secret"] = response.secret();
    if (!link.empty()) out["link"] = absl::StrCat(link, "#token=", response.secret());
    std::cout << out.dump() << "\n";
    return kExitOk;
  }
  // The secret alone on stdout (scripts capture it); the rest for people.
  std::cout << (link.empty() ? response.secret()
                             : absl::StrCat(link, "#token=", response.secret()))
            << "\n";
  std::cerr << "created " << response.token().token_id() << " ("
            << response.token().name() << ", "
            << RoleName(response.token().role())
            << "); the secret is shown only this once\n";
  return kExitOk;
}

int TokenList(Client& client, bool all, int page_size,
              const std::string& page_token) {
  v1::ListTokensRequest request;
  request.set_include_revoked(all);
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  return CallAndShow(client, client.auth(), &v1::AuthService::Stub::ListTokens,
                     request, PrintTokenTable);
}

int TokenRevoke(Client& client, const std::string& token_id) {
  v1::RevokeTokenRequest request;
  request.set_token_id(token_id);
  return CallAndShow(client, client.auth(),
                     &v1::AuthService::Stub::RevokeToken, request,
                     [](const v1::Token& t) {
                       std::printf("revoked %s (%s)\n", t.token_id().c_str(),
                                   t.name().c_str());
                     });
}

int WhoAmI(Client& client) {
  return CallAndShow(client, client.auth(), &v1::AuthService::Stub::WhoAmI,
                     v1::WhoAmIRequest(), [](const v1::WhoAmIResponse& r) {
                       std::printf("%s (%s), role %s\n", r.name().c_str(),
                                   r.token_id().c_str(),
                                   RoleName(r.role()).c_str());
                     });
}

int AuditList(Client& client, const AuditFilter& filter, int page_size,
              const std::string& page_token) {
  v1::ListAuditEventsRequest request;
  request.set_token_id(filter.token_id);
  request.set_method(filter.method);
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  if (!filter.since.empty()) {
    std::optional<absl::Duration> ago = ParseDuration(filter.since);
    if (!ago) {
      std::cerr << "error: --since \"" << filter.since
                << "\" is not a duration (examples: 10m, 24h, 7d)\n";
      return kExitUsage;
    }
    // Further back than 1970 is everything: no record is older.
    const absl::Time start =
        std::max(absl::Now() - *ago, absl::UnixEpoch());
    *request.mutable_start_time() =
        TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(start));
  }
  return CallAndShow(client, client.audit(),
                     &v1::AuditService::Stub::ListAuditEvents, request,
                     PrintAuditTable);
}

}  // namespace codex_manager::cli
