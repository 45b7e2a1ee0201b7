// The outbox (docs/student-app.md): each answer, attempt, reflection and photo goes to
// IndexedDB first, with an id made here, then to the node in order; the same id twice
// is one event there, so retries are safe, and nothing is deleted before the node has
// it. A record goes only with its own student's session at the node (GET /auth/me: the
// cookie is shared by tabs, the CSRF token is not). Only 422/409 in the node's error
// shape are final. Work marked `unchecked` (made under a pending sign-in, pending.js)
// is its student's only once the node accepts that sign-in (release); else it goes,
// with any checked session, to the node as unclaimed work for a teacher to place.

import { api, ApiError, setCsrf } from "../shared/api.js";
import { session, setOnline } from "../shared/session.js";

const DB_NAME = "baobab";
const PATHS = { answer: "/answers", attempt: "/attempts", reflection: "/reflections", photo: "/photos" };

/** The request that sends a record (a photo: its Blob, PUT at its id). */
function request(record) {
  if (record.kind !== "photo") return ["POST", PATHS[record.kind], record.body];
  const { blob, id, ...about } = record.body;
  const query = new URLSearchParams(Object.entries(about).filter(([, v]) => v !== null && v !== undefined));
  return ["PUT", `/photos/${encodeURIComponent(id)}?${query}`, blob];
}
let dbPromise = null;
let flushing = null;
let held = false;
const listeners = new Set();

function openDb() {
  dbPromise ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      const outbox = db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
      outbox.createIndex("person", "person_id");
      db.createObjectStore("results", { keyPath: "id" });
    };
    request.onsuccess = () => {
      const db = request.result;
      // Closed under the page (storage cleared, another version opening it): open it
      // again at the next use rather than fail every use from now on.
      db.onclose = () => forget(db);
      db.onversionchange = () => {
        db.close();
        forget(db);
      };
      opened = db;
      resolve(db);
    };
    request.onerror = () => {
      dbPromise = null;
      reject(request.error);
    };
  });
  return dbPromise;
}

let opened = null; // the connection dbPromise gave

function forget(db) {
  if (opened !== db) return;
  opened = null;
  dbPromise = null;
}

/** A transaction on names, opening the database again once if it was closed under the page. */
async function transaction(names, mode) {
  const db = await openDb();
  try {
    return db.transaction(names, mode);
  } catch (error) {
    if (error?.name !== "InvalidStateError") throw error;
    forget(db);
    return (await openDb()).transaction(names, mode);
  }
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function store(name, mode = "readonly") {
  return (await transaction(name, mode)).objectStore(name);
}

/** A student's records, oldest first: none made under another's unchecked sign-in. */
export async function records(personId) {
  const all = await done((await store("outbox")).index("person").getAll(personId));
  return all.filter((r) => !r.unchecked || r.unchecked === session.pending).sort((a, b) => a.seq - b.seq);
}

const committed = (tx) => new Promise((ok, no) => { tx.oncomplete = ok; tx.onerror = () => no(tx.error); });

/** The node accepted pending sign-in id's pictures: its marked work is its student's. */
export async function release(id) {
  const outbox = await store("outbox", "readwrite");
  for (const r of await done(outbox.getAll())) if (r.unchecked === id) outbox.put({ ...r, unchecked: null });
  await committed(outbox.transaction);
}

/** Whether the node refused a record for what it is (not for who sent it): final. */
function isFinal(error) {
  return (error?.status === 422 || error?.status === 409) && Boolean(error.code);
}

/** Whether a record is refused for good (a record an older app flagged for a 403 is not). */
const refused = (record) => record.state === "rejected" && isFinal(record.error);

/** How many of a student's records wait to be sent, and how many the node refused for good. */
export async function counts(personId) {
  const all = await records(personId);
  const rejected = all.filter(refused).length;
  return { waiting: all.length - rejected, rejected };
}

/** Whether this page's outbox holds any record at all (of any student). */
export async function anything() {
  return (await done((await store("outbox")).count())) > 0;
}

/** Whether the last flush found someone else signed in at the node. */
export function heldForStudent() {
  return held;
}

/** Call fn() whenever the outbox changes (to update the indicator). */
export function onChange(fn) {
  listeners.add(fn);
}

function changed() {
  for (const fn of listeners) fn();
}

/** Put an event in the student's outbox; it is sent by the next flush. */
export async function enqueue(personId, kind, body) {
  if (!PATHS[kind]) throw new Error(`unknown outbox kind ${kind}`);
  const record = { person_id: personId, kind, id: body.id, body, state: "waiting", made_ms: Date.now(), unchecked: session.pending || null };
  await done((await store("outbox", "readwrite")).add(record));
  changed();
}

/** The node's reply to an event this device sent (an answer's correctness), if any. */
export async function result(id) {
  return done((await store("results")).get(id));
}

/** Send the student's waiting records in order; stop at the first network failure. Resolves with whether the node was reached (false, sending nothing, for a pending sign-in). */
export function flush(personId) {
  // A sign-in made with the node away sends nothing until the node has checked it
  // (pending.js): not even through a session its cookie may still hold from before.
  if (session.pending) return Promise.resolve(false);
  flushing ??= sendAll(personId)
    .then((reached) => {
      setOnline(reached);
      return reached;
    })
    .finally(() => {
      flushing = null;
    });
  return flushing;
}

/** Whether the node's session is personId's; takes that session's CSRF token. Null if the node is away. */
async function signedInAs(personId) {
  try {
    const me = await api("GET", "/auth/me");
    if (me?.person?.id !== personId) return false;
    setCsrf(me.csrf_token);
    return true;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status === 0 || error.status >= 500) return null;
    return false; // 401: nobody is signed in at the node
  }
}

/** A record's request; one made under a sign-in never checked goes as unclaimed work. */
function send(r) {
  const about = { made_ms: r.made_ms, named_id: r.person_id, batch: `${r.unchecked}` };
  let [method, path, body] = request(r);
  if (r.unchecked) {
    if (r.kind === "photo") path = `/unclaimed-work${path}&${new URLSearchParams(about)}`;
    else [method, path, body] = ["POST", "/unclaimed-work", { ...about, id: r.id, kind: r.kind, body }];
  }
  return api(method, path, body, { timeoutMs: r.kind === "photo" ? 30_000 : undefined });
}

async function sendAll(personId) {
  const all = (await done((await store("outbox")).getAll())).filter((r) => !refused(r));
  const pending = all.filter((r) => r.unchecked || r.person_id === personId);
  if (!pending.length) {
    held = false;
    return true;
  }
  const own = await signedInAs(personId);
  if (own === null) return false;
  held = !own;
  if (!own) return true; // the node answered, but for someone else: wait for this student
  for (const record of pending) {
    let reply;
    try {
      reply = await send(record);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 0 || error.status >= 500) {
        return false; // unreachable or a server fault: keep the order, retry later
      }
      if (error.status === 401 || error.status === 403) {
        held = true; // the session changed under this tab (another tab signed in): wait
        return true;
      }
      if (!isFinal(error)) continue; // e.g. 404 (its pack not on this node yet): keep it waiting
      // The node refused this record for what it is (422/409): keep it, flagged, and go on.
      record.state = "rejected";
      record.error = { status: error.status, code: error.code, message: error.message, details: error.details };
      await done((await store("outbox", "readwrite")).put(record));
      changed();
      continue;
    }
    const tx = await transaction(["outbox", "results"], "readwrite");
    if (!record.unchecked) tx.objectStore("results").put({ id: record.id, person_id: personId, kind: record.kind, reply });
    tx.objectStore("outbox").delete(record.seq);
    await committed(tx);
    changed();
  }
  return true;
}
