// Calls to the node's JSON API. A network failure (node unreachable, hotspot gone)
// becomes an ApiError with status 0, so callers can tell "offline" from "refused".

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || (status ? `HTTP ${status}` : "offline"));
    this.status = status;
    this.body = body;
  }
}

let csrfToken = "";

/** Remember the session's CSRF token; every write sends it. */
export function setCsrf(token) {
  csrfToken = token || "";
}

/** Call /api/v1 + path with a JSON body (or a Blob, sent as its type); resolve with the JSON reply, reject with ApiError. */
export async function api(method, path, body, timeoutMs = 8000) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const headers = { "X-CSRF-Token": csrfToken };
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
    throw new ApiError(0, null);
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try {
    const text = await response.text();
    data = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(0, null); // a cut mid-body, or a proxy's HTML page: treat as offline
  }
  if (!response.ok) throw new ApiError(response.status, data);
  if (data && typeof data === "object" && response.headers.get("X-Baobab-Cached")) {
    // The service worker answered from its cache: the node was not reached.
    Object.defineProperty(data, "fromCache", { value: true });
  }
  return data;
}

/** Whether an error means the node could not be reached. */
export const isOffline = (error) => error instanceof ApiError && error.status === 0;

/** A fresh global id made on this device: 128 random bits, url-safe (sync/ids.py). */
export function newId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}
