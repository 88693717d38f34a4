/* Athlete pages: send forms without losing them on a poor connection.
 *
 * A form with data-queue is posted with fetch. When the network fails, the exact payload
 * (with its client key) is kept on the phone in IndexedDB (idb-keyval), shown as
 * "waiting to send", and re-sent when the connection returns or the next page loads. The
 * server stores each client key once, so a retry can never create a second record.
 * Every word it shows comes from the page, translated: the data-* attributes of #queue-status
 * (templates/me/base.html).
 */
(function () {
  "use strict";
  var idb = window.idbKeyval;
  var PREFIX = "sb-queue:";
  var athlete = document.body.dataset.athlete;
  var status = document.getElementById("queue-status");
  var flushing = false;
  // One waiting entry is named by its form's data-queue: the #queue-status attribute with its words.
  var PENDING_ONE = { checkin: "pendingCheckin", recovery: "pendingRecovery" };

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return null; // keep the key the server rendered
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // A page restored from the service worker's cache carries an old key: give every form a
  // fresh one on load. (A bfcache restore keeps its key, so a back-button resubmit replays.)
  function freshKeys(root) {
    root.querySelectorAll("form[data-queue] input[name=client_key]").forEach(function (input) {
      var key = uuid();
      if (key) input.value = key;
    });
  }

  // A text of the page's language, from #queue-status's data-* attributes ("" when missing).
  function words(name) {
    return (status && status.dataset[name]) || "";
  }

  function showStatus(text, sent) {
    if (!status) return;
    status.textContent = text;
    status.hidden = !text;
    status.classList.toggle("sent", !!sent);
  }

  function pending() {
    if (!idb) return Promise.resolve([]);
    return idb.entries().then(function (entries) {
      return entries
        .filter(function (e) { return String(e[0]).indexOf(PREFIX) === 0 && e[1].athlete === athlete; })
        .map(function (e) { return e[1]; })
        .sort(function (a, b) { return a.queuedAt - b.queuedAt; });
    });
  }

  function describePending(items) {
    if (!items.length) return "";
    if (items.length > 1) return words("pendingMany").replace("{count}", String(items.length));
    return words(PENDING_ONE[items[0].kind] || "pendingOne");
  }

  function refreshStatus() {
    return pending().then(function (items) { if (items.length) showStatus(describePending(items)); });
  }

  // Replace the page's main content with the server's answer (the saved page, or the form
  // with its errors next to the fields).
  function render(response, html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var main = doc.getElementById("main");
    if (!main) { window.location.assign(response.url); return; }
    document.getElementById("main").innerHTML = main.innerHTML;
    document.title = doc.title;
    // What the server said (saved, or why not) is at the top: show it, and move focus there
    // so a screen reader reads it too.
    var notice = document.querySelector("#main .form-errors, #main .messages");
    if (notice) {
      notice.setAttribute("tabindex", "-1");
      notice.focus({ preventScroll: true });
      notice.scrollIntoView({ block: "center" });
    } else {
      window.scrollTo(0, 0);
    }
    if (response.url && response.url !== window.location.href) {
      history.replaceState(null, "", response.url);
    }
  }

  function post(item) {
    var body = new URLSearchParams(item.body);
    body.set("csrfmiddlewaretoken", csrfToken() || body.get("csrfmiddlewaretoken"));
    return fetch(item.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    });
  }

  // Keep the entry when the server could not take it now: an error on its side, or the
  // session has ended (it answers with the sign-in page).
  function mustWait(response) {
    return response.status >= 500 || response.status === 403 ||
      new URL(response.url).pathname.indexOf("/accounts/login") === 0;
  }

  function queue(item) {
    if (!idb) return Promise.reject(new Error("no IndexedDB"));
    return idb.set(PREFIX + item.key, item);
  }

  // Send what is waiting, oldest first. A network failure stops the round (still offline);
  // any answer from the server removes the item (stored, replayed, or refused with a reason).
  function flush() {
    if (flushing || !idb) return Promise.resolve();
    flushing = true;
    var sent = 0;
    var last = null;
    return pending().then(function (items) {
      return items.reduce(function (chain, item) {
        return chain.then(function (stop) {
          if (stop) return true;
          return post(item).then(function (response) {
            if (mustWait(response)) return true;
            return response.text().then(function (html) {
              return idb.del(PREFIX + item.key).then(function () {
                sent += 1;
                last = { response: response, html: html, ok: response.ok };
                return false;
              });
            });
          }, function () { return true; });
        });
      }, Promise.resolve(false));
    }).then(function () {
      return pending();
    }).then(function (left) {
      if (left.length) {
        showStatus(describePending(left));
      } else if (sent) {
        showStatus(last && last.ok ? words("sent") : "", true);
        if (last && new URL(last.response.url).pathname === window.location.pathname) {
          render(last.response, last.html);
        }
      }
    }).finally(function () { flushing = false; });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-logout") && window.caches) {
      // Pages of this person may sit in the offline cache: drop them on sign-out.
      caches.keys().then(function (keys) { keys.forEach(function (k) { caches.delete(k); }); });
      return;
    }
    if (!form.matches("form[data-queue]") || !window.fetch) return;
    event.preventDefault();
    if (form.dataset.busy) return; // a double tap sends once
    form.dataset.busy = "1";
    var submitter = event.submitter;
    var buttons = form.querySelectorAll("button[type=submit]");
    var body = new URLSearchParams(new FormData(form, submitter));
    if (form.dataset.queue === "checkin" && !body.get("taken_at")) {
      // The time the athlete answered, not the time a queued copy finally arrives.
      body.set("taken_at", new Date().toISOString());
    }
    var item = {
      key: body.get("client_key") || String(Date.now()),
      url: form.action,
      body: body.toString(),
      kind: form.dataset.queue,
      athlete: athlete,
      queuedAt: Date.now()
    };
    buttons.forEach(function (b) { b.disabled = true; });
    if (submitter && submitter.dataset.idle) submitter.textContent = words("saving");

    function release() {
      delete form.dataset.busy;
      buttons.forEach(function (b) { b.disabled = false; if (b.dataset.idle) b.textContent = b.dataset.idle; });
    }
    function keepForLater() {
      return queue(item).then(function () {
        form.dataset.busy = "queued";
        if (submitter) submitter.textContent = words("waiting");
        form.classList.add("queued");
        return refreshStatus();
      }, function () {
        release();
        showStatus(words("noStorage"));
      });
    }

    post(item).then(function (response) {
      if (mustWait(response)) {
        return keepForLater().then(function () {
          if (response.redirected) window.location.assign(response.url);
        });
      }
      return response.text().then(function (html) {
        render(response, html);
        freshKeys(document);
        refreshStatus();
      });
    }, keepForLater);
  });

  window.addEventListener("online", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") flush();
  });
  // Some phones report "online" late or never: try again every 20 s while something waits.
  setInterval(function () {
    pending().then(function (items) { if (items.length && navigator.onLine !== false) flush(); });
  }, 20000);

  freshKeys(document);
  refreshStatus().then(function () { if (navigator.onLine !== false) flush(); });

  if ("serviceWorker" in navigator && document.body.dataset.sw) {
    navigator.serviceWorker.register(document.body.dataset.sw, { scope: "/me/" }).catch(function () {});
  }
})();
