// A session's transcript as one string (SessionService.ExportTranscript).
import { TranscriptFormat } from "./gen/codex_manager/v1/sessions_pb.js";
import type { CodexManager } from "./client.js";

// "jsonl": the events as stored, one JSON object per line; "markdown": the
// session as a conversation. Throws ConnectError NOT_FOUND for an unknown
// session.
export async function exportTranscript(client: CodexManager, sessionId: string,
                                       format: "jsonl" | "markdown" = "markdown"): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of client.sessions.exportTranscript({
    sessionId,
    format: format === "markdown" ? TranscriptFormat.MARKDOWN : TranscriptFormat.JSONL,
  })) {
    text += decoder.decode(chunk.data, { stream: true });
  }
  return text + decoder.decode();
}
