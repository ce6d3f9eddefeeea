{% load static %}/* The officer's pages without signal (issue 12). Served by visits.views.field_sync
   at /visits/sw.js, so its scope is /visits/. Workbox is vendored (static/vendor/workbox-7.4.1). */
const MODULES = {
  "workbox-core": "{% static 'vendor/workbox-7.4.1/workbox-core.prod.js' %}",
  "workbox-routing": "{% static 'vendor/workbox-7.4.1/workbox-routing.prod.js' %}",
  "workbox-strategies": "{% static 'vendor/workbox-7.4.1/workbox-strategies.prod.js' %}",
  "workbox-expiration": "{% static 'vendor/workbox-7.4.1/workbox-expiration.prod.js' %}",
  "workbox-cacheable-response": "{% static 'vendor/workbox-7.4.1/workbox-cacheable-response.prod.js' %}",
};
importScripts("{% static 'vendor/workbox-7.4.1/workbox-sw.js' %}");
workbox.setConfig({ debug: false, modulePathCb: (name) => MODULES[name] });

const PAGES = "fi-pages-v1";
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

// The officer's pages (the day, each visit, the pre-check): the network first, the copy kept
// when there is no signal (after 4 s of a poor one). Only GETs; a POST is never cached or
// replayed here: the page's outbox (outbox.js) keeps actions with their nonces.
workbox.routing.registerRoute(
  ({ request, url }) => request.mode === "navigate" && url.pathname.startsWith("/visits/"),
  new workbox.strategies.NetworkFirst({
    cacheName: PAGES,
    networkTimeoutSeconds: 4,
    // The pages vary on Cookie and Accept-Language; a kept page is this phone's own, and the
    // requests the page and the worker make carry those headers differently.
    matchOptions: { ignoreVary: true },
    plugins: [
      new workbox.cacheableResponse.CacheableResponsePlugin({ statuses: [200] }),
      // No age limit: the network is always tried first, and a page kept from yesterday is
      // still better than none at the gate (it shows the state it was kept in).
      new workbox.expiration.ExpirationPlugin({ maxEntries: 80 }),
    ],
  })
);
// Styles and scripts: the copy at once, refreshed in the background.
workbox.routing.registerRoute(
  ({ request, url }) => url.pathname.startsWith("{% get_static_prefix %}") && request.method === "GET",
  new workbox.strategies.StaleWhileRevalidate({ cacheName: "fi-static-v1" })
);
