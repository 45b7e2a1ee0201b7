// The teacher's device page: this node's identity, its paired peers and the truth
// about their syncs, "Sync now" with a progress bar, nearby nodes and pairing.
// Talks to the node only through /api/v1 (shared/api.js); no build step, nothing
// fetched elsewhere.

import { api } from "../shared/api.js";
import { h } from "../shared/dom.js";
import { dateTime, number, seconds } from "../shared/format.js";
import * as i18n from "../shared/i18n.js";
import { restoreSession, session, signOut, startSession } from "../shared/session.js";

const POLL_IDLE_MS = 5000; // the scheduler may sync on its own: show it
const POLL_BUSY_MS = 200; // while a sync runs: a moving bar
const STAFF = ["teacher", "admin"];
const t = (key, params) => i18n.t(key, params);

let pollTimer = null;
const inFlight = new Set(); // peer ids with a "Sync now" this page is waiting for

const $ = (id) => document.getElementById(id);

/** What the teacher reads when a call fails: the node's message, or why there is none. */
function errorText(error) {
  if (error.code === "unreachable") return t("device.error.unreachable");
  return (error.code && error.message) || t("device.error.other");
}

const when = (iso) => (iso ? dateTime(iso) : t("device.never"));

// ---------------------------------------------------------------- signing in

async function start() {
  i18n.useStaffStrings();
  await i18n.setLanguage(i18n.preferredLanguage());
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  document.title = `${t("device.title")} · Baobab`;
  const person = await restoreSession(STAFF);
  if (session.me) showApp();
  else {
    showSignIn(person ? t("device.signin.lead") : "");
    const state = await api("GET", "/setup").catch(() => ({}));
    $("setup-needed").hidden = !state.needed;
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
  let reply;
  try {
    reply = await api("POST", "/auth/login", {
      username: form.username.value,
      password: form.password.value,
    });
  } catch (error) {
    $("sign-in-error").textContent = errorText(error);
    return;
  }
  if (!STAFF.includes(reply.person.role)) {
    showSignIn(t("device.signin.lead"));
    return;
  }
  startSession(reply);
  form.reset();
  showApp();
}

async function leave() {
  await signOut();
  showSignIn("");
}

async function showApp() {
  $("sign-in").hidden = true;
  $("app").hidden = false;
  $("sign-out").hidden = false;
  $("setup-needed").hidden = true;
  await Promise.all([loadIdentity(), refreshPeers(), loadNearby(), loadDevice()]);
}

// ---------------------------------------------------------------- address, storage, backup

const megabytes = (bytes) => t("device.storage.mb", { n: number(Math.round((bytes / 1e6) * 10) / 10) });

async function loadDevice() {
  let info;
  try {
    info = await api("GET", "/node/device");
  } catch (error) {
    $("addresses").replaceChildren(h("li", { class: "error" }, errorText(error)));
    return;
  }
  $("addresses").replaceChildren(...info.addresses.map((a) => h("li", { class: "address" },
    h("img", { src: a.qr, alt: t("device.address.qr", { url: a.url }), width: 160, height: 160, class: "qr" }),
    h("a", { href: a.url, class: "url" }, a.url),
    a.https ? h("span", { class: "muted" }, ` (${t("device.address.https")})`) : null)));
  $("trust").hidden = !info.trust_url;
  const s = info.storage;
  const facts = [
    ["device.storage.version", info.version],
    ["device.storage.database", megabytes(s.database_bytes)],
    ["device.storage.photos", megabytes(s.photos_bytes)],
    ["device.storage.content", megabytes(s.content_bytes)],
    ["device.storage.free", s.free_bytes == null ? "?" : megabytes(s.free_bytes)],
  ];
  $("storage").replaceChildren(...facts.flatMap(([key, value]) => [h("dt", {}, i18n.t(key)), h("dd", { "data-fact": key }, value)]));
  const admin = session.me && session.me.role === "admin";
  $("backup-download").hidden = !admin;
  $("backup-admin-only").hidden = admin;
}

async function restore(event) {
  event.preventDefault();
  const form = event.target;
  const message = $("restore-message");
  const file = form.file.files[0];
  if (!file) return;
  message.className = "message";
  message.textContent = t("device.restore.running");
  $("restore-progress").hidden = false;
  try {
    const blob = new Blob([file], { type: "application/gzip" });
    const r = await api("POST", `/setup/restore?code=${encodeURIComponent(form.code.value.trim())}`, blob, { timeoutMs: 0 });
    message.className = "message ok";
    message.textContent = t("device.restore.done", { rows: number(r.rows), files: number(r.blobs) }) +
      (r.peers.length ? " " + t("device.restore.pair_again", { peers: r.peers.join(", ") }) : "") +
      (r.tls ? " " + t("device.restore.restart") : "");
  } catch (error) {
    message.className = "message failed";
    message.textContent = t("device.restore.failed", { why: errorText(error) });
  } finally {
    $("restore-progress").hidden = true;
  }
}

// ---------------------------------------------------------------- identity

async function loadIdentity() {
  const list = $("identity");
  let info;
  try {
    info = await api("GET", "/node");
  } catch (error) {
    list.replaceChildren(h("dt", {}, t("device.identity.error")), h("dd", {}, errorText(error)));
    return;
  }
  list.replaceChildren();
  const facts = [
    [t("device.identity.id"), info.node_id],
    // The school by its name (its id beside it: what the hub and the logs name it by).
    // A name is the school's, in its own words: translate="no" (a browser's translator,
    // and the tests' hunt for English left on a French page, leave it alone).
    [t("device.identity.school"), info.school_id
      ? h("span", { translate: "no" }, `${info.school_name || "?"} (${info.school_id})`)
      : t("device.identity.no_school")],
    [t("device.identity.version"), info.version],
    [t("device.identity.database"), info.database],
    [t("device.identity.counter"), number(info.counter)],
  ];
  for (const [name, value] of facts) list.append(h("dt", {}, name), h("dd", {}, value instanceof Node ? value : String(value)));
}

// ---------------------------------------------------------------- peers and syncing

function peerStatus(peer) {
  const running = peer.running;
  if (running) {
    const known = ["hello", "pull", "push", "content"].includes(running.direction);
    const stage = known ? t(`device.stage.${running.direction}`) : running.direction;
    const counts = { stage, done: number(running.rows_done), total: number(running.rows_total) };
    const key = running.direction === "hello" ? "device.status.running"
      : running.direction === "content" ? "device.status.files" : "device.status.rows";
    return { kind: "running", text: t(key, counts) };
  }
  if (inFlight.has(peer.id)) return { kind: "running", text: t("device.status.running", { stage: t("device.stage.hello") }) };
  // The last sync whoever started it (this node or the peer), as both sides say it.
  switch (peer.last_outcome) {
    case "ok":
      return { kind: "ok", text: t("device.status.ok", { when: when(peer.last_success_at) }) };
    case "incomplete":
      return { kind: "incomplete", text: t("device.status.incomplete", { why: (peer.last_error || "").replace(/^incomplete:\s*/, "") }) };
    case "failed":
      return { kind: "failed", text: t("device.status.failed", { why: peer.last_error }) };
    case "interrupted":
      return { kind: "interrupted", text: t("device.status.interrupted", { when: when(peer.last_attempt_at) }) };
    default:
      if (peer.last_error) return { kind: "failed", text: t("device.status.failed", { why: peer.last_error }) };
      if (peer.last_success_at) return { kind: "ok", text: t("device.status.ok", { when: when(peer.last_success_at) }) };
      return { kind: "never", text: t("device.status.never") };
  }
}

function peerCard(peer) {
  let card = document.querySelector(`.peer[data-peer-id="${peer.id}"]`);
  if (!card) {
    const button = h("button", { type: "button", class: "sync-now" }, t("device.peers.sync_now"));
    button.addEventListener("click", () => syncNow(peer.id));
    card = h(
      "li",
      { class: "peer", "data-peer-id": String(peer.id) },
      h("h3"),
      h("p", { class: "status" }),
      h("progress", { hidden: true }),
      h("p", { class: "numbers" }),
      button,
    );
    $("peers").append(card);
  }
  return card;
}

function renderPeer(peer) {
  const card = peerCard(peer);
  const label = t(peer.role === "hub" ? "device.peers.hub" : "device.peers.device");
  card.querySelector("h3").textContent = `${label} · ${peer.url || t("device.peers.no_address")}`;
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
    t("device.peers.numbers", {
      when: when(peer.last_success_at), attempt: when(peer.last_attempt_at), pulled: number(peer.last_pulled), pushed: number(peer.last_pushed),
      out: number(peer.pending_out), in: number(peer.pending_in),
    }) + (peer.revoked ? " " + t("device.peers.revoked") : "");
  const button = card.querySelector(".sync-now");
  button.disabled = status.kind === "running" || peer.revoked || !peer.url;
}

let peersById = new Map();

async function refreshPeers() {
  clearTimeout(pollTimer);
  let peers = null;
  try {
    peers = await api("GET", "/sync/peers");
  } catch (error) {
    if (error.status === 401) {
      showSignIn(t("device.signin.ended"));
      return;
    }
  }
  if (peers) {
    peersById = new Map(peers.map((p) => [p.id, p]));
    for (const card of document.querySelectorAll(".peer")) {
      if (!peersById.has(Number(card.dataset.peerId))) card.remove();
    }
    peers.forEach(renderPeer);
    $("peers-empty").hidden = peers.length > 0;
    const hub = peers.find((p) => p.role === "hub" && !p.revoked);
    $("sync-hub").hidden = !hub;
    $("sync-hub").dataset.peerId = hub ? String(hub.id) : "";
  }
  const busy = inFlight.size > 0 || [...peersById.values()].some((p) => p.running);
  pollTimer = setTimeout(refreshPeers, busy ? POLL_BUSY_MS : POLL_IDLE_MS);
}

async function syncNow(peerId) {
  if (inFlight.has(peerId)) return;
  const peer = peersById.get(peerId);
  const name = peer ? peer.url : t("device.peers.peer", { id: peerId });
  inFlight.add(peerId);
  const message = $("sync-message");
  message.className = "message";
  message.textContent = t("device.sync.running", { name });
  refreshPeers(); // starts the fast polling while the request runs
  try {
    // A sync takes as long as the rows it moves: no timeout.
    const r = await api("POST", `/sync/peers/${peerId}/sync`, undefined, { timeoutMs: 0 });
    message.className = "message ok";
    message.textContent = t("device.sync.done", {
      name, pulled: number(r.pulled), pushed: number(r.pushed), time: seconds(r.seconds),
    });
  } catch (error) {
    message.className = "message failed";
    message.textContent = t("device.sync.failed", { name, why: errorText(error) });
  } finally {
    inFlight.delete(peerId);
  }
  await refreshPeers();
}

// ---------------------------------------------------------------- nearby and pairing

async function loadNearby() {
  let found;
  try {
    found = await api("GET", "/sync/nearby");
  } catch {
    found = [];
  }
  const list = $("nearby");
  list.replaceChildren();
  $("nearby-empty").hidden = found.length > 0;
  for (const node of found) {
    const item = h("li", {}, t("device.nearby.item", {
      kind: t(node.role === "hub" ? "device.nearby.hub" : "device.peers.device"), url: node.url,
      alive: t(node.alive ? "device.nearby.answering" : "device.nearby.silent"),
      paired: t(node.paired ? "device.nearby.paired" : "device.nearby.unpaired"),
    }));
    if (!node.paired) {
      const button = h("button", { type: "button", class: "quiet" }, t("device.nearby.pair"));
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
  message.textContent = t("device.pair.running");
  let peer;
  try {
    // Pairing waits for the other device to answer: no timeout, as before.
    peer = await api("POST", "/sync/peers", { url: form.url.value, code: form.code.value }, { timeoutMs: 0 });
  } catch (error) {
    message.className = "message failed";
    const fields = error.details ? " " + Object.values(error.details).flat().join(" ") : "";
    message.textContent = t("device.pair.failed", { why: errorText(error) + fields });
    return;
  }
  message.className = "message ok";
  message.textContent = t("device.pair.done", { url: peer.url });
  form.reset();
  await Promise.all([refreshPeers(), loadNearby(), loadIdentity()]);
}

$("sign-in-form").addEventListener("submit", signIn);
$("sign-out").addEventListener("click", leave);
$("pair-form").addEventListener("submit", pair);
$("restore-form").addEventListener("submit", restore);
$("sync-hub").addEventListener("click", (event) => {
  const id = Number(event.target.dataset.peerId);
  if (id) syncNow(id);
});
start();
