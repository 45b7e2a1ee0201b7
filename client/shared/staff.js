// What the staff apps (the teacher app and the district admin app) share: their shell
// (staff strings, header, language, sign-out, a session for the roles they serve, hash
// routes), their sign-in screen, the words for an error, and a loading line. Each app
// passes what is its own: roles, screens, strings, where sign-in leads.

import { api, ApiError } from "./api.js";
import { h, show } from "./dom.js";
import * as i18n from "./i18n.js";
import { go, render, startRouter } from "./router.js";
import { restoreSession, session, signOut, startSession, subscribe } from "./session.js";

/** Who is signed in, when they hold one of roles; else null. */
const signedIn = (roles) => (session.me && roles.includes(session.me.role) ? session.me : null);

/**
 * What staff read when a call fails: the node's own message, or why there is none.
 * forbidden is the app's key for a refusal (403).
 */
export function errorText(error, forbidden) {
  if (error instanceof ApiError && error.status === 0) return i18n.t("common.offline");
  if (error instanceof ApiError && error.status === 401) return i18n.t("teacher.signin.wrong");
  if (error instanceof ApiError && error.status === 403) return i18n.t(forbidden);
  return (error instanceof ApiError && error.code && error.message) || i18n.t("common.error");
}

/** A "please wait" line, shown while a screen loads. */
export const loading = () => h("p", { class: "muted", role: "status" }, i18n.t("common.loading"));

/**
 * Start a staff app. app: {title (key), roles, home ("#/route" after sign-in), screens
 * (the router's), open (routes shown with no session), header(me) (the app's own part of
 * the header), ready() (awaited after the session is restored, before the first route)}.
 */
export async function startStaffApp(app) {
  const open = app.open || [];
  /** The screen of a route: sign-in until one of the app's roles is signed in. */
  const choose = (name) => {
    if (open.includes(name)) return name;
    if (!signedIn(app.roles)) return "signin";
    if (name === "signin" || !name) return app.home;
    return name;
  };
  const renderHeader = () => {
    i18n.translatePage(app.title, render);
    const me = signedIn(app.roles);
    document.getElementById("nav").hidden = !me;
    app.header?.(me);
    document.getElementById("who").textContent = me ? me.display_name : "";
  };
  i18n.useStaffStrings();
  await i18n.setLanguage(i18n.preferredLanguage());
  document.getElementById("signout").addEventListener("click", async () => {
    await signOut();
    location.hash = "#/signin";
  });
  subscribe(renderHeader);
  await restoreSession(app.roles);
  await app.ready?.();
  await startRouter({ view: document.getElementById("view"), screens: app.screens, choose, before: renderHeader });
}

/**
 * The staff sign-in screen: username and password (the node's /auth/login), for one of
 * roles only. options: {roles, refused (key said to anyone else), home, title, lead
 * (keys; lead optional), errorText (the app's)}.
 */
export function signInScreen(view, { roles, refused, home, title, lead, errorText: words }) {
  const message = h("p", { class: "error", role: "alert" });
  if (session.me && !roles.includes(session.me.role)) message.textContent = i18n.t(refused);
  const username = h("input", { name: "username", autocomplete: "username", required: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const form = h("form", { class: "panel signin", onsubmit: async (event) => {
    event.preventDefault();
    message.textContent = "";
    let reply;
    try {
      reply = await api("POST", "/auth/login", { username: username.value, password: password.value });
    } catch (error) {
      message.textContent = words(error);
      password.value = "";
      password.focus();
      return;
    }
    if (!roles.includes(reply.person.role)) {
      message.textContent = i18n.t(refused);
      return;
    }
    startSession(reply);
    go(home);
  } },
    h("label", {}, i18n.t("teacher.signin.username"), username),
    h("label", {}, i18n.t("teacher.signin.password"), password),
    h("button", { type: "submit" }, i18n.t("teacher.signin.go")),
    message);
  show(view, h("h1", {}, i18n.t(title)), lead && h("p", { class: "muted" }, i18n.t(lead)), form);
}
