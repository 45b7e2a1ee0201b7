// The student app's service worker, served at /sw.js so its scope is the whole node.
// - The app shell (page, modules, catalogs, font, pictures) is cached whole at install,
//   under this version, and served from that cache: a page never mixes modules of two
//   versions. What is missing from it (the cache cleared by the browser or the user)
//   is fetched again at the next page load.
// - A new version installs beside the old one and waits: it takes over only when the
//   page asks (app.js, at home or the sign-in screen), and the page then reloads whole.
//   The node serves this file with VERSION replaced by a digest of the app's files
//   (server/pages/site.py), so every upgrade of the node is a new worker.
// - Pack files (/api/v1/assets/<sha256>) never change: cache first.
// - Other API reads go to the node first and fall back to the last answer cached,
//   so a student's activities, home and mastery open with the node unreachable.
//   Sign-in and session are never cached: they must not outlive a student. (The app
//   keeps the sign-in lists itself, for a child to sign in with the node away: signin.js.)
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
  "/client/student/check.js", "/client/student/photo.js", "/client/student/pending.js",
  "/client/student/speak.js",
  "/client/i18n/index.json", "/client/i18n/en.json", "/client/i18n/fr.json", // the offered languages
  "/static/img/pictures.svg", "/static/img/icons.svg",
  "/static/fonts/andika/andika-latin-400-normal.woff2",
  "/static/fonts/andika/andika-latin-700-normal.woff2",
];
const NEVER_CACHED = ["/api/v1/auth/", "/api/v1/signin/", "/api/v1/classes/"];

let firstInstall = false;

self.addEventListener("install", (event) => {
  // The first worker takes the page at once; a new version waits for the page's word.
  firstInstall = !self.registration.active;
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL))
    .then(() => firstInstall && self.skipWaiting()));
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "take-over") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("baobab-shell-") && name !== SHELL_CACHE) await caches.delete(name);
    }
    if (firstInstall) await self.clients.claim();
  })());
});

/** Put back what is missing from the shell (the cache cleared under a working worker). */
async function refillShell() {
  const cache = await caches.open(SHELL_CACHE);
  for (const path of SHELL) {
    if (await cache.match(path)) continue;
    try {
      const response = await fetch(path, { cache: "no-cache" });
      if (response.ok) await cache.put(path, response);
    } catch {
      return; // the node is away: next load
    }
  }
}

/** The shell of this version from its cache; what it lacks from the node (and kept). */
async function fromShell(request, key) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(key || request);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) cache.put(key || request, response.clone());
  return response;
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
    event.respondWith(fromShell(request, "/student/"));
    event.waitUntil(refillShell());
  } else if (path.startsWith("/client/") || path.startsWith("/static/")) {
    event.respondWith(fromShell(request));
  } else if (path.startsWith("/api/v1/assets/")) {
    event.respondWith(cacheFirst(request));
  } else if (path.startsWith("/api/v1/") && !NEVER_CACHED.some((p) => path.startsWith(p))) {
    event.respondWith(networkFirst(request));
  }
});
