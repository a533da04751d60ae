// The "@" file picker's reading of the prompt (src/file_picker.ts): which
// "@word" the caret ends, and the prompt once a path replaces it.
import assert from "node:assert/strict";
import { test } from "node:test";

import { atToken, withPath } from "../src/file_picker.js";

test("the @word the caret ends is the query; an @ inside a word is not", () => {
  assert.deepEqual(atToken("@sess", 5), { start: 0, query: "sess" });
  assert.deepEqual(atToken("look at @server/co", 18), { start: 8, query: "server/co" });
  assert.deepEqual(atToken("fix\n@a", 6), { start: 4, query: "a" });
  assert.deepEqual(atToken("just @", 6), { start: 5, query: "" });
  // The caret in the middle of the word: the query is what is before it.
  assert.deepEqual(atToken("@session and", 4), { start: 0, query: "ses" });
  assert.equal(atToken("mail me@example.com", 19), null);
  assert.equal(atToken("@sess done", 10), null);  // the caret is past it
  assert.equal(atToken("@@x", 3), null);
  assert.equal(atToken("", 0), null);
});

test("a chosen path replaces the @word, with one space after it", () => {
  const at = (text: string, caret: number) => atToken(text, caret)!;
  assert.deepEqual(withPath("read @sess", at("read @sess", 10), 10, "server/session.cc"),
                   { text: "read server/session.cc ", caret: 23 });
  // The rest of the word after the caret goes too; the space after it stays.
  assert.deepEqual(withPath("@sesXX then", at("@sesXX then", 4), 4, "a.cc"),
                   { text: "a.cc then", caret: 5 });
  // A path with white space is quoted.
  assert.deepEqual(withPath("@my", at("@my", 3), 3, "my notes.md"),
                   { text: "\"my notes.md\" ", caret: 14 });
});
