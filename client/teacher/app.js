// The teacher app: session (staff only), header, language, and hash routes
// (#/signin, #/classes, #/class/ID, #/student/ID, #/roster, #/live/ID, #/setup,
// #/cards/ID, #/unclaimed). Screens share
// the session through shared/session.js and move with shared/router.js: none imports
// this module.

import { api } from "../shared/api.js";
import { h } from "../shared/dom.js";
import * as i18n from "../shared/i18n.js";
import { render, startRouter } from "../shared/router.js";
import { restoreSession, session, signOut, subscribe } from "../shared/session.js";
import { STAFF } from "./common.js";

const screens = {
  signin: () => import("./signin.js"),
  classes: () => import("./classes.js"),
  class: () => import("./class.js"),
  student: () => import("./student.js"),
  roster: () => import("./roster.js"),
  live: () => import("./live.js"),
  // Issue 14, items 1-2: the first-run wizard (no session: the node has no one yet), cards.
  setup: () => import("./setup.js"),
  cards: () => import("./cards.js"),
  // Content library and reports (issue 14, items 7 and 8).
  library: () => import("./library.js"),
  report: () => import("./reports.js"),
  // Assign, groups, heatmap, a skill (#/skill/CLASS/SKILL), a student's work, the feedback queue.
  assign: () => import("./assign.js"),
  groups: () => import("./groups.js"),
  heatmap: () => import("./heatmap.js"),
  skill: () => import("./skill.js"),
  learner: () => import("./learner.js"),
  queue: () => import("./queue.js"),
  // Work done under a sign-in the node never checked, for a teacher to say whose it is.
  unclaimed: () => import("./unclaimed.js"),
};

/** The screen of a route: sign-in until a teacher or admin is signed in. */
function choose(name) {
  if (name === "setup") return name;
  if (!session.me || !STAFF.includes(session.me.role)) return "signin";
  if (name === "signin" || !name) return "#/classes";
  return name;
}

function renderHeader() {
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = i18n.t(el.dataset.i18n);
  document.title = i18n.t("teacher.title");
  const me = session.me && STAFF.includes(session.me.role) ? session.me : null;
  document.getElementById("nav").hidden = !me;
  document.getElementById("nav-roster").hidden = me?.role !== "admin";
  document.getElementById("who").textContent = me ? me.display_name : "";
  const select = document.getElementById("language");
  if (!select.options.length) {
    i18n.loadLanguages().then((languages) => {
      select.append(...languages.map((l) => h("option", { value: l.code, lang: l.code }, l.name)));
      select.value = i18n.language();
    });
  }
  select.value = i18n.language();
}

async function main() {
  i18n.useStaffStrings();
  await i18n.setLanguage(i18n.preferredLanguage());
  document.getElementById("language").addEventListener("change", async (event) => {
    await i18n.setLanguage(event.target.value);
    await render();
  });
  document.getElementById("signout").addEventListener("click", async () => {
    await signOut();
    location.hash = "#/signin";
  });
  subscribe(renderHeader);
  await restoreSession(STAFF);
  if (!session.me && (await api("GET", "/setup").catch(() => ({}))).needed) location.hash = "#/setup";
  await startRouter({ view: document.getElementById("view"), screens, choose, before: renderHeader });
}

main();
