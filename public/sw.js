// Gatewatch service worker: the app shell works with no network at all.
//
// The precache list and BUILD_HASH are written in by scripts/precache.mjs after each
// trunk build (a hash of the built files' contents), so every new build gets a new
// cache and old caches are deleted when the new worker activates. A new worker waits
// until the app asks it to take over ("update available"), so a running shift is never
// broken by an update mid-entry. /api/ is never cached: sync talks to the server.

const BUILD_HASH = '__GATEWATCH_BUILD_HASH__';
const PRECACHE = /*__GATEWATCH_PRECACHE__*/[];
const CACHE = 'gatewatch-' + BUILD_HASH;
const SHELL = '/index.html';

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith('gatewatch-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  // The admins' page and the managers' console (/console/, an app of its own) are not
  // this app: never answer them from its cache or with its shell.
  if (['/admin', '/console'].some((p) => url.pathname === p || url.pathname.startsWith(`${p}/`))) return;
  if (req.mode === 'navigate') {
    // Every screen is the same single-page app.
    event.respondWith(
      caches.open(CACHE)
        .then((cache) => cache.match(SHELL))
        .then((hit) => hit || fetch(req)),
    );
    return;
  }
  event.respondWith(
    caches.open(CACHE)
      .then((cache) => cache.match(req))
      .then((hit) => hit || fetch(req)),
  );
});
