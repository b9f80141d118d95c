/* Hocso offline reading, the page side (loaded on learners' pages only).
 *
 * Registers the service worker (sw.js), saves a course when she presses "Save for offline
 * reading", and sends what she did offline once the connection is back. Without this script,
 * or in a browser without service workers, every page works exactly as before.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !("serviceWorker" in navigator) || !window.caches) return;
  var user = script.dataset.user;
  var csrf = script.dataset.csrf;
  var SAVED = "hocso-offline:";
  var PENDING = "hocso-pending:";
  var SAVING_HEADER = "Hocso-Offline-Save";

  var box = document.getElementById("offline-save");
  // The button shows only once the worker is in place (a browser may refuse it: then the
  // course is simply not offered for saving).
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(offerSaving, function () {});
  forgetOtherAccounts().then(sendPending).then(showState);
  window.addEventListener("online", function () { sendPending().then(showState); });

  /** What another account saved on this device is not hers to read or to send. */
  async function forgetOtherAccounts() {
    var names = await caches.keys();
    await Promise.all(names.filter(function (name) {
      return (name.startsWith(SAVED) || name.startsWith(PENDING)) &&
        name !== SAVED + user && name !== PENDING + user;
    }).map(function (name) { return caches.delete(name); }));
  }

  /** Send each noted event; a 204 or a refusal (403, 404) ends it, anything else keeps it. */
  async function sendPending() {
    if (!navigator.onLine) return;
    var pending = await caches.open(PENDING + user);
    var requests = await pending.keys();
    for (var i = 0; i < requests.length; i++) {
      var response;
      try {
        response = await fetch(requests[i].url, {
          method: "POST", headers: { "X-CSRFToken": csrf }, redirect: "manual",
          credentials: "same-origin",
        });
      } catch (error) {
        return; // offline again: try on the next "online"
      }
      if (response.status === 204 || response.status === 403 || response.status === 404) {
        await pending.delete(requests[i]);
      }
    }
  }

  function offerSaving() {
    if (!box) return;
    box.hidden = false;
    box.querySelector("button").addEventListener("click", function () {
      save(box).then(showState);
    });
  }

  async function showState() {
    if (!box) return;
    var pending = await (await caches.open(PENDING + user)).keys();
    var mark = box.querySelector(".offline-pending");
    mark.hidden = pending.length === 0;
    mark.textContent = pending.length ? box.dataset.pending : "";
    var copy = await caches.match(location.pathname, { ignoreVary: true });
    if (copy && !box.dataset.state) say(box, "saved");
  }

  function say(box, state) {
    box.dataset.state = state;
    box.querySelector(".offline-status").textContent = box.dataset[state];
  }

  async function save(box) {
    var button = box.querySelector("button");
    button.disabled = true;
    say(box, "saving");
    try {
      var manifest = await fetched(box.dataset.manifest, {});
      var list = await manifest.json();
      var cache = await caches.open(SAVED + user);
      var urls = list.pages.concat(list.assets, [list.fallback]);
      for (var i = 0; i < urls.length; i++) {
        var headers = {};
        headers[SAVING_HEADER] = "1";
        await cache.put(urls[i], await fetched(urls[i], headers));
      }
      say(box, "saved");
    } catch (error) {
      say(box, "failed");
    } finally {
      button.disabled = false;
    }
  }

  /** A same-origin answer that is the page itself: not an error, not a redirect to login. */
  async function fetched(url, headers) {
    var response = await fetch(url, { headers: headers, credentials: "same-origin" });
    if (!response.ok || response.redirected) throw new Error(url + ": " + response.status);
    return response;
  }
})();
