// Getting a person's attention for what waits on them while they look
// elsewhere: the tab's title counts the pending approvals ("(2) title"),
// and, once they allow it, a system notification announces each approval
// that arrives while the page is hidden, and is closed when the approval
// is decided (here or by another client). Notifications need the browser's
// Notification API and a secure context (HTTPS, or http://localhost). Where
// the page may not make them itself (Chrome on Android), the UI's service
// worker (sw.js) shows them.
import { button } from "./dom.js";

const supported = () => "Notification" in window && window.isSecureContext;

// The service worker's registration, once registerWorker ran; null where
// there is none.
let worker: Promise<ServiceWorkerRegistration | null> = Promise.resolve(null);

// Registers sw.js (once, at start). Its taps on a notification come back
// as messages, each to the Announcer that showed it; one no Announcer
// shows any more opens the page it was shown on.
export function registerWorker(): void {
  if (!supported() || !("serviceWorker" in navigator)) return;
  worker = navigator.serviceWorker.register("/sw.js").then(() => navigator.serviceWorker.ready)
    .catch(() => null);
  navigator.serviceWorker.addEventListener("message", (ev: MessageEvent) => {
    const { type, tag, url } = (ev.data ?? {}) as { type?: string; tag?: string; url?: string };
    if (type !== "notificationclick" || typeof tag !== "string") return;
    const owner = [...announcers].find((a) => a.shows(tag));
    if (owner) owner.tapped(tag);
    else if (typeof url === "string" && url.startsWith(location.origin)) location.href = url;
  });
}

const announcers = new Set<Announcer>();

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
  // What is shown, by id: how to close it.
  private readonly shown = new Map<string, () => void>();

  constructor(private readonly open: (id: string) => void) {
    announcers.add(this);
  }

  // The ids waiting now, each with its words.
  update(waiting: Map<string, Waiting>): void {
    for (const [id, close] of this.shown) {
      if (!waiting.has(id)) {
        close();
        this.shown.delete(id);
      }
    }
    for (const id of [...this.seen]) if (!waiting.has(id)) this.seen.delete(id);
    for (const [id, what] of waiting) {
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      if (!document.hidden || !supported() || Notification.permission !== "granted") continue;
      this.shown.set(id, this.show(id, what));
    }
  }

  // Whether `id`'s notification is one this shows.
  shows(id: string): boolean {
    return this.shown.has(id);
  }

  // A tap on `id`'s notification: the page comes back at what it
  // announced, and the notification goes.
  tapped(id: string): void {
    window.focus();
    this.open(id);
    this.shown.get(id)?.();
    this.shown.delete(id);
  }

  // Closes what is shown (the view is left).
  close(): void {
    announcers.delete(this);
    for (const close of this.shown.values()) close();
    this.shown.clear();
  }

  // Shows `id`'s notification; returns how to close it. The tag replaces
  // a notification of the same id from another tab.
  private show(id: string, what: Waiting): () => void {
    try {
      const note = new Notification(what.title, { body: what.body, tag: id });
      note.onclick = () => this.tapped(id);
      return () => note.close();
    } catch {
      // Only from a service worker here (Chrome on Android).
      const shown = worker.then(async (registration) => {
        await registration?.showNotification(what.title, { body: what.body, tag: id, data: { url: location.href } });
        return registration;
      }).catch(() => null);
      return () => void shown.then(async (registration) => {
        for (const note of await registration?.getNotifications({ tag: id }) ?? []) note.close();
      }).catch(() => {});
    }
  }
}
