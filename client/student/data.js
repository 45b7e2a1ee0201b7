// What the home screen shows: the node's GET /people/ID/home (the personalization
// engine) gives it in one call. The last home is kept per student on the tablet for
// when the node cannot be reached.

import { api, isOffline } from "../shared/api.js";
import { language } from "../shared/i18n.js";
import { setAccommodations } from "../shared/session.js";

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

/**
 * A student's home: {person, continue, recommendations, assignments, goals, mastery,
 * teacher_words, offline}. With the node away, the home last kept on this tablet, with
 * the activity the child is in the middle of on this tablet as "Continue".
 */
export async function loadHome(personId) {
  let home;
  const local = JSON.parse(localStorage.getItem(continueKey(personId)) || "null");
  try {
    // With a home kept on the tablet, a node that hangs is waited for only a moment.
    const kept = localStorage.getItem(homeKey(personId)) ? { timeoutMs: 2500 } : undefined;
    home = await api("GET", `/people/${personId}/home?language=${language()}`, undefined, kept);
  } catch (error) {
    const saved = localStorage.getItem(homeKey(personId));
    if (isOffline(error) && saved) return withContinue({ ...JSON.parse(saved), offline: true }, local);
    throw error;
  }
  if (home.fromCache) {
    const saved = localStorage.getItem(homeKey(personId));
    return withContinue({ ...(saved ? JSON.parse(saved) : home), offline: true }, local);
  }
  home.teacher_words ??= [];
  home.continue = local || home.continue;
  localStorage.setItem(homeKey(personId), JSON.stringify(home));
  localStorage.setItem(wordsKey(personId), JSON.stringify(home.teacher_words));
  if (home.accommodations) setAccommodations(home.accommodations);
  return home;
}

function withContinue(home, local) {
  return { ...home, continue: local || home.continue || null, teacher_words: home.teacher_words || [] };
}

// ---------------------------------------------------------------- the teacher's words
// Kept per student on the tablet with the last home, so they show offline. Which of them
// the child has seen is kept on the tablet too (see docs/student-app.md for why).

const wordsKey = (personId) => `baobab.words.${personId}`;
const seenKey = (personId) => `baobab.words-seen.${personId}`;
const SEEN_KEPT = 500;

/** The teacher's words last fetched for a student (feedback and notes), newest first. */
export function teacherWords(personId) {
  return JSON.parse(localStorage.getItem(wordsKey(personId)) || "[]");
}

/** The keys of the words a student has already seen on this tablet. */
export function seenWords(personId) {
  return new Set(JSON.parse(localStorage.getItem(seenKey(personId)) || "[]"));
}

/** Remember that a student has now seen these words (their "new" mark goes next time). */
export function markSeen(personId, words) {
  const seen = seenWords(personId);
  const fresh = words.map((w) => w.key).filter((key) => !seen.has(key));
  if (!fresh.length) return;
  localStorage.setItem(seenKey(personId), JSON.stringify([...fresh, ...seen].slice(0, SEEN_KEPT)));
}

/** The title of an activity this tablet has seen listed (home, continue), or null. */
export function knownTitle(personId, activityId) {
  const home = JSON.parse(localStorage.getItem(homeKey(personId)) || "null");
  const local = JSON.parse(localStorage.getItem(continueKey(personId)) || "null");
  const listed = [local, home?.continue, ...(home?.recommendations || []), ...(home?.assignments || [])];
  return listed.find((a) => a?.activity_id === activityId)?.title || null;
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

/**
 * Wait until the service worker controls this page, as it does once its first install
 * has kept the shell: however long that takes on a slow tablet (a fixed wait gave up).
 */
async function workerInControl() {
  if (!("serviceWorker" in navigator)) return false;
  if (navigator.serviceWorker.controller) return true;
  return new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true), { once: true }));
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
