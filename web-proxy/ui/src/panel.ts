// A panel over the transcript, opened from the session's More menu, whose
// content Codex gives (the MCP servers, the skills): each opening asks
// again, shows "Asking Codex…" meanwhile and the error in its place if the
// call fails; a later opening's answer wins. Close hides it.
import { button, h } from "./dom.js";
import { errorText } from "./feedback.js";

export interface CodexPanel {
  element: HTMLElement;
  // Asks for the content (again) and shows the panel.
  open: () => void;
}

// `cls` names the section and `listClass` its list; `load` answers with
// what the list shows.
export function codexPanel(cls: string, title: string, listClass: string,
                           load: () => Promise<Node[]>): CodexPanel {
  const list = h("div", { class: listClass, "aria-live": "polite" });
  const close = button("Close", () => { element.hidden = true; });
  const element = h("section", { class: cls, hidden: "", "aria-label": title },
    h("div", { class: "row" }, h("h2", {}, title), close), list);
  let asked = 0;
  const open = () => {
    element.hidden = false;
    element.scrollIntoView({ block: "nearest" });
    list.replaceChildren(h("p", { class: "muted small" }, "Asking Codex…"));
    const mine = ++asked;
    void (async () => {
      try {
        const shown = await load();
        if (mine === asked) list.replaceChildren(...shown);
      } catch (err) {
        if (mine === asked) list.replaceChildren(h("p", { class: "error small" }, errorText(err)));
      }
    })();
  };
  return { element, open };
}
