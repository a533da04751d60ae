// Shell completion, as cobra-based tools (gh, kubectl) do it: the script a
// shell loads (`codex-manager completion bash|zsh|fish`) asks the binary
// itself for candidates (`codex-manager __complete WORD… CURRENT`), so
// completion always matches this binary's commands and flags, and ids come
// from the server the line points at.
#ifndef CODEX_MANAGER_CLI_COMPLETION_H_
#define CODEX_MANAGER_CLI_COMPLETION_H_

#include <functional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"

namespace codex_manager::cli {

// The hidden command the scripts call.
inline constexpr const char* kCompleteCommand = "__complete";

// The completion script for `shell` ("bash", "zsh" or "fish"); empty for
// any other shell.
std::string CompletionScript(const std::string& shell);

// What a word on the line names.
enum class IdKind { kSession, kTurn, kApproval, kToken };

// One candidate: the word, and a short description ("" for none).
struct Candidate {
  std::string value;
  std::string description;
};

// Lists ids of `kind` from the server; `session_id` (possibly empty) is the
// session named earlier on the line, for turns. Returns nothing when the
// server cannot be asked: completion never prints errors.
using IdLister =
    std::function<std::vector<Candidate>(IdKind kind,
                                         const std::string& session_id)>;

// The candidates for the last of `words` (the word being completed, maybe
// empty), given the words before it (after the program name): subcommands,
// long flags of the command and its parents, values of flags with a fixed
// set, or ids from `ids` for id arguments.
std::vector<Candidate> Complete(const CLI::App& app,
                                const std::vector<std::string>& words,
                                const IdLister& ids);

// The commands under `cmd`, by name. CLI11 keeps an option group (`turn
// review`'s target) as a subcommand without a name, which is not one: its
// flags are `cmd`'s.
std::vector<const CLI::App*> Commands(const CLI::App* cmd);

// Whether `name` (e.g. "--addr") is an option of `cmd` or of a command
// above it that takes a value (so the next word is that value).
bool TakesValue(const CLI::App* cmd, const std::string& name);

}  // namespace codex_manager::cli

#endif  // CODEX_MANAGER_CLI_COMPLETION_H_
