// @codex-manager/client: the Codex Manager API for TypeScript.
//
// The messages, enums and services are generated from protos/ by
// @bufbuild/protoc-gen-es (src/gen); the helpers add what every client
// needs: a client per service (createCodexManager, bearerToken), an event
// stream that resumes from its cursor (followEvents), approval decisions
// (approve, deny, answer, pendingApprovals, questions) and transcripts
// (exportTranscript).
export * from "./gen/codex_manager/v1/approvals_pb.js";
export * from "./gen/codex_manager/v1/auth_pb.js";
export * from "./gen/codex_manager/v1/codex_pb.js";
export * from "./gen/codex_manager/v1/events_pb.js";
export * from "./gen/codex_manager/v1/maintenance_pb.js";
export * from "./gen/codex_manager/v1/sessions_pb.js";
export * from "./gen/codex_manager/v1/turns_pb.js";
export { bearerToken, type CodexManager, createCodexManager } from "./client.js";
export { type FollowOptions, followEvents } from "./events.js";
export {
  answer, approve, deny, newRequestId, pendingApprovals, type Question, questions,
} from "./approvals.js";
export { type GeneratedImage, generatedImage } from "./images.js";
export { exportTranscript } from "./transcript.js";
