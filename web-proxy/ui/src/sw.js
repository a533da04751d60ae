// The UI's service worker, for one thing: notifications on browsers that
// show them only from a service worker (Chrome on Android refuses
// `new Notification()`). attention.ts shows them through
// registration.showNotification with the page's address in `data.url`;
// a tap comes here. It caches nothing and handles no fetch: the UI is
// always the one the proxy serves.

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// A tap: the page that showed it, else any page of the UI, is focused and
// told which notification (it brings that approval or session into view);
// with no page open, the notification's address opens in a new one.
self.addEventListener("notificationclick", (event) => {
  const note = event.notification;
  note.close();
  const url = new URL(note.data?.url ?? "/", self.location.origin).href;
  const work = (async () => {
    const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    const page = pages.find((p) => p.url === url) ?? pages[0];
    if (!page) {
      await self.clients.openWindow(url);
      return;
    }
    // In view first (allowed only on a real tap), so that the page the
    // message opens is not hidden: what it shows is not announced again.
    await page.focus().catch(() => {});
    page.postMessage({ type: "notificationclick", tag: note.tag, url });
  })();
  // A tap keeps the worker alive until done (an event made by a script,
  // as a test's, cannot be extended).
  if (event.isTrusted) event.waitUntil(work);
});
