// A student's record as the hub holds it (#/students/ID), found by name (#/students):
// their school, classes, work and skills; and erasing them when their family asks.
// Opening a record writes it to the audit log (the hub does, on every view).

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { language, t } from "../shared/i18n.js";
import { go } from "../shared/router.js";
import { count, errorText, failed, loading, share } from "./common.js";

/** The last search, kept while the app is open: back from a record comes to its results.
 * (Not in the address: a child's name has no place in the browser's history.) */
let last = { q: "", school: "" };

/** Render the search, or one student's record (more: their id). */
export async function render(view, more) {
  return more ? record(view, more) : search(view);
}

async function search(view) {
  show(view, h("h1", {}, t("admin.students.title")), loading());
  let schools;
  try {
    schools = await api("GET", "/district/schools");
  } catch (error) {
    failed(view, t("admin.students.title"), error);
    return;
  }
  const q = h("input", { name: "q", type: "search", required: true, maxlength: 100, autocomplete: "off", value: last.q });
  const school = h("select", { name: "school" },
    h("option", { value: "" }, t("admin.students.all_schools")),
    schools.map((s) => h("option", { value: s.id }, s.name)));
  school.value = last.school;
  const form = h("form", { class: "panel find-students", role: "search", onsubmit: (event) => {
    event.preventDefault();
    last = { q: q.value.trim(), school: school.value };
    go("#/students");
  } },
    h("label", {}, t("admin.students.q"), q),
    schools.length > 1 ? h("label", {}, t("admin.students.school"), school) : null,
    h("button", { type: "submit" }, t("admin.students.find")));
  const results = h("div", { class: "results", "aria-live": "polite" });
  show(view, h("h1", {}, t("admin.students.title")), h("p", { class: "muted" }, t("admin.students.lead")), form, results);
  if (!last.q) return;
  results.replaceChildren(loading());
  const asked = new URLSearchParams({ q: last.q });
  if (last.school) asked.set("school", last.school);
  let found;
  try {
    found = await api("GET", `/district/students?${asked}`);
  } catch (error) {
    results.replaceChildren(h("p", { role: "alert", class: "error" }, errorText(error)));
    return;
  }
  if (!found.length) {
    results.replaceChildren(h("p", {}, t("admin.students.none", { q: last.q })));
    return;
  }
  results.replaceChildren(...[
    h("div", { class: "table-wrap" }, h("table", { class: "students" },
      h("caption", { class: "visually-hidden" }, t("admin.students.found", { q: last.q })),
      h("thead", {}, h("tr", {}, ["name", "school", "classes"].map((k) => h("th", { scope: "col" }, t(`admin.students.${k}`))))),
      h("tbody", {}, found.map((s) => h("tr", { "data-student": s.id },
        h("td", {}, h("a", { href: `#/students/${encodeURIComponent(s.id)}` }, s.display_name)),
        h("td", {}, s.school_name), h("td", {}, s.classes.join(", "))))))),
    found.length >= 50 ? h("p", { class: "muted" }, t("admin.students.first", { n: found.length })) : null,
  ].filter(Boolean));
}

async function record(view, id) {
  show(view, h("h1", {}, t("admin.students.title")), loading());
  let student;
  try {
    student = await api("GET", `/district/students/${encodeURIComponent(id)}`);
  } catch (error) {
    failed(view, t("admin.students.title"), error);
    return;
  }
  draw(view, student);
}

/** A record, and (not erased yet) the way to erase it; status: what just happened. */
function draw(view, student, status = "") {
  const facts = h("dl", { class: "school-facts" },
    h("dt", {}, t("admin.students.school")), h("dd", {}, student.school_name),
    h("dt", {}, t("admin.students.classes")), h("dd", {}, student.class_names.join(", ") || "–"),
    h("dt", {}, t("admin.student.answers")), h("dd", {}, count(student.answers)),
    h("dt", {}, t("admin.student.attempts")), h("dd", {}, count(student.attempts)));
  const skills = student.skills.length
    ? h("div", { class: "table-wrap" }, h("table", { class: "skills" },
      h("caption", { class: "visually-hidden" }, t("admin.student.skills")),
      h("thead", {}, h("tr", {}, ["skill", "answers", "estimate", "mastered"].map((k) => h("th", { scope: "col" }, t(`admin.student.${k}`))))),
      h("tbody", {}, [...student.skills].sort((a, b) => a.title.localeCompare(b.title, language())).map((s) => h("tr", {},
        h("td", {}, s.title), h("td", {}, count(s.answers)), h("td", {}, share(s.p_known, 1)),
        h("td", {}, t(s.mastered ? "admin.student.yes" : "admin.student.not_yet")))))))
    : h("p", { class: "muted" }, t("admin.student.no_skills"));
  show(view,
    h("p", {}, h("a", { href: "#/students" }, t("admin.student.back"))),
    h("h1", {}, student.erased ? t("admin.student.erased_title") : student.display_name),
    status ? h("p", { role: "status", class: "notice" }, status) : null,
    student.erased ? h("p", { class: "notice erased" }, t("admin.student.erased_note")) : null,
    h("p", { class: "muted" }, t("admin.student.audited")),
    facts,
    h("section", {}, h("h2", {}, t("admin.student.skills")), skills),
    student.erased ? null : eraseForm(view, student));
}

/** Erasing: said in full first, then done only once the student's name is typed. */
function eraseForm(view, student) {
  const typed = h("input", { name: "confirm", autocomplete: "off", spellcheck: "false" });
  const button = h("button", { type: "submit", class: "danger", disabled: true }, t("admin.student.erase_button"));
  const said = h("p", { role: "status" });
  typed.addEventListener("input", () => {
    button.disabled = typed.value.trim() !== student.display_name.trim();
  });
  const form = h("form", { class: "panel erase", onsubmit: async (event) => {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    try {
      const erased = await api("POST", `/district/students/${encodeURIComponent(student.id)}/erase`);
      draw(view, erased, t("admin.student.erased_now"));
    } catch (error) {
      said.textContent = errorText(error);
      button.disabled = false;
    }
  } },
    h("h2", {}, t("admin.student.erase")),
    h("p", {}, t("admin.student.erase_lead")),
    h("label", {}, t("admin.student.confirm", { name: student.display_name }), typed),
    button,
    said);
  return form;
}
