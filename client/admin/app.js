// The district admin app on the hub: sign-in (admins only), header, language, and hash
// routes (#/dashboard[/school/ID[/class/ID]], #/schools, #/nodes, #/audit). Screens
// move with shared/router.js: none imports this module.

import { h } from "../shared/dom.js";
import * as i18n from "../shared/i18n.js";
import { render, startRouter } from "../shared/router.js";
import { restoreSession, session, signOut, subscribe } from "../shared/session.js";

const ADMINS = ["admin"];
const screens = {
  signin: () => import("./signin.js"),
  dashboard: () => import("./dashboard.js"),
  schools: () => import("./schools.js"),
  nodes: () => import("./nodes.js"),
  audit: () => import("./audit.js"),
};

/** The screen of a route: sign-in until an admin is signed in. */
function choose(name) {
  if (!session.me || !ADMINS.includes(session.me.role)) return "signin";
  if (name === "signin" || !name) return "#/dashboard";
  return name;
}

function renderHeader() {
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = i18n.t(el.dataset.i18n);
  document.title = i18n.t("admin.title");
  const me = session.me && ADMINS.includes(session.me.role) ? session.me : null;
  document.getElementById("nav").hidden = !me;
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
  await restoreSession(ADMINS);
  await startRouter({ view: document.getElementById("view"), screens, choose, before: renderHeader });
}

main();
