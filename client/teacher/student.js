// One student: change the name shown and the picture password.

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
  show(view, heading, form);
}
