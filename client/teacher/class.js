// One class: its students (add, edit, take out of the class, archive), the archived
// students the teacher may see (brought back into this class, with all their work),
// editing the class itself, its printable sign-in cards, and the way to its live view.

import { api, apiAll } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { render as again } from "../shared/router.js";
import { errorText, loading, pictureChooser } from "./common.js";

const enc = encodeURIComponent;
let notice = ""; // said after the screen is drawn again (a student taken out, archived)

/** Render the class with id classId. */
export async function render(view, classId) {
  show(view, h("h1", {}, t("teacher.class.title")), loading());
  let classroom, students, archived;
  try {
    [classroom, students, archived] = await Promise.all([
      api("GET", `/classes/${enc(classId)}`),
      api("GET", `/classes/${enc(classId)}/students`),
      apiAll("/people?archived=true&role=student").then((items) => ({ items })),
    ]);
  } catch (error) {
    show(view, h("h1", {}, t("teacher.class.title")), h("p", { role: "alert", class: "error" }, errorText(error)),
      h("p", {}, h("a", { href: "#/classes" }, t("teacher.nav.classes"))));
    return;
  }
  const status = h("p", { role: "status", "aria-live": "polite", class: "notice" }, notice);
  notice = "";
  const rows = students.map((s) => studentRow(s, classroom, status));
  show(view,
    h("h1", {}, classroom.name),
    h("p", { class: "muted" }, [classroom.grade, t("teacher.class.count", { n: students.length })].filter(Boolean).join(" · ")),
    h("div", { class: "actions" },
      h("a", { href: `#/live/${enc(classroom.id)}` }, t("teacher.classes.live")),
      h("a", { href: `#/cards/${enc(classroom.id)}`, class: "cards-link" }, t("teacher.cards.link")),
      h("a", { href: `#/report/class/${enc(classroom.id)}` }, t("teacher.report.open")),
      h("a", { href: `#/heatmap/${enc(classroom.id)}`, class: "heatmap-link" }, t("teacher.heatmap.title")),
      h("a", { href: `#/assign/${enc(classroom.id)}`, class: "assign-link" }, t("teacher.assign.title")),
      h("a", { href: `#/queue/${enc(classroom.id)}`, class: "queue-link" }, t("teacher.queue.title")),
      h("a", { href: "#/classes" }, t("teacher.nav.classes"))),
    status,
    h("h2", {}, t("teacher.class.students")),
    students.length
      ? h("div", { class: "table-wrap" }, h("table", { class: "students" },
        h("caption", { class: "visually-hidden" }, t("teacher.class.students")),
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, t("teacher.student.name")),
          h("th", { scope: "col" }, t("teacher.student.picture_password")),
          h("th", { scope: "col" }, t("teacher.class.actions")))),
        h("tbody", {}, rows)))
      : h("p", {}, t("teacher.class.empty")),
    archivedSection(archived.items, classroom, status),
    newStudentForm(classroom),
    editClassForm(classroom));
}

/** Archived students (left the school, work kept): each can be brought back into this class. */
function archivedSection(archived, classroom, status) {
  const bringBack = async (student) => {
    try {
      await api("POST", `/people/${enc(student.id)}/unarchive`, { classroom_id: classroom.id });
      notice = t("teacher.archived.back", { name: student.display_name, class: classroom.name });
      again();
    } catch (error) {
      status.textContent = errorText(error);
    }
  };
  return h("section", { class: "panel archived", "aria-labelledby": "archived-title" },
    h("h2", { id: "archived-title" }, t("teacher.archived.title", { n: archived.length })),
    h("p", { class: "muted" }, t("teacher.archived.help")),
    archived.length
      ? h("ul", { class: "archived-list" }, archived.map((student) => h("li", { "data-student": student.id },
        h("a", { class: "name", href: `#/student/${enc(student.id)}` }, student.display_name),
        h("button", { type: "button", class: "quiet bring-back", onclick: () => bringBack(student) },
          t("teacher.archived.bring_back", { class: classroom.name }),
          h("span", { class: "visually-hidden" }, ` (${student.display_name})`)))))
      : h("p", { class: "nobody" }, t("teacher.archived.none")));
}

function editClassForm(classroom) {
  const name = h("input", { name: "name", required: true, maxlength: 200, value: classroom.name });
  const grade = h("input", { name: "grade", maxlength: 40, value: classroom.grade || "" });
  const pictures = h("input", { type: "checkbox", name: "picture_password", checked: classroom.picture_password });
  const message = h("p", { role: "status", "aria-live": "polite" });
  return h("form", { class: "panel edit-class", "aria-labelledby": "edit-class-title", onsubmit: async (event) => {
    event.preventDefault();
    try {
      await api("PATCH", `/classes/${enc(classroom.id)}`, {
        name: name.value.trim(), grade: grade.value.trim() || null, picture_password: pictures.checked,
      });
      notice = t("teacher.class.saved");
      again();
    } catch (error) {
      message.textContent = errorText(error);
    }
  } },
    h("h2", { id: "edit-class-title" }, t("teacher.class.edit")),
    h("label", {}, t("teacher.classes.name"), name),
    h("label", {}, t("teacher.classes.grade"), grade),
    h("label", { class: "check" }, pictures, " ", t("teacher.class.picture_password")),
    h("button", { type: "submit" }, t("teacher.class.save")),
    message);
}

function studentRow(student, classroom, status) {
  const remove = async () => {
    if (!confirm(t("teacher.class.remove_confirm", { name: student.display_name }))) return;
    try {
      await api("DELETE", `/classes/${enc(classroom.id)}/enrollments/${enc(student.id)}`);
      notice = t("teacher.class.removed", { name: student.display_name });
      again();
    } catch (error) {
      status.textContent = errorText(error);
    }
  };
  const archive = async () => {
    if (!confirm(t("teacher.class.archive_confirm", { name: student.display_name }))) return;
    try {
      await api("PATCH", `/people/${enc(student.id)}`, { archived: true });
      notice = t("teacher.class.archived", { name: student.display_name });
      again();
    } catch (error) {
      status.textContent = errorText(error);
    }
  };
  return h("tr", { "data-student": student.id },
    h("th", { scope: "row" }, h("a", { href: `#/learner/${enc(student.id)}` }, student.display_name)),
    h("td", {}, t(student.has_picture_password ? "teacher.student.pictures_set" : "teacher.student.pictures_none")),
    h("td", { class: "actions" },
      // The visible words, then whose row it is for a screen reader (axe: label in name).
      h("button", { type: "button", class: "quiet", onclick: remove }, t("teacher.class.remove"),
        h("span", { class: "visually-hidden" }, ` (${student.display_name})`)),
      h("button", { type: "button", class: "danger archive", onclick: archive }, t("teacher.class.archive"),
        h("span", { class: "visually-hidden" }, ` (${student.display_name})`))));
}

function newStudentForm(classroom) {
  const name = h("input", { name: "display_name", required: true, maxlength: 200 });
  const pictures = pictureChooser(t("teacher.student.choose_pictures"));
  const message = h("p", { class: "error", role: "alert" });
  return h("form", { class: "panel new-student", "aria-labelledby": "new-student-title", onsubmit: async (event) => {
    event.preventDefault();
    message.textContent = "";
    if (pictures.count() && !pictures.value()) {
      message.textContent = t("teacher.pictures.need_three");
      return;
    }
    try {
      await api("POST", "/people", {
        role: "student", display_name: name.value.trim(), classroom_id: classroom.id, pictures: pictures.value(),
      });
      again();
    } catch (error) {
      message.textContent = errorText(error);
    }
  } },
    h("h2", { id: "new-student-title" }, t("teacher.class.add_student")),
    h("label", {}, t("teacher.student.name"), name),
    pictures.element,
    h("button", { type: "submit" }, t("teacher.class.add")),
    message);
}
