// PendingApprovals: one live session's approvals that wait for a person,
// each with the JSON-RPC id of the Codex server request it answers, and
// the diffs of the fileChange items in flight (the approval Codex asks
// for such an item shows its diff). An approval leaves it exactly once
// (Take*), which is what makes a decision happen once.
//
// Not thread-safe: SessionManager's mutex guards it.
#ifndef CODEX_MANAGER_SERVER_CORE_PENDING_APPROVALS_H_
#define CODEX_MANAGER_SERVER_CORE_PENDING_APPROVALS_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"
#include "nlohmann/json.hpp"

namespace codex_manager {

// At most this many approvals of one session wait for a person at once:
// Codex asks one at a time per turn (a few with sub-agents), so more is a
// runtime gone wrong or hostile, and each would notify a phone and fill
// the UI. Past it Codex's request gets an error (SessionManager).
inline constexpr size_t kMaxPendingApprovals = 100;
// fileChange items whose diff is kept until they complete; past this many
// open at once, new ones are not kept (their approvals show no diff).
inline constexpr size_t kMaxTrackedFileChanges = 256;

class PendingApprovals {
 public:
  // A PENDING approval, as committed, and the id of Codex's request.
  struct Request {
    nlohmann::json rpc_id;
    Approval approval;
  };

  bool empty() const { return pending_.empty(); }
  size_t size() const { return pending_.size(); }
  bool contains(const std::string& approval_id) const {
    return pending_.contains(approval_id);
  }

  void Add(nlohmann::json rpc_id, Approval approval);
  // Takes the approval out (to decide it); nullopt when not pending here.
  std::optional<Request> Take(const std::string& approval_id);
  // Takes the approval of Codex's request `rpc_id` (Codex withdrew it).
  std::optional<Approval> TakeByRpcId(const nlohmann::json& rpc_id);
  // Takes the approvals of a turn (it ended), oldest id first.
  std::vector<Approval> TakeOfTurn(const std::string& turn_id);
  // Takes every approval (the runtime is going away).
  std::vector<Approval> TakeAll();

  // An item/started or item/completed item: a fileChange's diff is kept
  // until its item completes.
  void NoteItem(const nlohmann::json& item, bool completed);
  // The diff of fileChange item `item_id`, or "".
  std::string DiffOf(const std::string& item_id) const;

 private:
  // Approval id -> its request.
  std::map<std::string, Request> pending_;
  // fileChange item id -> its diff.
  std::map<std::string, std::string> item_diffs_;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_PENDING_APPROVALS_H_
