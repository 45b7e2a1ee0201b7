// The audit log, newest first: exports, views of a student's record, erasures,
// revocations, enrolment codes and enrolments, schools started and their admins.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { failed, loading, when } from "./common.js";

/** Render the last page of the audit log. */
export async function render(view) {
  show(view, h("h1", {}, t("admin.audit.title")), loading());
  let page;
  try {
    page = await api("GET", "/district/audit?per_page=100");
  } catch (error) {
    failed(view, t("admin.audit.title"), error);
    return;
  }
  const table = h("div", { class: "table-wrap" }, h("table", { class: "audit" },
    h("thead", {}, h("tr", {}, ["at", "who", "action", "detail"].map((k) => h("th", { scope: "col" }, t(`admin.audit.${k}`))))),
    h("tbody", {}, page.items.map((e) => h("tr", { "data-action": e.action },
      h("td", {}, when(e.at)), h("td", {}, e.actor_name), h("td", {}, actionWords(e.action)), h("td", {}, e.detail))))));
  show(view, h("h1", {}, t("admin.audit.title")), page.items.length ? table : h("p", {}, t("admin.audit.none")));
}

/** What an entry's action was, in the admin's words (its code, for one the app has no words for). */
function actionWords(action) {
  const key = `admin.audit.actions.${action}`;
  const words = t(key);
  return words === key ? action : words;
}
