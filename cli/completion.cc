#include "completion.h"

#include <map>
#include <optional>
#include <set>

#include "render.h"

namespace codex_manager::cli {
namespace {

// Positional arguments and flags whose value is an id.
std::optional<IdKind> IdKindOf(const std::string& name) {
  static const std::map<std::string, IdKind> kinds = {
      {"SESSION", IdKind::kSession},   {"--session", IdKind::kSession},
      {"TURN", IdKind::kTurn},         {"--turn", IdKind::kTurn},
      {"--through", IdKind::kTurn},    {"--before", IdKind::kTurn},
      {"APPROVAL", IdKind::kApproval}, {"TOKEN_ID", IdKind::kToken},
      {"--token-id", IdKind::kToken},  {"--model", IdKind::kModel},
      {"--effort", IdKind::kEffort},   {"--service-tier", IdKind::kServiceTier},
  };
  auto it = kinds.find(name);
  if (it == kinds.end()) return std::nullopt;
  return it->second;
}

// Flags with a fixed set of values.
const std::vector<std::string>* FixedValues(const std::string& flag) {
  static const std::map<std::string, std::vector<std::string>> values = {
      {"--on-approval", {"wait", "ask", "approve", "deny"}},
      {"--approval-policy", {"untrusted", "on-request", "never"}},
      {"--sandbox", {"read-only", "workspace-write", "danger-full-access"}},
      {"--role", {"viewer", "operator", "admin"}},
      {"--format", {"jsonl", "markdown"}},
      {"--state", SessionStateFlagValues()},
  };
  auto it = values.find(flag);
  return it == values.end() ? nullptr : &it->second;
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::vector<Candidate> Matching(std::vector<Candidate> all,
                                const std::string& prefix) {
  std::vector<Candidate> out;
  for (Candidate& c : all) {
    if (StartsWith(c.value, prefix)) out.push_back(std::move(c));
  }
  return out;
}

// The long flags of `cmd` (its option groups' too) and of the commands
// above it, each once (`--help` is every command's: the nearest says it).
std::vector<Candidate> Flags(const CLI::App* cmd) {
  std::vector<Candidate> out;
  std::set<std::string> seen;
  const auto add = [&](const CLI::App* app) {
    for (const CLI::Option* option : app->get_options()) {
      for (const std::string& name : option->get_lnames()) {
        if (seen.insert(name).second) {
          out.push_back({"--" + name, option->get_description()});
        }
      }
    }
  };
  for (; cmd != nullptr; cmd = cmd->get_parent()) {
    add(cmd);
    for (const CLI::App* sub : const_cast<CLI::App*>(cmd)->get_subcommands({})) {
      if (sub->get_name().empty()) add(sub);
    }
  }
  return out;
}

}  // namespace

std::vector<const CLI::App*> Commands(const CLI::App* cmd) {
  std::vector<const CLI::App*> commands;
  for (const CLI::App* sub : const_cast<CLI::App*>(cmd)->get_subcommands({})) {
    if (!sub->get_name().empty()) commands.push_back(sub);
  }
  return commands;
}

bool TakesValue(const CLI::App* cmd, const std::string& name) {
  for (; cmd != nullptr; cmd = cmd->get_parent()) {
    const CLI::Option* option = cmd->get_option_no_throw(name);
    // A flag expects no value (CLI11 gives it a type size of 1 all the
    // same).
    if (option != nullptr) return option->get_expected_max() != 0;
  }
  return false;
}

std::vector<Candidate> Complete(const CLI::App& app,
                                const std::vector<std::string>& words,
                                const IdLister& ids) {
  if (words.empty()) return {};
  const std::string& current = words.back();
  const CLI::App* cmd = &app;
  std::vector<std::string> positionals;
  LineContext line;
  std::string value_of;  // the flag the current word is the value of
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string& word = words[i];
    if (StartsWith(word, "-")) {
      if (word.find('=') == std::string::npos && TakesValue(cmd, word)) {
        if (i + 2 == words.size()) {
          value_of = word;
        } else if (word == "--session") {
          line.session_id = words[i + 1];
        } else if (word == "--model") {
          line.model = words[i + 1];
        } else if (word == "--model-provider") {
          line.model_provider = words[i + 1];
        }
        ++i;
      }
      continue;
    }
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : Commands(cmd)) {
      if (sub->get_name() == word) next = sub;
    }
    if (next != nullptr) {
      cmd = next;
      continue;
    }
    positionals.push_back(word);
    // Every command names its session first (turn start SESSION …).
    if (positionals.size() == 1 && StartsWith(word, "ses_")) {
      line.session_id = word;
    }
  }

  if (!value_of.empty()) {
    if (const auto* fixed = FixedValues(value_of)) {
      std::vector<Candidate> all;
      for (const std::string& v : *fixed) all.push_back({v, ""});
      return Matching(std::move(all), current);
    }
    if (auto kind = IdKindOf(value_of)) {
      return Matching(ids(*kind, line), current);
    }
    return {};  // a free value (a folder, a name): the shell's own
  }
  if (StartsWith(current, "-")) return Matching(Flags(cmd), current);
  const auto subcommands = Commands(cmd);
  if (!subcommands.empty()) {
    std::vector<Candidate> all;
    for (const CLI::App* sub : subcommands) {
      if (StartsWith(sub->get_name(), "__")) continue;
      all.push_back({sub->get_name(), sub->get_description()});
    }
    return Matching(std::move(all), current);
  }
  // The next positional argument of the command.
  size_t index = 0;
  for (const CLI::Option* option : cmd->get_options()) {
    if (!option->nonpositional()) {
      if (index++ < positionals.size()) continue;
      if (auto kind = IdKindOf(option->get_name())) {
        return Matching(ids(*kind, line), current);
      }
      return {};
    }
  }
  return {};
}

std::string CompletionScript(const std::string& shell) {
  if (shell == "bash") {
    return R"(# bash completion for codex-manager. Load it with
#   source <(codex-manager completion bash)
# or save it as ~/.local/share/bash-completion/completions/codex-manager
_codex_manager() {
  local cur=${COMP_WORDS[COMP_CWORD]} IFS=$'\n'
  local lines
  lines=$("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
  COMPREPLY=()
  local line
  for line in $lines; do COMPREPLY+=("${line%%$'\t'*}"); done
  # A free value (a folder, a file): the shell's own file completion.
  if [[ ${#COMPREPLY[@]} -eq 0 && $cur != -* ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _codex_manager codex-manager
)";
  }
  if (shell == "zsh") {
    return R"(#compdef codex-manager
# zsh completion for codex-manager. Load it with
#   source <(codex-manager completion zsh)
# or save it as _codex-manager in a folder of your $fpath.
_codex_manager() {
  local -a items
  local line value
  for line in "${(@f)$("${words[1]}" __complete "${(@)words[2,CURRENT]}" 2>/dev/null)}"; do
    [[ -z $line ]] && continue
    value=${line%%$'\t'*}
    if [[ $line == *$'\t'* ]]; then
      items+=("${value//:/\\:}:${line#*$'\t'}")
    else
      items+=("${value//:/\\:}")
    fi
  done
  if (( ${#items} )); then
    _describe 'codex-manager' items
  else
    _files
  fi
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _codex_manager "$@"
else
  compdef _codex_manager codex-manager
fi
)";
  }
  if (shell == "fish") {
    return R"(# fish completion for codex-manager. Load it with
#   codex-manager completion fish | source
# or save it as ~/.config/fish/completions/codex-manager.fish
function __codex_manager_complete
    set -l words (commandline -opc) (commandline -ct)
    $words[1] __complete $words[2..-1] 2>/dev/null
end
complete -c codex-manager -f -a '(__codex_manager_complete)'
)";
  }
  return "";
}

}  // namespace codex_manager::cli
