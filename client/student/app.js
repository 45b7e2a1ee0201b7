// The student app: session, header (language, outbox indicator, next student),
// hash routes (#/signin, #/home, #/play/ID, #/goals, #/history, #/me), the student's
// accommodations as classes of <body>, and the sync loop.
// Screens share the session through shared/session.js and move with shared/router.js:
// none imports this module.

import { h } from "../shared/dom.js";
import * as i18n from "../shared/i18n.js";
import { go, render, startRouter } from "../shared/router.js";
import { keepOnDevice, restoreSession, session, signOut, subscribe } from "../shared/session.js";
import * as outbox from "./outbox.js";
import * as pending from "./pending.js";

const SESSION_KEY = "baobab.session";
const FLUSH_EVERY_MS = 5000;

/** A screen whose module cannot be loaded (not kept on the tablet, node away): said, with the way home. */
const unavailable = {
  render(view) {
    view.replaceChildren(h("h1", {}, i18n.t("app.title")), h("p", { role: "alert" }, i18n.t("common.offline")),
      h("a", { href: "#/home", class: "big primary button" }, i18n.t("play.home")));
  },
};

/** Load a screen's module; where it cannot be had, a screen that says so (never a dead tap). */
const screen = (load) => () => load().catch(() => {
  if (updated) location.reload(); // a new version took over this page: load it whole
  return unavailable;
});

const screens = {
  signin: screen(() => import("./signin.js")),
  home: screen(() => import("./home.js")),
  play: screen(() => import("./play.js")),
  goals: screen(() => import("./goals.js")),
  history: screen(() => import("./history.js")),
  me: screen(() => import("./me.js")),
};

let updated = false;

/** The screen of a route: sign-in until someone is signed in, then never sign-in again. */
function choose(name) {
  if (!session.me) return "signin";
  if (name === "signin") return "#/home";
  return name || "home";
}

/** Sign out so the next student can sign in; this student's waiting work stays theirs. */
async function nextStudent() {
  const person = session.me;
  if (!person) return;
  // Sent if the node answers soon; a node that hangs does not hold the next child up.
  if (!session.pending) await Promise.race([outbox.flush(person.id), new Promise((ok) => setTimeout(ok, 1500))]);
  const { waiting } = await outbox.counts(person.id).catch(() => ({ waiting: 0 }));
  // Said on the sign-in screen, so the next student's turn is not blocked by a dialog.
  if (waiting) sessionStorage.setItem("baobab.signout", i18n.t("signout.waiting", { n: waiting }));
  await signOut();
  location.hash = "#/signin";
  takeUpdate();
}

/** Send this student's waiting work now (the indicator follows the outbox and session). */
async function sync() {
  // A sign-in made with the node away is checked by the node before any work is sent.
  if (!(await pending.verify())) return;
  if (session.me) await outbox.flush(session.me.id);
}

async function showOutbox() {
  const status = document.getElementById("outbox");
  if (!session.me) {
    status.hidden = true;
    return;
  }
  let waiting, rejected;
  try {
    ({ waiting, rejected } = await outbox.counts(session.me.id));
  } catch {
    // The tablet's storage cannot be read: say so, never "saved".
    status.hidden = false;
    status.className = "outbox waiting";
    status.dataset.waiting = "";
    status.textContent = i18n.t("outbox.unknown");
    return;
  }
  status.hidden = false;
  status.dataset.waiting = waiting;
  status.className = waiting ? "outbox waiting" : "outbox";
  // "Saved" only when it is true: nothing waits and nothing was refused.
  const parts = waiting ? [i18n.t("outbox.waiting", { n: waiting })] : rejected ? [] : [i18n.t("outbox.saved")];
  if (session.pending) parts.push(i18n.t("outbox.pending"));
  else if (waiting && !session.online) parts.push(i18n.t("outbox.offline"));
  else if (waiting && outbox.heldForStudent()) parts.push(i18n.t("outbox.held"));
  if (rejected) parts.push(i18n.t("outbox.rejected", { n: rejected }));
  status.textContent = parts.join(" · ");
}

function renderHeader() {
  i18n.translatePage("app.title", render);
  document.getElementById("nav").hidden = !session.me;
  showOutbox();
}

/**
 * A new version of the app waits (sw.js) until this page is at a point where nothing is
 * lost by loading it whole: the sign-in screen after "Next student", or home. Then the
 * page asks it to take over and reloads, so new modules never meet old ones.
 */
async function takeUpdate() {
  const registration = await navigator.serviceWorker?.getRegistration("/").catch(() => null);
  if (!registration?.waiting || !navigator.serviceWorker.controller) return;
  registration.waiting.postMessage({ type: "take-over" });
}

/**
 * Over plain http, where the node also serves the https app (a meta tag names it): a
 * tablet that trusts the node's certificate (a picture from there loads) moves to it,
 * never with work in this page's outbox; one that does not gets a link to the trust steps.
 */
async function toSecureApp() {
  const secure = document.querySelector('meta[name="baobab-secure-app"]')?.content;
  if (location.protocol !== "http:" || !secure) return false;
  const trusted = await new Promise((resolve) => {
    const probe = new Image();
    const timer = setTimeout(() => resolve(false), 3000);
    probe.onload = () => { clearTimeout(timer); resolve(true); };
    probe.onerror = () => { clearTimeout(timer); resolve(false); };
    probe.src = new URL("/static/img/pictures.svg", secure).href;
  });
  if (trusted && !(await outbox.anything().catch(() => true))) {
    location.replace(secure + location.hash);
    return true;
  }
  const trust = h("a", { href: "/trust", class: "trust-link", "data-i18n": "trust.link" }, "");
  document.querySelector("header.top").append(trust);
  return false;
}

/**
 * What the student's learner profile asks of every screen, as classes of <body> (CSS does
 * larger text and more contrast; screens read session.accommodations for the rest):
 * read-aloud, no-time-pressure, larger-text, fewer-choices, high-contrast.
 */
const ACCOMMODATION_CLASSES = { read_aloud: "read-aloud", extra_time: "no-time-pressure", larger_text: "larger-text",
  fewer_choices: "fewer-choices", high_contrast: "high-contrast" };

function showAccommodations() {
  for (const [name, cls] of Object.entries(ACCOMMODATION_CLASSES)) {
    document.body.classList.toggle(cls, Boolean(session.me && session.accommodations?.[name]));
  }
}

async function main() {
  if (await toSecureApp()) return;
  if ("serviceWorker" in navigator) {
    // Only where the browser allows one (https, or localhost): see client/README.md.
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
    let hadController = Boolean(navigator.serviceWorker.controller);
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      if (!hadController) {
        hadController = true; // the first install took this page: nothing old on it
        return;
      }
      updated = true; // reload now where nothing is in hand, else at the next screen
      if (!session.me || location.hash === "#/home" || location.hash === "") location.reload();
    });
  }
  // Ask the browser not to evict the outbox when the tablet runs short of space.
  navigator.storage?.persist?.().catch(() => {});
  keepOnDevice(SESSION_KEY);
  await i18n.setLanguage(i18n.preferredLanguage());
  document.getElementById("signout").addEventListener("click", nextStudent);
  // A menu link to the route already in the address (home, on the "Well done!" screen,
  // which has put #/home there) shows that screen again rather than doing nothing.
  document.getElementById("nav").addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#/']");
    if (!link || link.getAttribute("href") !== location.hash) return;
    event.preventDefault();
    go(link.getAttribute("href"));
  });
  outbox.onChange(showOutbox);
  subscribe(showOutbox);
  subscribe(showAccommodations);
  await restoreSession(["student"]);
  window.addEventListener("online", sync);
  setInterval(sync, FLUSH_EVERY_MS);
  window.addEventListener("hashchange", () => {
    if (updated) location.reload();
    else if (!session.me || location.hash === "#/home") takeUpdate();
  });
  await startRouter({ view: document.getElementById("view"), screens, choose, before: renderHeader });
  sync();
}

main();
