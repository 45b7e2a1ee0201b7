// The audit log, newest first: exports, views of a student's record, erasures,
// revocations, enrolment codes and enrolments, schools started and their admins.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { count, errorText, failed, loading, when } from "./common.js";

/** Entries fetched at a time: the newest first, older ones on asking. */
const PER_PAGE = 100;

/** Render the newest entries of the audit log, and older ones page by page. */
export async function render(view) {
  show(view, h("h1", {}, t("admin.audit.title")), loading());
  let page;
  try {
    page = await api("GET", `/district/audit?per_page=${PER_PAGE}`);
  } catch (error) {
    failed(view, t("admin.audit.title"), error);
    return;
  }
  if (!page.items.length) {
    show(view, h("h1", {}, t("admin.audit.title")), h("p", {}, t("admin.audit.none")));
    return;
  }
  const row = (e) => h("tr", { "data-action": e.action },
    h("td", {}, when(e.at)), h("td", {}, e.actor_name), h("td", {}, actionWords(e.action)), h("td", {}, e.detail));
  const body = h("tbody", {}, page.items.map(row));
  // Entries made while the admin reads push the pages down: one already shown is skipped.
  const shown = new Set(page.items.map((e) => e.id));
  let total = page.total;
  let next = 2;
  const told = h("p", { class: "muted", "aria-live": "polite" });
  const older = h("button", { type: "button", class: "older" }, t("admin.audit.older"));
  const tell = (words) => {
    told.textContent = words || t("admin.audit.shown", { n: count(shown.size), total: count(total) });
    older.hidden = (next - 1) * PER_PAGE >= total;
  };
  older.addEventListener("click", async () => {
    older.disabled = true;
    try {
      const more = await api("GET", `/district/audit?per_page=${PER_PAGE}&page=${next}`);
      next += 1;
      total = more.total;
      for (const e of more.items) {
        if (!shown.has(e.id)) {
          shown.add(e.id);
          body.append(row(e));
        }
      }
      tell();
    } catch (error) {
      tell(errorText(error));
    } finally {
      older.disabled = false;
    }
  });
  tell();
  const table = h("div", { class: "table-wrap" }, h("table", { class: "audit" },
    h("thead", {}, h("tr", {}, ["at", "who", "action", "detail"].map((k) => h("th", { scope: "col" }, t(`admin.audit.${k}`))))),
    body));
  show(view, h("h1", {}, t("admin.audit.title")), table, told, older);
}

/** What an entry's action was, in the admin's words (its code, for one the app has no words for). */
function actionWords(action) {
  const key = `admin.audit.actions.${action}`;
  const words = t(key);
  return words === key ? action : words;
}
