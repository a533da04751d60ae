// How every client names a sub-agent of the session's agent (Codex's
// multi-agent tools): the last part of its path, the task name its
// spawner gave it ("/root/helper" -> "helper"); "sub-agent " and the
// start of its thread id while Codex has not named it. The CLI, the
// Markdown export and the notifier use it; the web UI says the same
// (transcript.ts subAgentName).
#ifndef CODEX_MANAGER_SERVER_COMMON_SUB_AGENT_NAME_H_
#define CODEX_MANAGER_SERVER_COMMON_SUB_AGENT_NAME_H_

#include <string>

#include "common/utf8.h"

namespace codex_manager {

// `text` on one line, valid UTF-8, at most `max_bytes` (SafeText).
inline std::string SubAgentText(const std::string& text, size_t max_bytes) {
  std::string line = SafeText(text, max_bytes);
  for (char& c : line) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return line;
}

// The last part of `path`, "" when it has none (at most 200 bytes).
inline std::string SubAgentPathName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return SubAgentText(
      slash == std::string::npos ? path : path.substr(slash + 1), 200);
}

inline std::string SubAgentName(const std::string& path,
                                const std::string& thread_id) {
  std::string name = SubAgentPathName(path);
  if (name.empty()) {
    name = "sub-agent " + SubAgentText(thread_id.substr(0, 8), 8);
  }
  return name;
}

// The name where it starts a sentence, in place of "Codex": "Sub-agent
// helper", "Sub-agent 019a2b3c".
inline std::string SubAgentLabel(const std::string& path,
                                 const std::string& thread_id) {
  const std::string name = SubAgentPathName(path);
  return "Sub-agent " +
         (name.empty() ? SubAgentText(thread_id.substr(0, 8), 8) : name);
}

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_SUB_AGENT_NAME_H_
