{% load static %}/* Sprintback service worker (scope /me/): the athlete pages open without a connection.
 * Pages: network first, the last copy when offline. Static files: cached, refreshed in the
 * background. Posts are never touched here: the page keeps unsent entries (static/js/me.js). */
importScripts("{% static 'vendor/workbox-7.4.1/workbox-sw.js' %}");
var MODULES = {
  "workbox-core": "{% static 'vendor/workbox-7.4.1/workbox-core.prod.js' %}",
  "workbox-routing": "{% static 'vendor/workbox-7.4.1/workbox-routing.prod.js' %}",
  "workbox-strategies": "{% static 'vendor/workbox-7.4.1/workbox-strategies.prod.js' %}",
  "workbox-expiration": "{% static 'vendor/workbox-7.4.1/workbox-expiration.prod.js' %}"
};
workbox.setConfig({ debug: false, modulePathCb: function (name) { return MODULES[name]; } });
// Load every module now: importScripts is not allowed after installation.
var core = workbox.core, routing = workbox.routing, strategies = workbox.strategies,
  expiration = workbox.expiration;

// A new version takes over at once (the pages carry no state the old one depends on).
self.addEventListener("install", function () { self.skipWaiting(); });
core.clientsClaim();

routing.registerRoute(
  function (ctx) { return ctx.request.mode === "navigate" && ctx.url.pathname.indexOf("/me/") === 0; },
  new strategies.NetworkFirst({
    cacheName: "sb-pages",
    networkTimeoutSeconds: 5,
    plugins: [new expiration.ExpirationPlugin({ maxEntries: 20, maxAgeSeconds: 7 * 24 * 3600 })]
  })
);
routing.registerRoute(
  function (ctx) { return ctx.url.origin === self.location.origin && ctx.url.pathname.indexOf("{% get_static_prefix %}") === 0; },
  new strategies.StaleWhileRevalidate({
    cacheName: "sb-static",
    plugins: [new expiration.ExpirationPlugin({ maxEntries: 40 })]
  })
);

// Check-in reminders (Web Push, rehab.reminders): show the message, and a tap opens the
// athlete's pages (an open tab of them if there is one).
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data.text() }; }
  event.waitUntil(self.registration.showNotification(data.title || "Sprintback", {
    body: data.body || "",
    icon: "{% static 'img/icon-192.png' %}",
    tag: "checkin-reminder",
    data: { url: data.url || "/me/" }
  }));
});
self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/me/";
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (tabs) {
    for (var i = 0; i < tabs.length; i++) {
      if (new URL(tabs[i].url).pathname.indexOf("/me/") === 0 && "focus" in tabs[i]) {
        return tabs[i].navigate(url).then(function (tab) { return (tab || tabs[i]).focus(); });
      }
    }
    return self.clients.openWindow(url);
  }));
});
