// The student app's service worker, served at /sw.js so its scope is the whole node.
// - The app shell (page, modules, catalogs, font, pictures) is cached at install and
//   served from the cache first, refreshed in the background (stale-while-revalidate).
// - Pack files (/api/v1/assets/<sha256>) never change: cache first.
// - Other API reads go to the node first and fall back to the last answer cached,
//   so a student's activities, home and mastery open with the node unreachable.
//   Sign-in, session and class lists are never cached: they must not outlive a student.
// - Writes are never touched here: the app's IndexedDB outbox owns them.

const VERSION = "v5";
const SHELL_CACHE = `baobab-shell-${VERSION}`;
const DATA_CACHE = "baobab-data";
const API_TIMEOUT_MS = 5000;
const SHELL = [
  "/student/",
  "/client/shared/api.js", "/client/shared/dom.js", "/client/shared/format.js",
  "/client/shared/i18n.js", "/client/shared/router.js", "/client/shared/session.js",
  "/client/student/words.js", "/client/student/me.js",
  "/client/student/app.js", "/client/student/outbox.js", "/client/student/data.js",
  "/client/student/signin.js", "/client/student/home.js", "/client/student/play.js",
  "/client/student/goals.js", "/client/student/history.js", "/client/student/student.css",
  "/client/student/check.js", "/client/student/photo.js",
  "/client/i18n/index.json", "/client/i18n/en.json", "/client/i18n/fr.json", "/client/i18n/ar.json",
  "/static/img/pictures.svg",
  "/static/fonts/andika/andika-latin-400-normal.woff2",
  "/static/fonts/andika/andika-latin-700-normal.woff2",
];
const NEVER_CACHED = ["/api/v1/auth/", "/api/v1/signin/", "/api/v1/classes/"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("baobab-shell-") && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function staleWhileRevalidate(request, key) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(key || request);
  const fresh = fetch(request).then((response) => {
    if (response.ok) cache.put(key || request, response.clone());
    return response;
  });
  if (cached) {
    fresh.catch(() => {});
    return cached;
  }
  return fresh;
}

async function cacheFirst(request) {
  const cache = await caches.open(DATA_CACHE);
  const cached = await cache.match(request.url);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.status === 200) cache.put(request.url, response.clone());
  return response;
}

async function networkFirst(request) {
  const cache = await caches.open(DATA_CACHE);
  try {
    const response = await Promise.race([
      fetch(request),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), API_TIMEOUT_MS)),
    ]);
    if (response.status === 200) cache.put(request.url, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request.url);
    if (cached) return markedAsCached(cached);
    throw error;
  }
}

/** A cached answer, marked so the app can say it is showing what it last saw. */
async function markedAsCached(cached) {
  const headers = new Headers(cached.headers);
  headers.set("X-Baobab-Cached", "1");
  return new Response(await cached.blob(), { status: cached.status, headers });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  const path = url.pathname;
  if (request.mode === "navigate" && (path === "/student" || path.startsWith("/student/"))) {
    event.respondWith(staleWhileRevalidate(request, "/student/"));
  } else if (path.startsWith("/client/") || path.startsWith("/static/")) {
    event.respondWith(staleWhileRevalidate(request));
  } else if (path.startsWith("/api/v1/assets/")) {
    event.respondWith(cacheFirst(request));
  } else if (path.startsWith("/api/v1/") && !NEVER_CACHED.some((p) => path.startsWith(p))) {
    event.respondWith(networkFirst(request));
  }
});
