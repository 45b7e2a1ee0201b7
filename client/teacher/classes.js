// The classes a teacher teaches (an admin: every class of the school); an admin
// creates a class here.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { go } from "../shared/router.js";
import { session } from "../shared/session.js";
import { errorText, loading } from "./common.js";

/** Render the list of classes. */
export async function render(view) {
  show(view, h("h1", {}, t("teacher.classes.title")), loading());
  let classes, unclaimed;
  try {
    [classes, unclaimed] = await Promise.all([api("GET", "/classes"), api("GET", "/unclaimed-work").catch(() => [])]);
  } catch (error) {
    show(view, h("h1", {}, t("teacher.classes.title")), h("p", { role: "alert", class: "error" }, errorText(error)));
    return;
  }
  const admin = session.me.role === "admin";
  const list = classes.length
    ? h("ul", { class: "cards classes" }, classes.map((c) =>
      h("li", { "data-class": c.id },
        h("a", { href: `#/class/${encodeURIComponent(c.id)}` }, c.name),
        c.grade ? h("p", { class: "muted" }, c.grade) : null,
        h("p", {}, h("a", { href: `#/live/${encodeURIComponent(c.id)}`, class: "live-link" }, t("teacher.classes.live"))))))
    : h("p", {}, t(admin ? "teacher.classes.none_admin" : "teacher.classes.none"));
  show(view,
    h("h1", {}, t("teacher.classes.title")),
    // Work a tablet did under a sign-in never checked waits for a teacher to say whose it is.
    unclaimed.length ? h("p", { class: "notice unclaimed-link" },
      h("a", { href: "#/unclaimed" }, t("teacher.unclaimed.waiting", { n: unclaimed.length }))) : null,
    list,
    admin ? newClassForm() : null,
    admin ? h("p", {}, h("a", { href: "#/roster" }, t("teacher.roster.link"))) : null);
}

function newClassForm() {
  const name = h("input", { name: "name", required: true, maxlength: 200 });
  const grade = h("input", { name: "grade", maxlength: 40 });
  const message = h("p", { class: "error", role: "alert" });
  return h("form", { class: "panel new-class", "aria-labelledby": "new-class-title", onsubmit: async (event) => {
    event.preventDefault();
    try {
      const made = await api("POST", "/classes", { name: name.value.trim(), grade: grade.value.trim() || null });
      go(`#/class/${encodeURIComponent(made.id)}`);
    } catch (error) {
      message.textContent = errorText(error);
    }
  } },
    h("h2", { id: "new-class-title" }, t("teacher.classes.new")),
    h("label", {}, t("teacher.classes.name"), name),
    h("label", {}, t("teacher.classes.grade"), grade),
    h("button", { type: "submit" }, t("teacher.classes.create")),
    message);
}
