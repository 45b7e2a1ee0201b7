// The outbox: every answer, attempt, reflection and photo is written to IndexedDB first,
// with an id made on this device, then posted to the node in the order it was made.
// The node treats the same id twice as one event, so a retry after a lost reply is
// safe. Each record carries its student's id and only the signed-in student's records
// are ever sent (their session could not post another's anyway): two students
// sharing a tablet never mix. Nothing is deleted until the node has accepted it.
// A photo is kept as a Blob in its record (IndexedDB stores Blobs), so one taken
// offline survives a reload and is sent, in its turn, when the node is back.

import { api, ApiError } from "../shared/api.js";
import { setOnline } from "../shared/session.js";

const DB_NAME = "baobab";
const PATHS = { answer: "/answers", attempt: "/attempts", reflection: "/reflections", photo: "/photos" };

/** The request that sends a record: a photo is its picture (a Blob kept in IndexedDB), PUT at its id. */
function request(record) {
  if (record.kind !== "photo") return ["POST", PATHS[record.kind], record.body];
  const { blob, id, ...about } = record.body;
  const query = new URLSearchParams(Object.entries(about).filter(([, v]) => v !== null && v !== undefined));
  return ["PUT", `/photos/${encodeURIComponent(id)}?${query}`, blob];
}
let dbPromise = null;
let flushing = null;
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
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return dbPromise;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function store(name, mode = "readonly") {
  return (await openDb()).transaction(name, mode).objectStore(name);
}

/** Every outbox record of one student, oldest first. */
export async function records(personId) {
  const all = await done((await store("outbox")).index("person").getAll(personId));
  return all.sort((a, b) => a.seq - b.seq);
}

/** How many of a student's records wait to be sent, and how many the node refused. */
export async function counts(personId) {
  const all = await records(personId);
  const rejected = all.filter((r) => r.state === "rejected").length;
  return { waiting: all.length - rejected, rejected };
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
  const record = { person_id: personId, kind, id: body.id, body, state: "waiting", made_ms: Date.now() };
  await done((await store("outbox", "readwrite")).add(record));
  changed();
}

/** The node's reply to an event this device sent (an answer's correctness), if any. */
export async function result(id) {
  return done((await store("results")).get(id));
}

/** Send the student's waiting records in order; stop at the first network failure. Resolves with whether the node was reached. */
export function flush(personId) {
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

async function sendAll(personId) {
  for (const record of await records(personId)) {
    if (record.state === "rejected") continue;
    let reply;
    try {
      reply = await api(...request(record), { timeoutMs: record.kind === "photo" ? 30_000 : undefined });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 0 || error.status === 401 || error.status >= 500) {
        return false; // unreachable, signed out or a server fault: keep the order, retry later
      }
      // The node refused this record (422/404/409/403): keep it, flagged, and go on.
      record.state = "rejected";
      record.error = { status: error.status, code: error.code, message: error.message, details: error.details };
      await done((await store("outbox", "readwrite")).put(record));
      changed();
      continue;
    }
    const db = await openDb();
    const tx = db.transaction(["outbox", "results"], "readwrite");
    tx.objectStore("results").put({ id: record.id, person_id: personId, kind: record.kind, reply });
    tx.objectStore("outbox").delete(record.seq);
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    changed();
  }
  return true;
}
