// The seam between the core and a Codex runtime: one Runtime per live
// session. The production implementation is runtime/codex_runtime.h, which
// drives a `codex app-server` child over JSON-RPC on stdio; core tests use
// an in-process fake.
//
// Every Runtime method but Stop returns at once; results and everything the
// runtime says arrive later on the RuntimeListener, on a thread of the
// runtime's own.
#ifndef CODEX_MANAGER_SERVER_CORE_RUNTIME_H_
#define CODEX_MANAGER_SERVER_CORE_RUNTIME_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/types.h"
#include "nlohmann/json.hpp"

namespace codex_manager {

class Runtime;

// What a runtime needs to open the session's Codex thread.
struct RuntimeConfig {
  std::string session_id;
  std::string cwd;
  std::string model;
  std::string approval_policy;
  std::string sandbox;
  // Codex `developerInstructions` (Session::developer_instructions); given
  // on `thread/resume` too, which keeps a thread's first ones, so that a
  // new thread started in its place (new_thread_if_unsaved) has them.
  std::string developer_instructions;
  // Codex `modelProvider` (Session::model_provider), on `thread/resume`
  // too, so that a resumed thread keeps its provider.
  std::string model_provider;
  // Non-empty: continue this Codex thread (`thread/resume`); empty: start a
  // new one (`thread/start`).
  std::string thread_id;
  // With a thread_id Codex has no rollout of ("no rollout found for thread
  // id …": Codex writes a thread's rollout file at its first turn, so a
  // thread that never ran one is gone once its app-server exits), start a
  // new thread instead of failing. For sessions with no turn, which lose
  // nothing by it.
  bool new_thread_if_unsaved = false;
  // False: a runtime for one-off requests (Call) that opens no thread;
  // OnReady comes once `initialize` is answered, with an empty thread id.
  bool open_thread = true;
};

// Receives what a runtime reports. Calls for one runtime never overlap, and
// none comes after Runtime::Stop returns. `runtime` says which runtime
// speaks, so a listener can ignore one it has already let go.
class RuntimeListener {
 public:
  virtual ~RuntimeListener() = default;
  // The Codex thread is open (`thread/start` or `thread/resume` answered);
  // `thread_settings` is that answer (its model, modelProvider,
  // reasoningEffort, approvalPolicy, approvalsReviewer, sandbox), an empty
  // object for a runtime that opens no thread.
  virtual void OnReady(Runtime* runtime, const std::string& thread_id,
                       const std::string& runtime_version,
                       const nlohmann::json& thread_settings) = 0;
  // `turn/start` answered: `turn_id` is ours, `codex_turn_id` Codex's.
  virtual void OnTurnAccepted(Runtime* runtime, const std::string& turn_id,
                              const std::string& codex_turn_id) = 0;
  // `turn/start` (or what began the turn instead) failed; `error` starts
  // with the method. (One that times out ends the runtime: OnExit.)
  virtual void OnTurnRejected(Runtime* runtime, const std::string& turn_id,
                              const std::string& error) = 0;
  // A JSON-RPC notification (no id) from Codex.
  virtual void OnNotification(Runtime* runtime, const std::string& method,
                              const nlohmann::json& params) = 0;
  // A JSON-RPC request from Codex that needs an answer (Runtime::Respond
  // with the same `request_id`).
  virtual void OnServerRequest(Runtime* runtime,
                               const nlohmann::json& request_id,
                               const std::string& method,
                               const nlohmann::json& params) = 0;
  // The runtime wrote a line it cannot use (not JSON, too deep, too long,
  // mistyped): `problem` says what, as valid UTF-8. `fatal` when it has
  // written so many in a row that the session must end (the runtime then
  // reads nothing more; the core stops it).
  virtual void OnBadOutput(Runtime* runtime, const std::string& problem,
                           bool fatal) = 0;
  // The runtime is gone: it failed to start, it exited, or it hung. Not
  // called for a Stop the core asked for.
  virtual void OnExit(Runtime* runtime, const std::string& reason) = 0;
};

class Runtime {
 public:
  virtual ~Runtime() = default;
  // Launches the runtime and opens the thread; reports OnReady or OnExit.
  virtual void Start() = 0;
  // Sends `turn/start` with `prompt` as text input, the images, and every
  // setting of `settings` (an empty one: the thread's own from
  // thread/start, so one turn's override never sticks to the next);
  // reports OnTurnAccepted or OnTurnRejected for `turn_id`.
  virtual void StartTurn(const std::string& turn_id, const std::string& prompt,
                         const TurnSettings& settings) = 0;
  // Sends `turn/interrupt` for a Codex turn id.
  virtual void Interrupt(const std::string& codex_turn_id) = 0;
  // Sends `turn/steer` (text input for the running Codex turn
  // `codex_turn_id`); `done` runs once with OK when Codex accepted it,
  // FAILED_PRECONDITION with Codex's message when it refused, UNAVAILABLE
  // when the runtime is gone or did not answer. `done` may run on the
  // runtime's reader thread, or at once.
  virtual void Steer(const std::string& codex_turn_id,
                     const std::string& prompt,
                     std::function<void(absl::Status)> done) = 0;
  // Sends the client request `method` with `params` as given and calls
  // `done` once, as CallThread does.
  virtual void Call(const std::string& method, nlohmann::json params,
                    std::function<void(absl::StatusOr<nlohmann::json>)> done) = 0;
  // Sends the thread request `method` (its `threadId` filled in) and calls
  // `done` once with Codex's result, or: FAILED_PRECONDITION with Codex's
  // message when it answered an error, UNAVAILABLE when the runtime is gone
  // or did not answer. `done` may run on the runtime's reader thread, or at
  // once (the caller must not hold a lock `done` takes).
  virtual void CallThread(
      const std::string& method, nlohmann::json params,
      std::function<void(absl::StatusOr<nlohmann::json>)> done) = 0;
  // Answers a server request with `result`.
  virtual void Respond(const nlohmann::json& request_id,
                       const nlohmann::json& result) = 0;
  // Answers a server request with a JSON-RPC error.
  virtual void RespondError(const nlohmann::json& request_id, int code,
                            const std::string& message) = 0;
  // Ends the runtime and waits until its processes are reaped. Graceful:
  // close stdin, SIGTERM the process group, SIGKILL after the grace
  // period. `force`: SIGKILL the group at once.
  virtual void Stop(bool force) = 0;
};

class RuntimeFactory {
 public:
  virtual ~RuntimeFactory() = default;
  virtual std::unique_ptr<Runtime> Create(const RuntimeConfig& config,
                                          RuntimeListener* listener) = 0;
};

}  // namespace codex_manager

#endif  // CODEX_MANAGER_SERVER_CORE_RUNTIME_H_
