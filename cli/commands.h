// The CLI's commands. Each returns the process exit code (client.h).
#ifndef CODEX_MANAGER_CLI_COMMANDS_H_
#define CODEX_MANAGER_CLI_COMMANDS_H_

#include <cstdint>
#include <map>
#include <string>

#include "client.h"
#include "completion.h"

namespace codex_manager::cli {

// What `turn start --follow` and `run` do when the agent asks for approval.
enum class ApprovalMode {
  kWait,     // print it and wait for a decision from elsewhere
  kAsk,      // ask on the terminal (y / a / n / x)
  kApprove,  // approve every request of the turn
  kDeny,     // deny every request of the turn
};

struct SessionFlags {
  std::string cwd;
  std::string model;
  std::string approval_policy;
  std::string sandbox;
  std::string title;
  std::string request_id;
  // --instructions, or the contents of --instructions-file.
  std::string instructions;
  std::string instructions_file;
  std::string model_provider;
  std::string effort;
  std::string service_tier;
};

int Health(Client& client);

int SessionCreate(Client& client, const SessionFlags& flags);
int SessionList(Client& client, const v1::ListSessionsRequest& request);
int SessionShow(Client& client, const std::string& session_id);
int SessionStop(Client& client, const std::string& session_id, bool force);
int SessionResume(Client& client, const std::string& session_id);
int SessionArchive(Client& client, const std::string& session_id);
int SessionUnarchive(Client& client, const std::string& session_id);

// With `follow`, the first Ctrl-C interrupts the turn and waits for its
// end (exit 130), a second detaches at once; with `detach`, the first
// detaches (the turn goes on).
// `request` carries the session, prompt, idempotency key and this turn's
// settings.
int TurnStart(Client& client, const v1::StartTurnRequest& request,
              bool follow, ApprovalMode mode, bool detach);
// StartReview; `follow` and the rest as TurnStart's.
// A shell command as a turn; with `follow`, its output goes to stdout.
int TurnShell(Client& client, const v1::RunShellCommandRequest& request,
              bool follow, bool detach);
int TurnReview(Client& client, const v1::StartReviewRequest& request,
               bool follow, ApprovalMode mode, bool detach);
int SessionImport(Client& client, const v1::ImportThreadRequest& request);
int SessionFork(Client& client, const v1::ForkSessionRequest& request);
// Prints the reverted turn ids, one a line, oldest first.
int SessionRevert(Client& client, const v1::RevertSessionRequest& request);
// CodexService: the models, the account, the stored Codex threads.
int CodexModels(Client& client, bool all, const std::string& model_provider);
int CodexModelProviders(Client& client);
int CodexAccount(Client& client);
int CodexThreads(Client& client, const v1::ListCodexThreadsRequest& request);
// `codex hooks`: the hooks of the server's Codex config and their trust.
int CodexHooks(Client& client, const std::string& cwd);
// `codex hooks trust`: trusts the hooks named by key (or, with
// `all_untrusted`, every enabled one Codex skips), each with the hash
// listed just before, and prints what was trusted.
int CodexHooksTrust(Client& client, const std::string& cwd,
                    const std::vector<std::string>& keys, bool all_untrusted);
// `codex features`: Codex's feature flags, sorted by name, without those
// Codex lists as removed unless `include_removed`.
int CodexFeatures(Client& client, bool include_removed);
// `codex features enable|disable|reset NAME`.
int CodexFeatureSet(Client& client, const std::string& name,
                    v1::CodexFeatureSetting setting);
// `codex login`: signs the server's Codex in with ChatGPT's device code
// (prints the page and the code, then polls until it ends; Ctrl-C cancels
// it) or with an API key read from standard input; or, with `status_id` /
// `cancel_id`, shows or cancels a login. Exit 0 when Codex is signed in.
struct CodexLoginFlags {
  bool with_api_key = false;
  bool no_wait = false;
  std::string status_id;
  std::string cancel_id;
};
int CodexLogin(Client& client, const CodexLoginFlags& flags);
// `codex logout`.
int CodexLogout(Client& client);
// UpdateSession with the fields set in `request`.
int SessionUpdate(Client& client, const v1::UpdateSessionRequest& request);
int SessionCompact(Client& client, const v1::CompactSessionRequest& request);
// `session goal`: shows the goal when `request` changes nothing, clears it
// when `clear`, else sets it (SetSessionGoal).
int SessionGoal(Client& client, const v1::SetSessionGoalRequest& request,
                bool clear);
// `session files`: SearchFiles; one path a line, best first.
int SessionFiles(Client& client, const v1::SearchFilesRequest& request);
// `session skills`: ListSkills; `$name`, scope and description a line.
// First enables the skills `enable` names and disables the ones `disable`
// names (SetSkillEnabled), each by its name (`$` optional) or SKILL.md
// path; a name two skills share is refused (name the path).
int SessionSkills(Client& client, const v1::ListSkillsRequest& request,
                  const std::vector<std::string>& enable = {},
                  const std::vector<std::string>& disable = {});
// `session mcp`: ListMcpServers; each server, then its tools.
int SessionMcpServers(Client& client, const std::string& session_id);
// `session terminals`: ListBackgroundTerminals.
int SessionTerminals(Client& client, const std::string& session_id);
// `session terminate`: TerminateBackgroundTerminals for each process id in
// turn (stops at the first error), or `all`; exactly one of the two.
int SessionTerminate(Client& client, const std::string& session_id,
                     const std::vector<std::string>& process_ids, bool all);
int TurnList(Client& client, const std::string& session_id, int page_size,
             const std::string& page_token);
int TurnShow(Client& client, const std::string& turn_id);
int TurnInterrupt(Client& client, const std::string& session_id,
                  const std::string& turn_id);
// SteerTurn: adds `prompt` to the running turn.
int TurnSteer(Client& client, const std::string& session_id,
              const std::string& turn_id, const std::string& prompt);

int ApprovalList(Client& client, const std::string& session_id, bool all);
int ApprovalResolve(Client& client, const std::string& approval_id,
                    v1::Decision decision,
                    const std::map<std::string, std::string>& answers,
                    const std::string& request_id);

struct EventsFlags {
  int64_t after_seq = 0;
  std::string turn_id;  // only this turn's events (and session errors)
  bool follow = false;
  bool raw = false;  // the event log, one line per event
};

// Prints a session's events: its transcript, or with `raw` the event log
// (with --json, the events as JSON lines). With `turn_id`, it stops at that
// turn's end and the exit code is the turn's (0 completed, 4 otherwise).
int Events(Client& client, const std::string& session_id,
           const EventsFlags& flags);

// Ctrl-C as TurnStart with follow. `plan`: the turn in Codex's Plan mode
// (StartTurn collaboration_mode).
int Run(Client& client, const SessionFlags& flags, const std::string& prompt,
        ApprovalMode mode, bool detach, bool plan);

// auth_commands.cc
// `role`: viewer, operator or admin; `ttl`: "30d", "12h", "0" (never);
// `link`: when set, prints LINK#token=SECRET for the browser UI.
int TokenCreate(Client& client, const std::string& name,
                const std::string& role, const std::string& ttl,
                const std::string& link);
int TokenList(Client& client, bool all, int page_size,
              const std::string& page_token);
int TokenRevoke(Client& client, const std::string& token_id);
int WhoAmI(Client& client);

// Writes the session's transcript (SessionService.ExportTranscript) to
// `path`, or stdout when empty or "-": JSONL (the events) or Markdown. A
// file is written whole or not at all (a temporary file renamed into place).
int Export(Client& client, const std::string& session_id,
           const std::string& format, const std::string& path);

// Writes a backup of the server's database (MaintenanceService.Backup) to
// `path` ("-": stdout), checked against the server's SHA-256; a file is
// written whole or not at all, 0600 (it holds every transcript).
int Backup(Client& client, const std::string& path);

// Ids for shell completion from the server `client` talks to (sessions
// newest first, their turns, pending approvals, tokens), each with a short
// description; nothing when a call fails.
IdLister ServerIds(Client& client);

struct AuditFilter {
  std::string token_id;
  std::string method;
  // Only records newer than this duration ago ("24h"); empty = all.
  std::string since;
};
int AuditList(Client& client, const AuditFilter& filter, int page_size,
              const std::string& page_token);

}  // namespace codex_manager::cli

#endif  // CODEX_MANAGER_CLI_COMMANDS_H_
