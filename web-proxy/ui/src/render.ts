// Turns text from Codex into safe HTML: Markdown replies (markdown-it, with
// raw HTML off and code blocks highlighted by highlight.js) and terminal
// output with ANSI colours (ansi_up). Whatever the renderers produce goes
// through DOMPurify before it reaches the page, so neither a reply nor a
// command's output can run script or load anything on its own.
import { AnsiUp } from "ansi_up";
import DOMPurify from "dompurify";
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import cpp from "highlight.js/lib/languages/cpp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import go from "highlight.js/lib/languages/go";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import MarkdownIt from "markdown-it";

for (const [name, language] of Object.entries({
  bash, cpp, css, diff, go, javascript, json, python, rust, sql, typescript, xml, yaml,
})) {
  hljs.registerLanguage(name, language);
}
hljs.registerAliases(["sh", "shell", "zsh", "console"], { languageName: "bash" });
hljs.registerAliases(["c", "cc", "c++", "h", "hpp"], { languageName: "cpp" });
hljs.registerAliases(["js", "mjs", "jsx"], { languageName: "javascript" });
hljs.registerAliases(["ts", "tsx"], { languageName: "typescript" });
hljs.registerAliases(["py"], { languageName: "python" });
hljs.registerAliases(["rs"], { languageName: "rust" });
hljs.registerAliases(["html", "svg"], { languageName: "xml" });
hljs.registerAliases(["yml"], { languageName: "yaml" });
hljs.registerAliases(["patch"], { languageName: "diff" });

// html: false renders any HTML in a reply as text; markdown-it's own link
// check already drops javascript:, vbscript: and most data: URLs.
const markdown = new MarkdownIt({
  html: false,
  linkify: true,
  breaks: false,
  highlight(code, lang) {
    const language = lang && hljs.getLanguage(lang) ? lang : "";
    if (!language) return "";  // markdown-it escapes it
    try {
      return hljs.highlight(code, { language, ignoreIllegals: true }).value;
    } catch {
      return "";
    }
  },
});

// Links open in a new tab and tell the target nothing about us.
DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "A" && node.hasAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

const PURIFY = {
  FORBID_TAGS: ["style", "form", "input", "textarea", "button", "iframe", "img"],
  FORBID_ATTR: ["id", "name"],
};

// A Markdown reply as sanitized HTML. Images are dropped (a reply must not
// make the browser fetch from anywhere); their alt text stays.
export function markdownHtml(text: string): string {
  const html = markdown.render(text);
  return DOMPurify.sanitize(html, PURIFY);
}

// Terminal output (with ANSI SGR colours) as sanitized HTML: escaped text
// in <span class="ansi-…"> runs; cursor movement and other control
// sequences are dropped.
export function ansiHtml(text: string): string {
  const ansi = new AnsiUp();
  ansi.use_classes = true;
  ansi.escape_html = true;
  return DOMPurify.sanitize(ansi.ansi_to_html(text), PURIFY);
}

// Whether `text` has ANSI escape sequences (then it is worth a renderer).
export const hasAnsi = (text: string) => text.includes("\u001b[");
