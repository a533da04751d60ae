// Text from outside (a command, a diff, a path Codex sends) as a person
// deciding on it must see it: the characters that would hide or reorder
// part of it are shown by name instead of obeyed. Unicode's bidirectional
// formatting characters reverse or isolate what follows them ("Trojan
// Source", CVE-2021-42574); control characters draw nothing. As the CLI
// shows them on a terminal (server/common/visible_text.h): C0 controls but
// tab and newline, and DEL, in caret notation ("^[" for ESC, "^M" for a
// carriage return that ends no line), the C1 controls and the bidi
// formatting characters as "<U+202E>".
import { h } from "./dom.js";

const HIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function visible(text: string): string {
  return text.replace(/\r\n/g, "\n").replace(HIDDEN, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return "^" + String.fromCharCode(code + 0x40);
    if (code === 0x7f) return "^?";
    return `<U+${code.toString(16).toUpperCase().padStart(4, "0")}>`;
  });
}

// An address from outside (an MCP server's page, Codex's sign-in page) in
// full, as visible() shows it: a link that opens in a new tab only to an
// http(s) page, never javascript: or data:; plain text otherwise.
export function pageLink(url: string): HTMLElement {
  return /^https?:\/\//i.test(url)
    ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, visible(url))
    : h("span", { class: "mono" }, visible(url));
}
