// The MCP panel's line about a server (src/labels.ts, for src/mcp_view.ts).
import assert from "node:assert/strict";
import { test } from "node:test";

import { create } from "@bufbuild/protobuf";
import { McpServerSchema, McpToolSchema } from "../src/gen/codex_manager/v1/sessions_pb.js";
import { credentialsRefused, mcpSummary, sessionName } from "../src/labels.js";

test("a server is summed up by its connection, what it is and its tools", () => {
  const tool = create(McpToolSchema, { name: "file_ticket" });
  assert.equal(mcpSummary(create(McpServerSchema, {
    name: "tickets", connection: "connected", title: "tickets", version: "1.0.0",
    authStatus: "unsupported", tools: [tool] })), "connected · tickets 1.0.0 · 1 tool");
  assert.equal(mcpSummary(create(McpServerSchema, {
    name: "docs", connection: "authenticationRequired", authStatus: "notLoggedIn",
    httpOrigin: "https://mcp.example.com", tools: [tool, tool] })),
               "needs sign-in · https://mcp.example.com · not signed in · 2 tools");
  // Not live: no connection to say.
  assert.equal(mcpSummary(create(McpServerSchema, { name: "off" })), "");
});

test("credentials refused: Codex's unauthorized, or a 401 on the request or its stream", () => {
  assert.equal(credentialsRefused("unauthorized"), true);
  assert.equal(credentialsRefused('{"httpConnectionFailed":{"httpStatusCode":401}}'), true);
  assert.equal(credentialsRefused('{"responseStreamConnectionFailed":{"httpStatusCode":401}}'), true);
  assert.equal(credentialsRefused('{"httpConnectionFailed":{"httpStatusCode":500}}'), false);
  assert.equal(credentialsRefused('{"httpConnectionFailed":{"httpStatusCode":null}}'), false);
  assert.equal(credentialsRefused("usageLimitExceeded"), false);
  assert.equal(credentialsRefused(""), false);
  assert.equal(credentialsRefused("{not json"), false);
});

test("a session is named by its title, else its first prompt on one line, else its id", () => {
  const s = { sessionId: "ses_1", title: "", preview: "" };
  assert.equal(sessionName(s), "ses_1");
  assert.equal(sessionName({ ...s, preview: "  fix the build\n\tthen test " }), "fix the build then test");
  assert.equal(sessionName({ ...s, preview: " \n " }), "ses_1");
  assert.equal(sessionName({ ...s, title: "Release", preview: "fix it" }), "Release");
});
