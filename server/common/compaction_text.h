// What every transcript says when Codex compacted a thread's conversation
// to free context: its `thread/compacted` notification (the
// CONTEXT_COMPACTED event), or, as Codex 0.171 says it, a completed
// `contextCompaction` item. The server's event, the CLI and the Markdown
// export use the same words.
#ifndef CODEX_MANAGER_SERVER_COMMON_COMPACTION_TEXT_H_
#define CODEX_MANAGER_SERVER_COMMON_COMPACTION_TEXT_H_

namespace codex_manager {

inline constexpr char kContextCompactedText[] =
    "Codex compacted the conversation to free context";

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_COMMON_COMPACTION_TEXT_H_
