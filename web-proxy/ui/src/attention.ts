// Getting a person's attention for what waits on them while they look
// elsewhere: the tab's title counts the pending approvals ("(2) title"),
// and, once they allow it, a system notification announces each approval
// that arrives while the page is hidden, and is closed when the approval
// is decided (here or by another client). Notifications need the browser's
// Notification API and a secure context (HTTPS, or http://localhost).
import { button } from "./dom.js";

const supported = () => "Notification" in window && window.isSecureContext;

// The tab's title: `base`, after the count of pending approvals if any.
export function setTitle(base: string, pending: number): void {
  const title = pending > 0 ? `(${pending}) ${base}` : base;
  if (document.title !== title) document.title = title;  // called per batch of events
}

// Whether the browser can still be asked to notify: it can notify here
// and the person has not answered yet.
export const canAsk = () => supported() && Notification.permission === "default";

// A button that asks the browser's permission to notify; null where it
// cannot be asked. It hides itself once the person answers.
export function notifyButton(): HTMLButtonElement | null {
  if (!canAsk()) return null;
  const b = button("Notify me of approvals", async () => {
    await Notification.requestPermission();
    b.hidden = !canAsk();
  });
  b.title = "A system notification when Codex asks for approval while this page is hidden";
  return b;
}

// What waits on the person, keyed by an id (an approval id, or a session
// id on the list page), with the words of its notification.
export interface Waiting {
  title: string;
  body: string;
}

// Keeps one notification per waiting thing: shows one for each id first
// seen while the page is hidden, and closes it when the id is no longer
// waiting. `open` is called when the person clicks one.
export class Announcer {
  private readonly seen = new Set<string>();
  private readonly shown = new Map<string, Notification>();

  constructor(private readonly open: (id: string) => void) {}

  // The ids waiting now, each with its words.
  update(waiting: Map<string, Waiting>): void {
    for (const [id, note] of this.shown) {
      if (!waiting.has(id)) {
        note.close();
        this.shown.delete(id);
      }
    }
    for (const id of [...this.seen]) if (!waiting.has(id)) this.seen.delete(id);
    for (const [id, what] of waiting) {
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      if (!document.hidden || !supported() || Notification.permission !== "granted") continue;
      try {
        // The tag replaces a notification of the same id from another tab.
        const note = new Notification(what.title, { body: what.body, tag: id });
        note.onclick = () => {
          window.focus();
          this.open(id);
          note.close();
        };
        this.shown.set(id, note);
      } catch {
        // Some browsers (Android Chrome) only notify from a service worker;
        // the title still counts.
      }
    }
  }

  // Closes what is shown (the view is left).
  close(): void {
    for (const note of this.shown.values()) note.close();
    this.shown.clear();
  }
}
