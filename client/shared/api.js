// Calls to the node's JSON API, for every app. The node answers every error in one
// shape, {"error": {"status", "code", "message", "details"}}; here it becomes an
// ApiError. A network failure (node unreachable, hotspot gone) is status 0, so
// callers can tell "offline" from "refused".

export class ApiError extends Error {
  /** status: the HTTP status, 0 when no answer came; error: the node's {code, message, details}. */
  constructor(status, error = null) {
    super(error?.message || (status ? `HTTP ${status}` : "offline"));
    this.name = "ApiError";
    this.status = status;
    this.code = error?.code ?? null; // null when the reply had no error body
    this.details = error?.details ?? null;
  }
}

const DEFAULT_TIMEOUT_MS = 8000;
let csrfToken = "";

/** Remember the session's CSRF token; every write sends it (session.js sets it). */
export function setCsrf(token) {
  csrfToken = token || "";
}

/** The session's CSRF token, for a write made without api() (an upload with progress). */
export function csrf() {
  return csrfToken;
}

/**
 * Call /api/v1 + path with a JSON body (or a Blob, sent as its type); resolve with the
 * JSON reply, reject with ApiError. timeoutMs 0 waits as long as the node takes (a sync).
 */
export async function api(method, path, body, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  const controller = new AbortController();
  const timer = timeoutMs ? setTimeout(() => controller.abort(), timeoutMs) : null;
  const headers = { Accept: "application/json", "X-CSRF-Token": csrfToken };
  const raw = body instanceof Blob;
  if (body !== undefined) headers["Content-Type"] = raw ? body.type : "application/json";
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined || raw ? body : JSON.stringify(body),
      credentials: "same-origin",
      signal: controller.signal,
    });
  } catch {
    throw new ApiError(0, { code: "unreachable" });
  } finally {
    clearTimeout(timer);
  }
  let text;
  try {
    text = await response.text();
  } catch {
    throw new ApiError(0, { code: "unreachable" }); // cut mid-body
  }
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // A proxy's HTML page, not the node: nothing reached it. Its first words say why.
    throw new ApiError(0, { code: "bad_reply", message: text.slice(0, 200) });
  }
  if (!response.ok) throw new ApiError(response.status, data?.error);
  if (data && typeof data === "object" && response.headers.get("X-Baobab-Cached")) {
    // The service worker answered from its cache: the node was not reached.
    Object.defineProperty(data, "fromCache", { value: true });
  }
  return data;
}

/** Whether an error means the node could not be reached. */
/**
 * Every item of a paginated list (GET path), page after page of the largest size the
 * node serves until its `total`: a district's 600 activities are all listed, not 500.
 */
export async function apiAll(path, perPage = 500) {
  const join = path.includes("?") ? "&" : "?";
  const items = [];
  const seen = new Set();
  for (let page = 1; ; page += 1) {
    const reply = await api("GET", `${path}${join}per_page=${perPage}&page=${page}`);
    for (const item of reply.items) {
      if (!seen.has(item.id)) items.push(item); // a row that moved between pages: once
      seen.add(item.id);
    }
    if (!reply.items.length || page * perPage >= reply.total) return items;
  }
}

export const isOffline = (error) => error instanceof ApiError && error.status === 0;

/** A fresh global id made on this device: 128 random bits, url-safe (sync/ids.py). */
export function newId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}
