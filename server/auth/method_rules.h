// The authorization table: for every RPC the server serves, keyed by full
// method name, the least role that may call it and whether it changes
// anything (mutations are rate-limited and always audited).
//
// This is the one place roles are decided: the API edge (api/guard.h)
// consults it for every call, a method missing from it is refused (default
// deny), docs/security.md's role table is generated from it
// (`codex-manager-server --print-role-table`), and a test calls every method
// of every service with every role and compares the outcome with it.
#ifndef CODEX_MANAGER_SERVER_AUTH_METHOD_RULES_H_
#define CODEX_MANAGER_SERVER_AUTH_METHOD_RULES_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "core/types.h"

namespace codex_manager {

struct MethodRule {
  // "/package.Service/Method".
  absl::string_view method;
  // Least role needed; kUnspecified means no token is needed (health).
  Role role;
  // Changes server state: rate-limited per principal and audited.
  bool mutation;
};

// Every rule, in table order.
absl::Span<const MethodRule> AllMethodRules();

// The rule for `method`, or nullptr when there is none (refuse the call).
const MethodRule* FindMethodRule(absl::string_view method);

// The role table as Markdown (method, role, mutation), for the docs.
std::string RoleTableMarkdown();

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_AUTH_METHOD_RULES_H_
