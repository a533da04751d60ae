// The composer's "@" file picker, as in Codex's TUI: typing "@" and some
// letters of a path lists the files of the session's folder that match
// (`search`: SessionService.SearchFiles, Codex `fuzzyFileSearch`), best first, the
// matched letters in bold; choosing one puts its path in the prompt in
// place of what was typed. Arrow keys move, Enter or Tab chooses, Escape
// closes; a tap or click chooses too. A search that fails (the server
// refused, Codex did not answer) just lists nothing: "@" is also typed in
// e-mail addresses and handles.
import { h } from "./dom.js";
import type { FileMatch } from "./gen/codex_manager/v1/sessions_pb.js";

// At most this many are listed.
const SHOWN = 8;
// Typing pauses this long before a search goes out.
const DEBOUNCE_MS = 120;

// An "@" at the start or after white space, and what follows it up to the
// caret (no white space, no second "@"): the query.
export interface AtToken { start: number; query: string }

export function atToken(text: string, caret: number): AtToken | null {
  const m = /(?:^|\s)@([^\s@]*)$/.exec(text.slice(0, caret));
  return m ? { start: caret - m[1]!.length - 1, query: m[1]! } : null;
}

// `text` with the token (and the rest of its word after the caret)
// replaced by `path` (quoted when it has white space) and one space, and
// where the caret goes: after that space.
export function withPath(text: string, token: AtToken, caret: number, path: string):
    { text: string; caret: number } {
  const end = caret + (/^\S*/.exec(text.slice(caret))?.[0].length ?? 0);
  const said = /\s/.test(path) ? `"${path}"` : path;
  const rest = text.slice(end);
  const before = text.slice(0, token.start) + said + (/^\s/.test(rest) ? "" : " ");
  return { text: before + rest, caret: before.length + (/^\s/.test(rest) ? 1 : 0) };
}

// Finds at most `max` files whose paths match `query`, best first.
export type FileSearch = (query: string, max: number) => Promise<FileMatch[]>;

// The listbox, to put over the prompt; it wires itself to `prompt` (a
// textarea keeps its textbox role: it says the option in view with
// aria-activedescendant, not aria-expanded, which only a combobox has).
export function filePicker(prompt: HTMLTextAreaElement, search: FileSearch): HTMLElement {
  const list = h("ul", { class: "file-picker", id: "file-picker", role: "listbox",
                         "aria-label": "Files in the session's folder", hidden: "" });
  prompt.setAttribute("aria-autocomplete", "list");
  prompt.setAttribute("aria-controls", list.id);
  let matches: FileMatch[] = [];
  let active = 0;
  let token: AtToken | null = null;
  let asked = 0;  // the last search sent: older answers are dropped
  let timer: ReturnType<typeof setTimeout> | undefined;

  const close = () => {
    clearTimeout(timer);
    ++asked;
    matches = [];
    list.hidden = true;
    list.replaceChildren();
    prompt.removeAttribute("aria-activedescendant");
  };
  const show = () => {
    list.replaceChildren(...matches.map((m, i) => {
      const matched = new Set(m.indices);
      const path = [...m.path].map((c, at) => matched.has(at) ? h("b", {}, c) : c);
      // Named by the path whole: from its content, a browser would read
      // the bold letters as words of their own.
      const option = h("li", { role: "option", id: `file-picker-${i}`, "aria-selected": String(i === active),
                               "aria-label": m.path + (m.directory ? "/" : "") },
        ...path, m.directory ? "/" : "");
      option.addEventListener("click", () => choose(i));
      return option;
    }));
    list.hidden = false;
    prompt.setAttribute("aria-activedescendant", `file-picker-${active}`);
    list.children[active]?.scrollIntoView({ block: "nearest" });
  };
  const choose = (i: number) => {
    const m = matches[i];
    if (!m || !token) return;
    const put = withPath(prompt.value, token, prompt.selectionStart, m.path + (m.directory ? "/" : ""));
    prompt.value = put.text;
    prompt.setSelectionRange(put.caret, put.caret);
    close();
    prompt.focus();
  };
  const lookUp = () => {
    token = prompt.selectionStart === prompt.selectionEnd ? atToken(prompt.value, prompt.selectionStart) : null;
    if (!token || !token.query) {
      close();
      return;
    }
    const query = token.query;
    clearTimeout(timer);
    const mine = ++asked;
    timer = setTimeout(async () => {
      try {
        const found = await search(query, SHOWN);
        if (mine !== asked) return;
        matches = found;
        active = 0;
        if (matches.length > 0) show();
        else close();
      } catch {
        if (mine === asked) close();
      }
    }, DEBOUNCE_MS);
  };

  prompt.addEventListener("input", lookUp);
  prompt.addEventListener("blur", close);
  prompt.addEventListener("keydown", (e) => {
    if (list.hidden) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      active = (active + (e.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
      show();
    } else if ((e.key === "Enter" && !e.ctrlKey && !e.metaKey && !e.shiftKey) || e.key === "Tab") {
      e.preventDefault();
      e.stopImmediatePropagation();
      choose(active);
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  });
  // A tap on an option must not take the focus from the prompt first (its
  // blur would close the list before the click lands).
  list.addEventListener("pointerdown", (e) => e.preventDefault());
  list.addEventListener("mousedown", (e) => e.preventDefault());
  return list;
}
