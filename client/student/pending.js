// A sign-in made with the node away ("pending", docs/student-app.md): the tablet keeps
// nothing that could give a picture password away; the pictures stay in this page's
// memory. The work waits, marked with the sign-in's id, until the node accepts those
// pictures; refused or lost (a reload), it is never sent under that name (outbox.js).

import { api, isOffline } from "../shared/api.js";
import { endSignedOut, session, signOut, startSession } from "../shared/session.js";
import { release } from "./outbox.js";

let held = null; // {personId, pictures, id}: in memory only, never stored

/** Remember, in this page only, the pictures a student picked offline for sign-in id. */
export function hold(personId, pictures, id) {
  held = { personId, pictures: [...pictures], id };
}

/** Sign in at the node: first end a session signed out while it was away. */
export async function login(studentId, pictures, options) {
  await endSignedOut();
  return api("POST", "/auth/student-login", { student_id: studentId, pictures }, options);
}

async function again() {
  held = null;
  sessionStorage.setItem("baobab.signout.again", "1");
  await signOut();
  location.hash = "#/signin";
  return false;
}

/**
 * With the node back, have it check a pending sign-in. Resolves with true when the
 * session is now the node's, false when it is not (nothing was sent for the child).
 */
export async function verify() {
  if (!(await endSignedOut())) return false;
  if (!session.me || !session.pending) return true;
  const mine = held?.personId === session.me.id && held.id === session.pending ? held : null;
  if (!mine) return again(); // reloaded since: the pictures are gone
  let reply;
  try {
    reply = await login(session.me.id, mine.pictures, { timeoutMs: 4000 });
  } catch (error) {
    if (isOffline(error) || error.status >= 500 || error.status === 429) return false; // away or busy: later
    return again(); // the node said no
  }
  // The marks go before the session changes, so no send meets them meanwhile.
  if (!(await release(mine.id).then(() => true, () => false))) return false;
  startSession(reply);
  held = null;
  return true;
}
