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

// What a word on the line names: an id, or a name the server's Codex
// knows (a model, one of its reasoning efforts or service tiers).
enum class IdKind {
  kSession,
  kTurn,
  kApproval,
  kToken,
  kModel,
  kEffort,
  kServiceTier,
};

// What the line names before the word being completed.
struct LineContext {
  std::string session_id;      // the session (SESSION, --session)
  std::string model;           // --model
  std::string model_provider;  // --model-provider
};

// One candidate: the word, and a short description ("" for none).
struct Candidate {
  std::string value;
  std::string description;
};

// Lists what `kind` may be from the server, given what `line` names: a
// session's turns; the efforts and tiers of the model named, else of the
// session's, else of the one a new session runs. Returns nothing when
// the server cannot be asked: completion never prints errors.
using IdLister = std::function<std::vector<Candidate>(
    IdKind kind, const LineContext& line)>;

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
