// Small helpers for absl::Status plumbing. Debian's Abseil (20220623) ships
// no status macros, so these two live here.
#ifndef CODEX_MANAGER_SERVER_COMMON_STATUS_MACROS_H_
#define CODEX_MANAGER_SERVER_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CM_CONCAT_INNER_(a, b) a##b
#define CM_CONCAT_(a, b) CM_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                \
  do {                                       \
    ::absl::Status cm_status_ = (expr);      \
    if (!cm_status_.ok()) return cm_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, StatusOrExpr())`: assigns the value, or returns
// the error status from the enclosing function.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(CM_CONCAT_(cm_statusor_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()

#endif  // CODEX_MANAGER_SERVER_COMMON_STATUS_MACROS_H_
