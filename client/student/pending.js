// A sign-in made while the node was away ("pending"): the tablet cannot check a picture
// password without keeping something that would give it away (three pictures out of a
// few dozen are guessed from any hash in seconds), so it keeps nothing. The pictures the
// child picked stay in this page's memory only; the child works at once, their work
// waits in the outbox under their name, and when the node answers again the app signs
// them in with those pictures. The node checks them, and only then is the work sent.
// If the node says no, or the page was reloaded meanwhile (the pictures are gone), the
// work keeps waiting on the tablet until that student signs in at the node.

import { api, isOffline } from "../shared/api.js";
import { endSignedOut, session, signOut, startSession } from "../shared/session.js";

let held = null; // {personId, pictures}: in memory only, never stored

/** Remember, in this page only, the pictures a student picked offline. */
export function hold(personId, pictures) {
  held = { personId, pictures: [...pictures] };
}

/** Sign in at the node: first end a session signed out while it was away. */
export async function login(studentId, pictures, options) {
  await endSignedOut();
  return api("POST", "/auth/student-login", { student_id: studentId, pictures }, options);
}

/**
 * With the node back, have it check a pending sign-in. Resolves with true when the
 * session is now the node's, false when it is not (nothing was sent for the child).
 */
export async function verify() {
  if (!(await endSignedOut())) return false;
  if (!session.me || !session.pending) return true;
  const mine = held?.personId === session.me.id ? held : null;
  if (!mine) {
    // Reloaded since (the pictures are gone): the child signs in again; their work waits.
    sessionStorage.setItem("baobab.signout.again", "1");
    await signOut();
    location.hash = "#/signin";
    return false;
  }
  try {
    startSession(await login(session.me.id, mine.pictures, { timeoutMs: 4000 }));
    held = null;
    return true;
  } catch (error) {
    if (isOffline(error) || error.status >= 500 || error.status === 429) return false; // away or busy: later
    held = null; // the node said no: the work waits for the child's own sign-in
    sessionStorage.setItem("baobab.signout.again", "1");
    await signOut();
    location.hash = "#/signin";
    return false;
  }
}
