/* Hocso offline reading, the service worker.
 *
 * When the network fails it answers with the pages a learner saved (offline.js stores them in
 * the cache "hocso-offline:<user>"), and it notes what she does meanwhile -- a module opened, a
 * module marked as read -- in "hocso-pending:<user>", for offline.js to send once she is back
 * online. Quiz and attempt pages are never stored: they hold answers and need the server.
 */
"use strict";

const SAVED = "hocso-offline:";
const PENDING = "hocso-pending:";
const NEVER_STORED = /^\/(attempts\/|courses\/[^/]+\/modules\/[^/]+\/quiz)/;
const MODULE_PAGE = /^\/courses\/[^/]+\/modules\/[^/]+$/;
const MARK_READ = /^(\/courses\/[^/]+)\/modules\/[^/]+\/read$/;
const FALLBACK = "/offline";
const SLOW_NETWORK_MS = 8000; // then a saved copy beats waiting on a weak signal
const MATCH = { ignoreVary: true };

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && request.method === "GET") {
    event.respondWith(openPage(request, url.pathname));
  } else if (request.mode === "navigate" && request.method === "POST") {
    event.respondWith(sendForm(request, url.pathname));
  } else if (request.destination === "style" || request.destination === "image") {
    event.respondWith(savedFile(request)); // pages fetched by a script (saving) go to the network
  }
});

/** The saved-course cache and whose it is, or null when she saved nothing. */
async function saved() {
  const name = (await caches.keys()).find((key) => key.startsWith(SAVED));
  return name ? { cache: await caches.open(name), user: name.slice(SAVED.length) } : null;
}

async function note(user, path) {
  const pending = await caches.open(PENDING + user);
  await pending.put(path, new Response(""));
}

function withinPatience(promise) {
  return Promise.race([promise, new Promise((_, fail) => setTimeout(fail, SLOW_NETWORK_MS))]);
}

/** The network's page (refreshing a saved copy); the saved copy when the network fails. */
async function openPage(request, path) {
  const store = NEVER_STORED.test(path) ? null : await saved();
  const copy = store ? await store.cache.match(request, MATCH) : undefined;
  const network = fetch(request);
  network.catch(() => undefined); // a late failure after the saved copy was shown is no error
  try {
    const response = await (copy ? withinPatience(network) : network);
    if (copy && response.ok && !response.redirected) await store.cache.put(request, response.clone());
    return response;
  } catch (error) {
    if (copy && MODULE_PAGE.test(path)) await note(store.user, path + "/offline/opened");
    return copy || (await fallback(store));
  }
}

/** A form sent offline: "mark as read" is noted for later, anything else needs the network. */
async function sendForm(request, path) {
  try {
    return await fetch(request);
  } catch (error) {
    const store = await saved();
    const read = path.match(MARK_READ);
    if (!store || !read) return fallback(store);
    await note(store.user, path.replace(/\/read$/, "/offline/read"));
    return Response.redirect(read[1], 303);
  }
}

async function savedFile(request) {
  const store = await saved();
  const copy = store ? await store.cache.match(request, MATCH) : undefined;
  return copy || fetch(request);
}

async function fallback(store) {
  return (store && (await store.cache.match(FALLBACK, MATCH))) || Response.error();
}
