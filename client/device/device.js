// The teacher's device page: this node's identity, its paired peers and the truth
// about their syncs, "Sync now" with a progress bar, nearby nodes and pairing.
// Talks to the node only through /api/v1; no build step, nothing fetched elsewhere.

const API = "/api/v1";
const POLL_IDLE_MS = 5000; // the scheduler may sync on its own: show it
const POLL_BUSY_MS = 200; // while a sync runs: a moving bar
const STAFF = new Set(["teacher", "admin"]);
const STAGE_WORDS = {
  hello: "starting",
  pull: "receiving",
  push: "sending",
  content: "fetching content files",
};

let csrf = null;
let pollTimer = null;
const inFlight = new Set(); // peer ids with a "Sync now" this page is waiting for

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-CSRF-Token"] = csrf;
  let response;
  try {
    response = await fetch(API + path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    return { status: 0, data: { error: { message: "This device does not answer." } } };
  }
  const text = await response.text();
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch (error) {
    data = { error: { message: text.slice(0, 200) } };
  }
  return { status: response.status, data };
}

const errorText = (data) => (data && data.error && data.error.message) || "Something went wrong.";
const count = (n) => Number(n || 0).toLocaleString();

function when(iso) {
  if (!iso) return "never";
  // The API gives naive UTC times.
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : iso + "Z");
  return date.toLocaleString();
}

// ---------------------------------------------------------------- signing in

async function start() {
  const me = await api("GET", "/auth/me");
  if (me.status === 200 && STAFF.has(me.data.person.role)) {
    csrf = me.data.csrf_token;
    showApp();
  } else {
    showSignIn(me.status === 200 ? "This page is for teachers and admins." : "");
  }
}

function showSignIn(message) {
  $("app").hidden = true;
  $("sign-out").hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-error").textContent = message;
  clearTimeout(pollTimer);
}

async function signIn(event) {
  event.preventDefault();
  const form = event.target;
  const reply = await api("POST", "/auth/login", {
    username: form.username.value,
    password: form.password.value,
  });
  if (reply.status !== 200) {
    $("sign-in-error").textContent = errorText(reply.data);
    return;
  }
  if (!STAFF.has(reply.data.person.role)) {
    showSignIn("This page is for teachers and admins.");
    return;
  }
  csrf = reply.data.csrf_token;
  form.reset();
  showApp();
}

async function signOut() {
  await api("POST", "/auth/logout");
  csrf = null;
  showSignIn("");
}

async function showApp() {
  $("sign-in").hidden = true;
  $("app").hidden = false;
  $("sign-out").hidden = false;
  await Promise.all([loadIdentity(), refreshPeers(), loadNearby()]);
}

// ---------------------------------------------------------------- identity

async function loadIdentity() {
  const reply = await api("GET", "/node");
  const list = $("identity");
  list.replaceChildren();
  if (reply.status !== 200) {
    list.append(el("dt", {}, "Error"), el("dd", {}, errorText(reply.data)));
    return;
  }
  const facts = [
    ["Device id", reply.data.node_id],
    ["School", reply.data.school_id || "none yet"],
    ["Version", reply.data.version],
    ["Database", reply.data.database],
    ["Changes written here", count(reply.data.counter)],
  ];
  for (const [name, value] of facts) list.append(el("dt", {}, name), el("dd", {}, String(value)));
}

// ---------------------------------------------------------------- peers and syncing

function peerStatus(peer) {
  const running = peer.running;
  if (running) {
    const words = STAGE_WORDS[running.direction] || running.direction;
    const unit = running.direction === "content" ? "files" : "rows";
    const detail =
      running.direction === "hello"
        ? ""
        : `: ${count(running.rows_done)} of ${count(running.rows_total)} ${unit}`;
    return { kind: "running", text: `Syncing, ${words}${detail}` };
  }
  if (inFlight.has(peer.id)) return { kind: "running", text: "Syncing, starting" };
  if (peer.last_error) return { kind: "failed", text: `Last sync failed: ${peer.last_error}` };
  if (peer.last_success_at) return { kind: "ok", text: `Synced at ${when(peer.last_success_at)}` };
  return { kind: "never", text: "Never synced" };
}

function peerCard(peer) {
  let card = document.querySelector(`.peer[data-peer-id="${peer.id}"]`);
  if (!card) {
    const button = el("button", { type: "button", class: "sync-now" }, "Sync now");
    button.addEventListener("click", () => syncNow(peer.id));
    card = el(
      "li",
      { class: "peer", "data-peer-id": String(peer.id) },
      el("h3"),
      el("p", { class: "status" }),
      el("progress", { hidden: true }),
      el("p", { class: "numbers" }),
      button,
    );
    $("peers").append(card);
  }
  return card;
}

function renderPeer(peer) {
  const card = peerCard(peer);
  const label = peer.role === "hub" ? "District hub" : "Device";
  card.querySelector("h3").textContent = `${label} · ${peer.url || "no address"}`;
  const status = peerStatus(peer);
  const line = card.querySelector(".status");
  line.className = `status ${status.kind}`;
  line.dataset.status = status.kind;
  line.textContent = status.text;
  const bar = card.querySelector("progress");
  if (peer.running && peer.running.direction !== "hello") {
    bar.hidden = false;
    bar.max = Math.max(peer.running.rows_total, 1);
    bar.value = peer.running.rows_done;
    bar.setAttribute("aria-label", status.text);
  } else if (status.kind === "running") {
    bar.hidden = false;
    bar.removeAttribute("value"); // indeterminate until the first chunk
  } else {
    bar.hidden = true;
  }
  card.querySelector(".numbers").textContent =
    `Last success: ${when(peer.last_success_at)}. ` +
    `Last time: received ${count(peer.last_pulled)}, sent ${count(peer.last_pushed)} rows. ` +
    `Waiting to send: ${count(peer.pending_out)}; to receive: ${count(peer.pending_in)}.` +
    (peer.revoked ? " Revoked." : "");
  const button = card.querySelector(".sync-now");
  button.disabled = status.kind === "running" || peer.revoked || !peer.url;
}

let peersById = new Map();

async function refreshPeers() {
  clearTimeout(pollTimer);
  const reply = await api("GET", "/sync/peers");
  if (reply.status === 401) {
    showSignIn("Your session ended: sign in again.");
    return;
  }
  if (reply.status === 200) {
    peersById = new Map(reply.data.map((p) => [p.id, p]));
    for (const card of document.querySelectorAll(".peer")) {
      if (!peersById.has(Number(card.dataset.peerId))) card.remove();
    }
    reply.data.forEach(renderPeer);
    $("peers-empty").hidden = reply.data.length > 0;
    const hub = reply.data.find((p) => p.role === "hub" && !p.revoked);
    $("sync-hub").hidden = !hub;
    $("sync-hub").dataset.peerId = hub ? String(hub.id) : "";
  }
  const busy = inFlight.size > 0 || [...peersById.values()].some((p) => p.running);
  pollTimer = setTimeout(refreshPeers, busy ? POLL_BUSY_MS : POLL_IDLE_MS);
}

async function syncNow(peerId) {
  if (inFlight.has(peerId)) return;
  const peer = peersById.get(peerId);
  const name = peer ? peer.url : `peer ${peerId}`;
  inFlight.add(peerId);
  const message = $("sync-message");
  message.className = "message";
  message.textContent = `Syncing with ${name}…`;
  refreshPeers(); // starts the fast polling while the request runs
  const reply = await api("POST", `/sync/peers/${peerId}/sync`);
  inFlight.delete(peerId);
  if (reply.status === 200) {
    const r = reply.data;
    message.className = "message ok";
    message.textContent =
      `Synced with ${name}: received ${count(r.pulled)} and sent ${count(r.pushed)} rows ` +
      `in ${r.seconds.toFixed(1)} s.`;
  } else {
    message.className = "message failed";
    message.textContent = `Sync with ${name} failed: ${errorText(reply.data)}`;
  }
  await refreshPeers();
}

// ---------------------------------------------------------------- nearby and pairing

async function loadNearby() {
  const reply = await api("GET", "/sync/nearby");
  const list = $("nearby");
  list.replaceChildren();
  const found = reply.status === 200 ? reply.data : [];
  $("nearby-empty").hidden = found.length > 0;
  for (const node of found) {
    const state = `${node.alive ? "answering" : "not answering"}, ${node.paired ? "paired" : "not paired"}`;
    const item = el("li", {}, `${node.role === "hub" ? "Hub" : "Device"} at ${node.url} (${state}) `);
    if (!node.paired) {
      const button = el("button", { type: "button", class: "quiet" }, "Pair…");
      button.addEventListener("click", () => {
        const form = $("pair-form");
        form.url.value = node.url;
        form.code.focus();
      });
      item.append(button);
    }
    list.append(item);
  }
}

async function pair(event) {
  event.preventDefault();
  const form = event.target;
  const message = $("pair-message");
  message.className = "message";
  message.textContent = "Pairing…";
  const reply = await api("POST", "/sync/peers", { url: form.url.value, code: form.code.value });
  if (reply.status === 201) {
    message.className = "message ok";
    message.textContent = `Paired with ${reply.data.url}.`;
    form.reset();
    await Promise.all([refreshPeers(), loadNearby(), loadIdentity()]);
  } else {
    message.className = "message failed";
    const details = reply.data.error && reply.data.error.details;
    const fields = details ? " " + Object.values(details).flat().join(" ") : "";
    message.textContent = `Pairing failed: ${errorText(reply.data)}${fields}`;
  }
}

$("sign-in-form").addEventListener("submit", signIn);
$("sign-out").addEventListener("click", signOut);
$("pair-form").addEventListener("submit", pair);
$("sync-hub").addEventListener("click", (event) => {
  const id = Number(event.target.dataset.peerId);
  if (id) syncNow(id);
});
start();
