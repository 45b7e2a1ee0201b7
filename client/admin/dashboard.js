// The district dashboard, drilled down from the district to a school to a class:
// #/dashboard, #/dashboard/school/ID, #/dashboard/school/ID/class/ID. A school's admin
// starts at their own school (the hub refuses them the whole district).

import { api, ApiError } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { go } from "../shared/router.js";
import { session } from "../shared/session.js";
import { bars, count, failed, loading, share, shortDay, when } from "./common.js";

/** Render one level of the dashboard. */
export async function render(view, more) {
  const [, schoolId, , classId] = (more || "").split("/");
  show(view, h("h1", {}, t("admin.dashboard.title")), loading());
  const query = classId ? `?class=${encodeURIComponent(classId)}` : schoolId ? `?school=${encodeURIComponent(schoolId)}` : "";
  let data;
  try {
    data = await api("GET", `/district/dashboard${query}`);
  } catch (error) {
    if (!query && error instanceof ApiError && error.status === 403) {
      go(`#/dashboard/school/${encodeURIComponent(session.me.school_id)}`);
      return;
    }
    failed(view, t("admin.dashboard.title"), error);
    return;
  }
  const title = data.level === "class" ? data.classroom_name : data.level === "school" ? data.school_name : t("admin.dashboard.district");
  const crumbs = h("ul", { class: "crumbs" },
    h("li", {}, h("a", { href: "#/dashboard" }, t("admin.dashboard.district"))),
    data.school_id ? h("li", {}, h("a", { href: `#/dashboard/school/${encodeURIComponent(data.school_id)}` }, data.school_name)) : null,
    data.classroom_id ? h("li", {}, data.classroom_name) : null);
  const totals = data.totals;
  const figures = h("ul", { class: "figures" },
    [["students", count(totals.students)], ["answers", count(totals.answers)], ["right", share(totals.correct, totals.answers)],
      ["attempts", count(totals.attempts)], ["completed", count(totals.completed)]].map(([key, value]) =>
      h("li", { "data-figure": key }, h("strong", {}, value), t(`admin.dashboard.${key}`))));
  const days = bars(data.active_per_day.slice(-14).map((d) => ({ label: shortDay(d.day), value: d.students })), t("admin.dashboard.active"));
  const childKind = data.level === "district" ? "school" : "class";
  const childrenTitle = t(childKind === "school" ? "admin.dashboard.schools" : "admin.dashboard.classes");
  const children = data.children.length
    ? h("div", { class: "table-wrap" }, h("table", { class: "children" },
      h("caption", { class: "visually-hidden" }, childrenTitle),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t(`admin.dashboard.${childKind}`)),
        h("th", { scope: "col" }, t("admin.dashboard.answers")), h("th", { scope: "col" }, t("admin.dashboard.right")),
        h("th", { scope: "col" }, t("admin.dashboard.attempts")))),
      h("tbody", {}, data.children.map((c) => h("tr", { "data-child": c.id },
        h("td", {}, h("a", { href: childKind === "school" ? `#/dashboard/school/${encodeURIComponent(c.id)}` : `#/dashboard/school/${encodeURIComponent(data.school_id)}/class/${encodeURIComponent(c.id)}` }, c.name)),
        h("td", {}, count(c.answers)), h("td", {}, share(c.correct, c.answers)), h("td", {}, count(c.attempts)))))))
    : null;
  const skills = data.skills.length
    ? bars(data.skills.map((s) => ({ label: s.title, value: s.mastered, text: `${count(s.mastered)} · ${share(s.correct, s.answers)}` })), t("admin.dashboard.skills"))
    : h("p", { class: "muted" }, t("admin.dashboard.nothing"));
  const content = data.content.length
    ? bars(data.content.map((c) => ({ label: c.title, value: c.attempts })), t("admin.dashboard.content"))
    : h("p", { class: "muted" }, t("admin.dashboard.nothing"));
  const goals = h("ul", { class: "figures goals" }, ["active", "done", "dropped"].map((s) =>
    h("li", {}, h("strong", {}, count(data.goals[s])), t(`admin.goals.${s}`))));
  const sync = data.sync;
  const health = h("ul", { class: "figures sync" },
    ["nodes", "ok", "failing", "never", "revoked"].map((k) => h("li", {}, h("strong", {}, count(sync[k])), t(`admin.sync.${k}`))),
    h("li", {}, h("strong", {}, when(sync.oldest_success_at)), t("admin.sync.oldest")));
  // Downloads of the district's or a school's figures (a class's are its school's). Plain
  // links: the browser saves them with the session's cookie; the hub audits each one.
  const scope = data.school_id ? `?school=${encodeURIComponent(data.school_id)}` : "";
  const download = (path, key) => h("li", {}, h("a", { href: `/api/v1/district/exports/${path}${scope}`, download: "" }, t(key)));
  const downloads = data.level === "class" ? null : h("section", { class: "downloads" },
    h("h2", {}, t("admin.exports.title")),
    h("p", { class: "muted" }, t("admin.exports.lead")),
    h("ul", {},
      download("dashboard.csv", childKind === "school" ? "admin.exports.schools_csv" : "admin.exports.classes_csv"),
      download("results.zip", "admin.exports.results"),
      download("xapi", "admin.exports.xapi")));
  show(view,
    h("nav", { "aria-label": t("admin.dashboard.where") }, crumbs),
    h("h1", {}, title),
    figures,
    children ? h("section", {}, h("h2", {}, childrenTitle), children) : null,
    h("section", {}, h("h2", {}, t("admin.dashboard.active")), days),
    h("section", {}, h("h2", {}, t("admin.dashboard.skills")), h("p", { class: "muted" }, t("admin.dashboard.skills_lead")), skills),
    h("section", {}, h("h2", {}, t("admin.dashboard.content")), content),
    h("section", {}, h("h2", {}, t("admin.dashboard.goals")), goals),
    h("section", {}, h("h2", {}, t("admin.dashboard.sync")), health),
    downloads);
}
