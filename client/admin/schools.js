// The schools the hub holds: students, classes, enrolled nodes; each opens its dashboard.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { failed, loading } from "./common.js";

/** Render the list of schools. */
export async function render(view) {
  show(view, h("h1", {}, t("admin.schools.title")), loading());
  let schools;
  try {
    schools = await api("GET", "/district/schools");
  } catch (error) {
    failed(view, t("admin.schools.title"), error);
    return;
  }
  const table = h("div", { class: "table-wrap" }, h("table", { class: "schools" },
    h("thead", {}, h("tr", {}, ["name", "students", "classes", "nodes"].map((k) => h("th", { scope: "col" }, t(`admin.schools.${k}`))))),
    h("tbody", {}, schools.map((s) => h("tr", { "data-school": s.id },
      h("td", {}, h("a", { href: `#/dashboard/school/${encodeURIComponent(s.id)}` }, s.name)),
      h("td", {}, String(s.students)), h("td", {}, String(s.classes)), h("td", {}, String(s.nodes)))))));
  show(view, h("h1", {}, t("admin.schools.title")), schools.length ? table : h("p", {}, t("admin.schools.none")));
}
