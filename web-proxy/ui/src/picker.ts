// A list of choices over the composer's prompt, opened by a trigger
// character at the start of a word, as Codex's TUI opens its pickers: "@"
// and letters of a path list files (file_picker.ts), "$" and letters of a
// name list skills (skill_picker.ts). The matched letters are in bold;
// choosing one puts it in the prompt in place of what was typed. Arrow keys
// move, Enter or Tab chooses, Escape closes; a tap or click chooses too. A
// lookup that fails (the server refused, Codex did not answer) just lists
// nothing: "@" and "$" are typed in prompts for other reasons too.
import { h } from "./dom.js";

// At most this many are listed.
const SHOWN = 8;
// Typing pauses this long before a lookup goes out.
const DEBOUNCE_MS = 120;

// The trigger at the start of the text or after white space, and what
// follows it up to the caret (no white space, no second trigger): the
// query.
export interface Token { start: number; query: string }

export function tokenAt(text: string, caret: number, trigger: string): Token | null {
  const t = trigger.replace(/[$^\\.*+?()[\]{}|/]/g, "\\$&");
  const m = new RegExp(`(?:^|\\s)${t}([^\\s${t}]*)$`).exec(text.slice(0, caret));
  return m ? { start: caret - m[1]!.length - trigger.length, query: m[1]! } : null;
}

// `text` with the token (and the rest of its word after the caret)
// replaced by `said` and one space, and where the caret goes: after that
// space.
export function replaceToken(text: string, token: Token, caret: number, said: string):
    { text: string; caret: number } {
  const end = caret + (/^\S*/.exec(text.slice(caret))?.[0].length ?? 0);
  const rest = text.slice(end);
  const before = text.slice(0, token.start) + said + (/^\s/.test(rest) ? "" : " ");
  return { text: before + rest, caret: before.length + (/^\s/.test(rest) ? 1 : 0) };
}

// One choice: what goes in the prompt, how it is shown (with the code
// points to put in bold), and a line about it.
export interface Choice {
  said: string;
  label: string;
  bold: number[];
  detail?: string;
}

// At most `max` choices for `query`, best first.
export type Lookup = (query: string, max: number) => Promise<Choice[]>;

export interface PickerOptions {
  trigger: string;
  // The listbox's id (its options' ids start with it) and class.
  id: string;
  // What the listbox is, for screen readers.
  name: string;
  lookup: Lookup;
}

// The listbox, to put over the prompt; it wires itself to `prompt` (a
// textarea keeps its textbox role: it says the option in view with
// aria-activedescendant, not aria-expanded, which only a combobox has).
export function picker(prompt: HTMLTextAreaElement, opts: PickerOptions): HTMLElement {
  const list = h("ul", { class: `picker ${opts.id}`, id: opts.id, role: "listbox",
                         "aria-label": opts.name, hidden: "" });
  prompt.setAttribute("aria-autocomplete", "list");
  let choices: Choice[] = [];
  let active = 0;
  let token: Token | null = null;
  let asked = 0;  // the last lookup sent: older answers are dropped
  let timer: ReturnType<typeof setTimeout> | undefined;

  const close = () => {
    clearTimeout(timer);
    ++asked;
    if (list.hidden) return;
    choices = [];
    list.hidden = true;
    list.replaceChildren();
    prompt.removeAttribute("aria-activedescendant");
  };
  const show = () => {
    list.replaceChildren(...choices.map((c, i) => {
      const bold = new Set(c.bold);
      const label = [...c.label].map((ch, at) => bold.has(at) ? h("b", {}, ch) : ch);
      // Named by the label whole: from its content, a browser would read
      // the bold letters as words of their own. The name is the text as
      // shown (WCAG's "label in name").
      const option = h("li", { role: "option", id: `${opts.id}-${i}`, "aria-selected": String(i === active),
                               "aria-label": c.detail ? `${c.label} ${c.detail}` : c.label },
        h("span", { class: "label" }, ...label),
        ...(c.detail ? [" ", h("span", { class: "detail" }, c.detail)] : []));
      option.addEventListener("click", () => choose(i));
      return option;
    }));
    list.hidden = false;
    // Only the open list controls the prompt (two pickers share it).
    prompt.setAttribute("aria-controls", opts.id);
    prompt.setAttribute("aria-activedescendant", `${opts.id}-${active}`);
    list.children[active]?.scrollIntoView({ block: "nearest" });
  };
  const choose = (i: number) => {
    const c = choices[i];
    if (!c || !token) return;
    const put = replaceToken(prompt.value, token, prompt.selectionStart, c.said);
    prompt.value = put.text;
    prompt.setSelectionRange(put.caret, put.caret);
    close();
    prompt.focus();
  };
  const lookUp = () => {
    token = prompt.selectionStart === prompt.selectionEnd
      ? tokenAt(prompt.value, prompt.selectionStart, opts.trigger) : null;
    if (!token || !token.query) {
      close();
      return;
    }
    const query = token.query;
    clearTimeout(timer);
    const mine = ++asked;
    timer = setTimeout(async () => {
      try {
        const found = await opts.lookup(query, SHOWN);
        if (mine !== asked) return;
        choices = found.slice(0, SHOWN);
        active = 0;
        if (choices.length > 0) show();
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
      active = (active + (e.key === "ArrowDown" ? 1 : choices.length - 1)) % choices.length;
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
