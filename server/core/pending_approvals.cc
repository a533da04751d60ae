#include "core/pending_approvals.h"

#include <utility>

#include "common/json_access.h"
#include "core/codex_protocol.h"

namespace codex_manager {

void PendingApprovals::Add(nlohmann::json rpc_id, Approval approval) {
  const std::string id = approval.approval_id;
  pending_[id] = {std::move(rpc_id), std::move(approval)};
}

std::optional<PendingApprovals::Request> PendingApprovals::Take(
    const std::string& approval_id) {
  auto it = pending_.find(approval_id);
  if (it == pending_.end()) return std::nullopt;
  Request request = std::move(it->second);
  pending_.erase(it);
  return request;
}

std::optional<Approval> PendingApprovals::TakeByRpcId(
    const nlohmann::json& rpc_id) {
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->second.rpc_id == rpc_id) {
      Approval approval = std::move(it->second.approval);
      pending_.erase(it);
      return approval;
    }
  }
  return std::nullopt;
}

std::vector<Approval> PendingApprovals::TakeOfTurn(const std::string& turn_id) {
  std::vector<Approval> taken;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.approval.turn_id == turn_id) {
      taken.push_back(std::move(it->second.approval));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  return taken;
}

std::vector<Approval> PendingApprovals::TakeAll() {
  std::vector<Approval> taken;
  for (auto& [id, request] : pending_) {
    taken.push_back(std::move(request.approval));
  }
  pending_.clear();
  return taken;
}

void PendingApprovals::NoteItem(const nlohmann::json& item, bool completed) {
  if (StringMember(item, "type") != "fileChange") return;
  const std::string id = StringMember(item, "id");
  if (completed) {
    item_diffs_.erase(id);
  } else if (item_diffs_.size() < kMaxTrackedFileChanges ||
             item_diffs_.contains(id)) {
    item_diffs_[id] = DiffOfFileChange(item);
  }
}

std::string PendingApprovals::DiffOf(const std::string& item_id) const {
  auto it = item_diffs_.find(item_id);
  return it == item_diffs_.end() ? "" : it->second;
}

}  // namespace codex_manager
