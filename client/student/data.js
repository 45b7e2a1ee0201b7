// What the home screen shows: the node's GET /people/ID/home (the personalization
// engine) gives it in one call. The last home is kept per student on the tablet for
// when the node cannot be reached.

import { api, isOffline } from "../shared/api.js";
import { language } from "../shared/i18n.js";

let activityIndex = null;

/** Every activity of the node by id (titles and kinds for lists), fetched once. */
export async function activities() {
  activityIndex ??= api("GET", "/activities?per_page=500").then((page) => new Map(page.items.map((a) => [a.id, a])));
  try {
    return await activityIndex;
  } catch (error) {
    activityIndex = null;
    throw error;
  }
}

const homeKey = (personId) => `baobab.home.${personId}.${language()}`;
const continueKey = (personId) => `baobab.continue.${personId}`;

/** Remember (or forget, with null) the activity a student is in the middle of. */
export function setContinue(personId, value) {
  if (value) localStorage.setItem(continueKey(personId), JSON.stringify(value));
  else localStorage.removeItem(continueKey(personId));
}

/** A student's home: {person, continue, recommendations, assignments, goals, mastery, offline}. */
export async function loadHome(personId) {
  let home;
  try {
    // With a home kept on the tablet, a node that hangs is waited for only a moment.
    const kept = localStorage.getItem(homeKey(personId)) ? { timeoutMs: 2500 } : undefined;
    home = await api("GET", `/people/${personId}/home?language=${language()}`, undefined, kept);
  } catch (error) {
    const saved = localStorage.getItem(homeKey(personId));
    if (isOffline(error) && saved) return { ...JSON.parse(saved), offline: true };
    throw error;
  }
  if (home.fromCache) {
    const saved = localStorage.getItem(homeKey(personId));
    return { ...(saved ? JSON.parse(saved) : home), offline: true };
  }
  const local = JSON.parse(localStorage.getItem(continueKey(personId)) || "null");
  home.continue = local || home.continue;
  localStorage.setItem(homeKey(personId), JSON.stringify(home));
  return home;
}

/** Fetch activities and their files through the service worker, so they play offline. */
export async function keepForOffline(activityIds) {
  document.body.dataset.offlineReady = "false";
  if (!(await workerInControl())) return;
  for (const id of activityIds) {
    try {
      const activity = await api("GET", `/activities/${encodeURIComponent(id)}`);
      await Promise.all(mediaOf(activity).map((m) => fetch(m.url).then((r) => r.blob())));
    } catch {
      return; // offline or gone: try again next time home loads
    }
  }
  document.body.dataset.offlineReady = "true";
}

/** Wait (a little) until the service worker controls this page, as it does after its first load. */
async function workerInControl(timeoutMs = 5000) {
  if (!("serviceWorker" in navigator)) return false;
  if (navigator.serviceWorker.controller) return true;
  return new Promise((resolve) => {
    navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true), { once: true });
    setTimeout(() => resolve(Boolean(navigator.serviceWorker.controller)), timeoutMs);
  });
}

/** URL of a pack asset ("assets/<sha256>.<ext>" in an activity body). */
export function assetUrl(path) {
  const sha = path.split("/").pop().split(".")[0];
  return `/api/v1/assets/${sha}`;
}

/** The files an activity shows or plays. */
export function mediaOf(activity) {
  return ["image", "audio", "video", "captions"]
    .filter((key) => activity.body?.[key])
    .map((key) => ({ key, url: assetUrl(activity.body[key]) }));
}
