// Who is signed in on this page, their CSRF token, and signing out: one observable
// that an app's screens read and watch, so no screen imports its app's main module.
// An app may keep the session on the device (keepOnDevice), to open signed in while
// the node is away.

import { api, isOffline, setCsrf } from "./api.js";

/**
 * me: the signed-in person ({id, role, display_name, …}) or null; online: whether the node
 * answered last; accommodations: what the student's learner profile asks of the app, each
 * true or false (read_aloud, extra_time, larger_text, fewer_choices, high_contrast).
 */
export const session = { me: null, online: true, accommodations: {} };

const listeners = new Set();
let deviceKey = null;

/** Call fn(session) after every change; returns a function that stops it. */
export function subscribe(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function changed() {
  for (const fn of listeners) fn(session);
}

/** Keep the session in localStorage under key, so the app opens signed in with the node away. */
export function keepOnDevice(key) {
  deviceKey = key;
}

/** Start the session a sign-in (or GET /auth/me) answered with: {person, csrf_token}. */
export function startSession(reply) {
  session.me = reply.person;
  session.accommodations = reply.accommodations || {};
  setCsrf(reply.csrf_token);
  if (deviceKey) {
    localStorage.setItem(deviceKey, JSON.stringify({ person: reply.person, csrf: reply.csrf_token, accommodations: session.accommodations }));
  }
  changed();
}

/** Take a newer copy of the student's accommodations (a teacher changed the profile). */
export function setAccommodations(accommodations) {
  if (!session.me || !accommodations || JSON.stringify(accommodations) === JSON.stringify(session.accommodations)) return;
  session.accommodations = accommodations;
  const saved = deviceKey ? JSON.parse(localStorage.getItem(deviceKey) || "null") : null;
  if (saved?.person?.id === session.me.id) localStorage.setItem(deviceKey, JSON.stringify({ ...saved, accommodations }));
  changed();
}

/**
 * Restore the node's session if its person has one of roles or, with the node away,
 * the one kept on this device. Returns the person signed in (whatever their role), or null.
 */
export async function restoreSession(roles) {
  const saved = deviceKey ? JSON.parse(localStorage.getItem(deviceKey) || "null") : null;
  try {
    const me = await api("GET", "/auth/me");
    if (roles.includes(me.person.role)) startSession(me);
    return me.person;
  } catch (error) {
    if (isOffline(error) && saved) {
      // The node is away: keep working as the person this device last had.
      startSession({ person: saved.person, csrf_token: saved.csrf, accommodations: saved.accommodations });
      return saved.person;
    }
    if (deviceKey) localStorage.removeItem(deviceKey);
    return null;
  }
}

/** Sign out at the node, where it answers, and end the session on this page. */
export async function signOut() {
  try {
    await api("POST", "/auth/logout");
  } catch {
    // Offline: the cookie goes at the next sign-in, which replaces the session.
  }
  if (deviceKey) localStorage.removeItem(deviceKey);
  session.me = null;
  session.accommodations = {};
  setCsrf("");
  changed();
}

/** Record whether the node answered the last call that needed it. */
export function setOnline(online) {
  if (session.online === online) return;
  session.online = online;
  changed();
}
