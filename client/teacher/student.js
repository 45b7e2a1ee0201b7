// One student: change the name shown and the picture password; move to another class;
// archive (a child who left: off the lists and sign-in, work kept) or bring back.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { errorText, loading, pictureChooser } from "./common.js";

/** Render the edit screen of the student with id personId. */
export async function render(view, personId) {
  show(view, h("h1", {}, t("teacher.student.title")), loading());
  let student;
  try {
    student = await api("GET", `/people/${encodeURIComponent(personId)}`);
  } catch (error) {
    show(view, h("h1", {}, t("teacher.student.title")), h("p", { role: "alert", class: "error" }, errorText(error)));
    return;
  }
  const name = h("input", { name: "display_name", required: true, maxlength: 200, value: student.display_name });
  const pictures = pictureChooser(t("teacher.student.new_pictures"));
  const status = h("p", { role: "status", "aria-live": "polite" });
  const form = h("form", { class: "panel edit-student", onsubmit: async (event) => {
    event.preventDefault();
    status.textContent = "";
    if (pictures.count() && !pictures.value()) {
      status.textContent = t("teacher.pictures.need_three");
      return;
    }
    const changes = { display_name: name.value.trim() };
    if (pictures.value()) changes.pictures = pictures.value();
    try {
      student = await api("PATCH", `/people/${encodeURIComponent(student.id)}`, changes);
      status.textContent = t("teacher.student.saved", { name: student.display_name });
      pictures.clear();
      heading.textContent = student.display_name;
    } catch (error) {
      status.textContent = errorText(error);
    }
  } },
    h("label", {}, t("teacher.student.name"), name),
    h("p", { class: "muted" }, t(student.has_picture_password ? "teacher.student.pictures_set" : "teacher.student.pictures_none")),
    pictures.element,
    h("div", { class: "actions" },
      h("button", { type: "submit" }, t("teacher.student.save")),
      h("button", { type: "button", class: "quiet", onclick: () => history.back() }, t("common.back"))),
    status);
  const heading = h("h1", {}, student.display_name);
  const learning = h("p", {}, h("a", { href: `#/learner/${encodeURIComponent(student.id)}` }, t("teacher.student.learning")));
  show(view, heading, learning, form, await placeForm(student));
}

/** Move to another class, archive, bring back: where the child is in the school. */
async function placeForm(student) {
  const status = h("p", { role: "status", "aria-live": "polite" });
  const path = `/people/${encodeURIComponent(student.id)}`;
  let classes = [];
  try {
    classes = await api("GET", "/classes");
  } catch {
    // No classes to offer: the move is left out, archiving stays.
  }
  const select = h("select", { name: "classroom_id" }, classes.map((c) => h("option", { value: c.id }, c.name)));
  const move = async (event) => {
    event.preventDefault();
    try {
      await api("POST", `${path}/move`, { classroom_id: select.value });
      status.textContent = t("teacher.student.moved", { name: student.display_name, class: select.selectedOptions[0].textContent });
    } catch (error) {
      status.textContent = errorText(error);
    }
  };
  const setArchived = async (archived) => {
    if (archived && !confirm(t("teacher.class.archive_confirm", { name: student.display_name }))) return;
    try {
      student = await api("PATCH", path, { archived });
      status.textContent = t(archived ? "teacher.class.archived" : "teacher.student.unarchived", { name: student.display_name });
      archiveButton.hidden = archived;
      backButton.hidden = !archived;
    } catch (error) {
      status.textContent = errorText(error);
    }
  };
  const archiveButton = h("button", { type: "button", class: "danger archive", hidden: student.archived, onclick: () => setArchived(true) }, t("teacher.class.archive"));
  const backButton = h("button", { type: "button", class: "unarchive", hidden: !student.archived, onclick: () => setArchived(false) }, t("teacher.student.unarchive"));
  return h("form", { class: "panel place-student", "aria-labelledby": "place-title", onsubmit: move },
    h("h2", { id: "place-title" }, t("teacher.student.place")),
    student.archived ? h("p", { class: "muted" }, t("teacher.student.is_archived")) : null,
    classes.length ? h("label", {}, t("teacher.student.move_to"), select) : null,
    h("div", { class: "actions" },
      classes.length ? h("button", { type: "submit", class: "move" }, t("teacher.student.move")) : null,
      archiveButton, backButton),
    status);
}
