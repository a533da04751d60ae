// The composer's "@" file picker, as in Codex's TUI: typing "@" and some
// letters of a path lists the files of the session's folder that match
// (`search`: SessionService.SearchFiles, Codex `fuzzyFileSearch`), best
// first; choosing one puts its path in the prompt (picker.ts).
import type { FileMatch } from "./gen/codex_manager/v1/sessions_pb.js";
import { picker, replaceToken, tokenAt, type Token } from "./picker.js";

export function atToken(text: string, caret: number): Token | null {
  return tokenAt(text, caret, "@");
}

// A path as a prompt says it: quoted when it has white space.
function said(path: string): string {
  return /\s/.test(path) ? `"${path}"` : path;
}

// `text` with the "@word" replaced by `path` (quoted when it has white
// space) and one space, and where the caret goes: after that space.
export function withPath(text: string, token: Token, caret: number, path: string):
    { text: string; caret: number } {
  return replaceToken(text, token, caret, said(path));
}

// Finds at most `max` files whose paths match `query`, best first.
export type FileSearch = (query: string, max: number) => Promise<FileMatch[]>;

export function filePicker(prompt: HTMLTextAreaElement, search: FileSearch): HTMLElement {
  return picker(prompt, {
    trigger: "@", id: "file-picker", name: "Files in the session's folder",
    lookup: async (query, max) => (await search(query, max)).map((m) => {
      const path = m.path + (m.directory ? "/" : "");
      return { said: said(path), label: path, bold: m.indices };
    }),
  });
}
