// The student app: session, header (language, outbox indicator, next student),
// hash routes (#/signin, #/home, #/play/ID, #/goals, #/history) and the sync loop.

import { api, isOffline, setCsrf } from "../shared/api.js";
import { h } from "../shared/dom.js";
import * as i18n from "../shared/i18n.js";
import * as outbox from "./outbox.js";

const SESSION_KEY = "baobab.session";
const FLUSH_EVERY_MS = 5000;

/** What the screens share: who is signed in, their class, whether the node answers. */
export const session = { me: null, classroomId: null, online: true };

const views = {
  signin: () => import("./signin.js"),
  home: () => import("./home.js"),
  play: () => import("./play.js"),
  goals: () => import("./goals.js"),
  history: () => import("./history.js"),
};

/** Start a session after sign-in (or restore one) and remember it on this device. */
export function startSession(me, classroomId) {
  session.me = me.person;
  session.classroomId = classroomId;
  setCsrf(me.csrf_token);
  localStorage.setItem(
    SESSION_KEY,
    JSON.stringify({ person: me.person, csrf: me.csrf_token, classroom_id: classroomId }),
  );
}

async function restoreSession() {
  const saved = JSON.parse(localStorage.getItem(SESSION_KEY) || "null");
  try {
    const me = await api("GET", "/auth/me");
    if (me.person.role !== "student") return false;
    const classroomId = saved?.person?.id === me.person.id ? saved.classroom_id : null;
    startSession(me, classroomId);
    return true;
  } catch (error) {
    if (isOffline(error) && saved) {
      // The node is away: keep working as the student this tablet last had.
      session.me = saved.person;
      session.classroomId = saved.classroom_id;
      setCsrf(saved.csrf);
      return true;
    }
    localStorage.removeItem(SESSION_KEY);
    return false;
  }
}

/** Sign out so the next student can sign in; this student's waiting work stays theirs. */
export async function signOut() {
  const person = session.me;
  if (!person) return;
  await outbox.flush(person.id);
  const { waiting } = await outbox.counts(person.id);
  // Said on the sign-in screen, so the next student's turn is not blocked by a dialog.
  if (waiting) sessionStorage.setItem("baobab.signout", i18n.t("signout.waiting", { n: waiting }));
  try {
    await api("POST", "/auth/logout");
  } catch {
    // Offline: the cookie goes at the next sign-in, which replaces the session.
  }
  localStorage.removeItem(SESSION_KEY);
  session.me = null;
  location.hash = "#/signin";
}

/** Send this student's waiting work now, and refresh the indicator. */
export async function sync() {
  if (!session.me) return;
  session.online = await outbox.flush(session.me.id);
  await showOutbox();
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
  const parts = [waiting ? i18n.t("outbox.waiting", { n: waiting }) : i18n.t("outbox.saved")];
  if (waiting && !session.online) parts.push(i18n.t("outbox.offline"));
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

/** Show the screen of a hash route, even when it is the current one. */
export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

async function route() {
  const [name, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  const wanted = views[name] ? name : "home";
  const screen = session.me ? wanted : "signin";
  if (screen === "signin" && session.me) {
    location.hash = "#/home";
    return;
  }
  renderHeader();
  const view = document.getElementById("view");
  view.setAttribute("aria-busy", "true");
  try {
    const module = await views[screen]();
    await module.render(view, decodeURIComponent(rest.join("/")));
  } finally {
    view.removeAttribute("aria-busy");
  }
}

async function main() {
  if ("serviceWorker" in navigator) {
    // Only where the browser allows one (https, or localhost): see client/README.md.
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
  }
  await i18n.setLanguage(i18n.preferredLanguage());
  document.getElementById("language").addEventListener("change", async (event) => {
    await i18n.setLanguage(event.target.value);
    await route();
  });
  document.getElementById("signout").addEventListener("click", signOut);
  outbox.onChange(showOutbox);
  await restoreSession();
  window.addEventListener("hashchange", route);
  window.addEventListener("online", sync);
  setInterval(sync, FLUSH_EVERY_MS);
  await route();
  sync();
}

main();
