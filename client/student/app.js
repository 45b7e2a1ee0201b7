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

const SESSION_KEY = "baobab.session";
const FLUSH_EVERY_MS = 5000;

const screens = {
  signin: () => import("./signin.js"),
  home: () => import("./home.js"),
  play: () => import("./play.js"),
  goals: () => import("./goals.js"),
  history: () => import("./history.js"),
  me: () => import("./me.js"),
};

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
  await outbox.flush(person.id);
  const { waiting } = await outbox.counts(person.id);
  // Said on the sign-in screen, so the next student's turn is not blocked by a dialog.
  if (waiting) sessionStorage.setItem("baobab.signout", i18n.t("signout.waiting", { n: waiting }));
  await signOut();
  location.hash = "#/signin";
}

/** Send this student's waiting work now (the indicator follows the outbox and session). */
async function sync() {
  if (session.me) await outbox.flush(session.me.id);
}

async function showOutbox() {
  const status = document.getElementById("outbox");
  if (!session.me) {
    status.hidden = true;
    return;
  }
  const { waiting, rejected } = await outbox.counts(session.me.id);
  status.hidden = false;
  status.dataset.waiting = waiting;
  status.className = waiting ? "outbox waiting" : "outbox";
  // "Saved" only when it is true: nothing waits and nothing was refused.
  const parts = waiting ? [i18n.t("outbox.waiting", { n: waiting })] : rejected ? [] : [i18n.t("outbox.saved")];
  if (waiting && !session.online) parts.push(i18n.t("outbox.offline"));
  else if (waiting && outbox.heldForStudent()) parts.push(i18n.t("outbox.held"));
  if (rejected) parts.push(i18n.t("outbox.rejected", { n: rejected }));
  status.textContent = parts.join(" · ");
}

function renderHeader() {
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = i18n.t(el.dataset.i18n);
  document.title = i18n.t("app.title");
  document.getElementById("nav").hidden = !session.me;
  const select = document.getElementById("language");
  if (!select.options.length) {
    i18n.loadLanguages().then((languages) => {
      select.append(...languages.map((l) => h("option", { value: l.code, lang: l.code }, l.name)));
      select.value = i18n.language();
    });
  }
  select.value = i18n.language();
  showOutbox();
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
  if ("serviceWorker" in navigator) {
    // Only where the browser allows one (https, or localhost): see client/README.md.
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  }
  keepOnDevice(SESSION_KEY);
  await i18n.setLanguage(i18n.preferredLanguage());
  document.getElementById("language").addEventListener("change", async (event) => {
    await i18n.setLanguage(event.target.value);
    await render();
  });
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
  await startRouter({ view: document.getElementById("view"), screens, choose, before: renderHeader });
  sync();
}

main();
