/* The reminder page (/me/reminders/): propose the phone's own time zone when none is chosen
 * yet, and "Turn on notifications": subscribe this phone to Web Push with the server's VAPID
 * public key and send the subscription to /api/v1/me/push-subscriptions/.
 * Loaded by templates/me/reminders.html only (the pages' CSP allows no inline script). */
(function () {
  "use strict";

  var zone = document.querySelector("select[data-browser-zone]");
  if (zone && window.Intl) {
    var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (mine && zone.querySelector('option[value="' + mine.replace(/"/g, "") + '"]')) zone.value = mine;
  }

  var card = document.getElementById("push");
  if (!card || !card.dataset.pushKey || !("serviceWorker" in navigator) || !("PushManager" in window)) return;
  var button = document.getElementById("push-on");
  var status = document.getElementById("push-status");
  card.hidden = false;

  function say(which) { status.textContent = status.dataset[which] || ""; }

  function serverKey(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var key = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) key[i] = raw.charCodeAt(i);
    return key;
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function send(subscription) {
    var body = subscription.toJSON();
    return fetch(card.dataset.pushApi, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ endpoint: body.endpoint, keys: body.keys })
    }).then(function (response) { if (!response.ok) throw new Error(String(response.status)); });
  }

  function subscribed(registration) {
    return registration.pushManager.getSubscription().then(function (existing) {
      return existing || registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: serverKey(card.dataset.pushKey)
      });
    });
  }

  // Already allowed on this phone: keep the server's copy current, without a tap.
  if (window.Notification && Notification.permission === "granted") {
    navigator.serviceWorker.ready.then(subscribed).then(send).then(function () { say("on"); }, function () {});
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { say("denied"); return; }
      return navigator.serviceWorker.ready.then(subscribed).then(send).then(function () { say("on"); });
    }).catch(function () { say("failed"); }).finally(function () { button.disabled = false; });
  });
})();
