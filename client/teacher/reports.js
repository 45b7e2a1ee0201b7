// Reports, to read on screen and to print (print CSS in teacher.css): a class report
// (#/report/class/ID) and a student report (#/report/student/ID). Each has its progress
// chart, an SVG the node draws (with its title and description), the same figures as a
// table beside it, and a CSV download that opens right in a spreadsheet.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { language, t } from "../shared/i18n.js";
import { day } from "../shared/format.js";
import { errorText, loading } from "./common.js";

const enc = encodeURIComponent;

/** Render a report; more is "class/ID" or "student/ID". */
export async function render(view, more) {
  const [kind, ...rest] = more.split("/");
  const id = rest.join("/");
  show(view, h("h1", {}, t("teacher.report.title")), loading());
  const base = kind === "student" ? `/people/${enc(id)}` : `/classes/${enc(id)}`;
  let report;
  try {
    report = await api("GET", `${base}/report`);
  } catch (error) {
    show(view, h("h1", {}, t("teacher.report.title")), h("p", { role: "alert", class: "error" }, errorText(error)));
    return;
  }
  const heading = kind === "student"
    ? t("teacher.report.student_title", { name: report.display_name })
    : t("teacher.report.class_title", { name: report.name });
  show(view,
    h("article", { class: "report", "data-kind": kind },
      h("h1", {}, heading),
      h("p", { class: "muted" }, t("teacher.report.made_on", { date: day(report.made_on, language()) })),
      h("div", { class: "actions no-print" },
        h("button", { type: "button", onclick: () => window.print() }, t("teacher.report.print")),
        h("a", { href: `/api/v1${base}/report.csv?language=${language()}`, download: "", class: "csv" }, t("teacher.report.csv")),
        kind === "student"
          ? h("a", { href: `#/learner/${enc(id)}` }, t("teacher.report.back_student"))
          : h("a", { href: `#/class/${enc(id)}` }, t("teacher.report.back"))),
      kind === "student" ? studentBody(report) : classBody(report, id),
      progressSection(report.progress, `/api/v1${base}/progress.svg?language=${language()}`)));
}

/** A table named by its caption, or (labelledBy) by the heading just above it, not said twice. */
function table({ caption, labelledBy }, columns, rows) {
  return h("div", { class: "table-wrap" }, h("table", { "aria-labelledby": labelledBy },
    caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows)));
}

// As the teacher's language writes a share: "83%" in English, "83 %" in French.
const percent = (share) => (share == null ? "—" : new Intl.NumberFormat(language(), { style: "percent" }).format(share));

function classBody(report) {
  return h("section", {},
    h("h2", { id: "report-students" }, t("teacher.report.students")),
    table({ labelledBy: "report-students" },
      ["name", "answers", "correct", "share", "finished", "mastered", "last"].map((k) => t(`teacher.report.col.${k}`)),
      report.students.map((s) => h("tr", {},
        h("th", { scope: "row" }, h("a", { href: `#/report/student/${enc(s.person_id)}` }, s.display_name)),
        h("td", {}, s.answers), h("td", {}, s.correct), h("td", {}, percent(s.correct_share)),
        h("td", {}, s.completed), h("td", {}, `${s.skills_mastered} / ${report.skills}`),
        h("td", {}, s.last_active ? day(s.last_active, language()) : "—")))));
}

function studentBody(report) {
  const lang = language();
  return h("section", {},
    h("ul", { class: "counts" },
      h("li", {}, `${t("teacher.report.col.answers")}: `, h("strong", {}, report.answers)),
      h("li", {}, `${t("teacher.report.col.correct")}: `, h("strong", {}, report.correct)),
      h("li", {}, `${t("teacher.report.col.finished")}: `, h("strong", {}, report.completed))),
    h("h2", { id: "report-skills" }, t("teacher.report.skills")),
    report.skills.length
      ? table({ labelledBy: "report-skills" },
        ["skill", "mastery", "answers", "correct", "state", "last"].map((k) => t(`teacher.report.col.${k}`)),
        report.skills.map((s) => h("tr", {},
          h("th", { scope: "row" }, s.title[lang] || s.title.en || s.skill_id),
          h("td", {}, percent(s.p_known_now)), h("td", {}, s.attempts), h("td", {}, s.correct),
          h("td", { class: `level-${s.level}` }, t(`teacher.level.${s.level}`)),
          h("td", {}, s.last_practised ? day(s.last_practised, lang) : "—"))))
      : h("p", {}, t("teacher.report.no_skills")));
}

function progressSection(progress, chartUrl) {
  if (!progress.length) return h("section", {}, h("h2", {}, t("teacher.report.progress")), h("p", {}, t("teacher.report.no_work")));
  return h("section", { class: "progress" },
    h("h2", {}, t("teacher.report.progress")),
    // The chart's own <title> and <desc> say it in words; the table below is the same data.
    h("img", { src: chartUrl, class: "chart", alt: t("teacher.report.chart_alt") }),
    table({ caption: t("teacher.report.progress_table") },
      ["week", "answers", "correct", "finished", "correct_so_far", "finished_so_far"].map((k) => t(`teacher.report.col.${k}`)),
      progress.map((w) => h("tr", {},
        h("th", { scope: "row" }, day(w.week, language())), h("td", {}, w.answers), h("td", {}, w.correct), h("td", {}, w.completed),
        h("td", {}, w.correct_so_far), h("td", {}, w.completed_so_far)))));
}
