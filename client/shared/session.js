// Who is signed in on this page, their CSRF token, and signing out: one observable
// that an app's screens read and watch, so no screen imports its app's main module.
// An app may keep the session on the device (keepOnDevice), to open signed in while
// the node is away.

import { api, ApiError, isOffline, setCsrf } from "./api.js";

/**
 * me: the signed-in person or null; online: whether the node answered last; pending: the
 * id of a sign-in made on this device with the node away, not yet checked by the node,
 * else false; accommodations: what the learner profile asks of the app (read_aloud,
 * extra_time, larger_text, fewer_choices, high_contrast), each true or false;
 * districtAdmin: an admin of the hub's district office, who sees and starts every school.
 */
export const session = { me: null, online: true, pending: false, accommodations: {}, districtAdmin: false };

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

/** How long a session check waits for the node when the device has a session to open with. */
const QUICK_MS = 2500;

/** Start the session a sign-in or GET /auth/me answered ({person, csrf_token}); pending: as in session. */
export function startSession(reply, { pending = false } = {}) {
  session.me = reply.person;
  session.pending = pending;
  session.accommodations = reply.accommodations || {};
  session.districtAdmin = Boolean(reply.district_admin);
  setCsrf(reply.csrf_token);
  if (deviceKey) {
    localStorage.setItem(
      deviceKey,
      JSON.stringify({ person: reply.person, csrf: reply.csrf_token, pending, accommodations: session.accommodations }),
    );
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
 * End at the node a session signed out while it was away (its cookie is still the
 * browser's): so the app never reopens as the previous student. True once none is left.
 */
export async function endSignedOut() {
  const key = deviceKey && `${deviceKey}.signedout`;
  const left = key && JSON.parse(localStorage.getItem(key) || "null");
  if (!left) return true;
  setCsrf(left.csrf);
  try {
    await api("POST", "/auth/logout", undefined, { timeoutMs: QUICK_MS });
  } catch (error) {
    if (isOffline(error) || error.status >= 500) {
      setCsrf(session.me && !session.pending ? JSON.parse(localStorage.getItem(deviceKey) || "{}").csrf : "");
      return false;
    }
    // 401/403: that session is already over (or another sign-in replaced the cookie).
  }
  localStorage.removeItem(key);
  setCsrf(session.me && !session.pending ? JSON.parse(localStorage.getItem(deviceKey) || "{}").csrf : "");
  return true;
}

/**
 * Restore the node's session if its person has one of roles or, with the node away,
 * the one kept on this device. Returns the person signed in (whatever their role), or null.
 */
export async function restoreSession(roles) {
  const saved = deviceKey ? JSON.parse(localStorage.getItem(deviceKey) || "null") : null;
  try {
    // A student signed out while the node was away: end that session first.
    if (!(await endSignedOut()) && saved) throw new ApiError(0);
    // With a session kept on the device, a node that hangs is not waited for long.
    const me = await api("GET", "/auth/me", undefined, saved ? { timeoutMs: QUICK_MS } : undefined);
    if (saved?.pending && me.person.id !== saved.person.id) throw new ApiError(401);
    if (roles.includes(me.person.role)) startSession(me);
    return me.person;
  } catch (error) {
    if (saved?.pending) {
      // Signed in here with the node away, not checked yet: keep working as them.
      startSession({ person: saved.person, csrf_token: "", accommodations: saved.accommodations }, { pending: saved.pending });
      return saved.person;
    }
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
  const saved = deviceKey ? JSON.parse(localStorage.getItem(deviceKey) || "null") : null;
  if (!session.pending) {
    try {
      await api("POST", "/auth/logout", undefined, { timeoutMs: QUICK_MS });
    } catch (error) {
      // The node is away: end the session there as soon as it answers (endSignedOut),
      // so the app does not reopen as this student when the link is back.
      if (deviceKey && (isOffline(error) || error.status >= 500)) {
        localStorage.setItem(`${deviceKey}.signedout`, JSON.stringify({ csrf: saved?.csrf || "" }));
      }
    }
  }
  if (deviceKey) localStorage.removeItem(deviceKey);
  session.me = null;
  session.pending = false;
  session.accommodations = {};
  session.districtAdmin = false;
  setCsrf("");
  changed();
}

/** Record whether the node answered the last call that needed it. */
export function setOnline(online) {
  if (session.online === online) return;
  session.online = online;
  changed();
}
