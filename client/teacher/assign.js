// Assignments of a class: give an activity or a skill to the class, a group or one
// student, with a due date; pin, hide or show, withdraw; see who finished.

import { api, apiAll } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { languageName } from "../shared/format.js";
import { language, pick, t } from "../shared/i18n.js";
import { render as again } from "../shared/router.js";
import { errorText, loading } from "./common.js";

const enc = encodeURIComponent;
let notice = "";

/** Render the assignments of the class with id classId. */
export async function render(view, classId) {
  show(view, h("h1", {}, t("teacher.assign.title")), loading());
  let classroom, assignments, progress, groups, students, skills, activities;
  try {
    [classroom, assignments, progress, groups, students, skills, activities] = await Promise.all([
      api("GET", `/classes/${enc(classId)}`),
      api("GET", `/classes/${enc(classId)}/assignments`),
      api("GET", `/classes/${enc(classId)}/assignment-progress`),
      api("GET", `/classes/${enc(classId)}/groups`),
      api("GET", `/classes/${enc(classId)}/students`),
      api("GET", "/skills"),
      apiAll("/activities"),
    ]);
  } catch (error) {
    show(view, h("h1", {}, t("teacher.assign.title")), h("p", { role: "alert", class: "error" }, errorText(error)));
    return;
  }
  const names = {
    activity: Object.fromEntries(activities.map((a) => [a.id, a.title])),
    skill: Object.fromEntries(skills.map((s) => [s.id, pick(s.title) || s.id])),
    group: Object.fromEntries(groups.map((g) => [g.id, g.name])),
    student: Object.fromEntries(students.map((s) => [s.id, s.display_name])),
  };
  const byAssignment = Object.fromEntries(progress.map((p) => [p.assignment_id, p]));
  const status = h("p", { role: "status", "aria-live": "polite", class: "notice" }, notice);
  notice = "";
  show(view,
    h("h1", {}, t("teacher.assign.heading", { name: classroom.name })),
    h("div", { class: "actions" },
      h("a", { href: `#/groups/${enc(classroom.id)}` }, t("teacher.groups.title")),
      h("a", { href: `#/class/${enc(classroom.id)}` }, t("teacher.back_to_class"))),
    status,
    newAssignmentForm(classroom, { groups, students, skills, activities }),
    h("h2", {}, t("teacher.assign.list")),
    assignments.length
      ? h("ul", { class: "assignments" }, assignments.map((a) => assignmentItem(a, names, byAssignment[a.id], status)))
      : h("p", { class: "nobody" }, t("teacher.assign.none")));
}

function target(a, names) {
  if (a.person_id) return names.student[a.person_id] || "–";
  if (a.group_id) return t("teacher.assign.to_group", { name: names.group[a.group_id] || "–" });
  return t("teacher.assign.to_class");
}

function assignmentItem(a, names, progress, status) {
  const what = a.activity_id ? names.activity[a.activity_id] || a.activity_id : t("teacher.assign.skill_named", { name: names.skill[a.skill_id] || a.skill_id });
  const patch = async (changes, said) => {
    try {
      await api("PATCH", `/assignments/${enc(a.id)}`, changes);
      notice = said;
      again();
    } catch (error) {
      status.textContent = errorText(error);
    }
  };
  const withdraw = async () => {
    if (!confirm(t("teacher.assign.withdraw_confirm", { what }))) return;
    try {
      await api("DELETE", `/assignments/${enc(a.id)}`);
      notice = t("teacher.assign.withdrawn", { what });
      again();
    } catch (error) {
      status.textContent = errorText(error);
    }
  };
  const rows = progress?.students || [];
  return h("li", { class: "panel assignment", "data-assignment": a.id, "data-hidden": String(a.hidden) },
    h("h3", {}, a.pinned ? h("span", { class: "pin" }, h("span", { class: "icon icon-pin" }), " ", h("span", { class: "visually-hidden" }, t("teacher.assign.pinned"))) : null,
      what, " → ", target(a, names)),
    h("p", { class: "muted" }, [a.due_on ? t("teacher.assign.due", { date: a.due_on }) : null,
      a.hidden ? t("teacher.assign.hidden") : null].filter(Boolean).join(" · ") || t("teacher.assign.no_due")),
    h("details", { class: "progress" },
      h("summary", {}, t("teacher.assign.finished", { done: progress?.done ?? 0, total: progress?.total ?? 0 })),
      h("ul", {}, rows.map((s) => h("li", { "data-state": s.state }, s.display_name, ": ", t(`teacher.assign.state.${s.state}`))))),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "quiet pin-toggle", "aria-pressed": String(a.pinned),
        onclick: () => patch({ pinned: !a.pinned }, t(a.pinned ? "teacher.assign.unpinned_said" : "teacher.assign.pinned_said", { what })) },
        t("teacher.assign.pin"), h("span", { class: "visually-hidden" }, ` (${what})`)),
      h("button", { type: "button", class: "quiet hide-toggle", "aria-pressed": String(a.hidden),
        onclick: () => patch({ hidden: !a.hidden }, t(a.hidden ? "teacher.assign.shown_said" : "teacher.assign.hidden_said", { what })) },
        t("teacher.assign.hide"), h("span", { class: "visually-hidden" }, ` (${what})`)),
      h("button", { type: "button", class: "danger withdraw", onclick: withdraw }, t("teacher.assign.withdraw"),
        h("span", { class: "visually-hidden" }, ` (${what})`))));
}

function newAssignmentForm(classroom, { groups, students, skills, activities }) {
  const kind = h("select", { name: "kind" },
    h("option", { value: "activity" }, t("teacher.assign.an_activity")),
    h("option", { value: "skill" }, t("teacher.assign.a_skill")));
  // Activities in one content language at a time (the app's, to begin with).
  const languages = [...new Set(activities.map((a) => a.language))].sort();
  const contentLanguage = h("select", { name: "language" }, languages.map((code) => h("option", { value: code }, languageName(code, language()))));
  contentLanguage.value = languages.includes(language()) ? language() : languages[0] || "";
  const activity = h("select", { name: "activity_id" });
  const fill = () => activity.replaceChildren(...activities.filter((a) => a.language === contentLanguage.value)
    .map((a) => h("option", { value: a.id }, a.title)));
  contentLanguage.addEventListener("change", fill);
  fill();
  const skill = h("select", { name: "skill_id" }, skills.map((s) => h("option", { value: s.id }, pick(s.title) || s.id)));
  const activityLabel = h("div", {}, h("label", {}, t("teacher.assign.content_language"), contentLanguage),
    h("label", {}, t("teacher.assign.activity"), activity));
  const skillLabel = h("label", { hidden: true }, t("teacher.assign.skill"), skill);
  kind.addEventListener("change", () => {
    activityLabel.hidden = kind.value !== "activity";
    skillLabel.hidden = kind.value !== "skill";
  });
  const who = h("select", { name: "target" },
    h("option", { value: "" }, t("teacher.assign.to_class")),
    groups.length ? h("optgroup", { label: t("teacher.groups.title") }, groups.map((g) => h("option", { value: `group:${g.id}` }, g.name))) : null,
    students.length ? h("optgroup", { label: t("teacher.class.students") }, students.map((s) => h("option", { value: `person:${s.id}` }, s.display_name))) : null);
  const due = h("input", { type: "date", name: "due_on" });
  const pinned = h("input", { type: "checkbox", name: "pinned" });
  const message = h("p", { class: "error", role: "alert" });
  return h("form", { class: "panel new-assignment", "aria-labelledby": "new-assignment-title", onsubmit: async (event) => {
    event.preventDefault();
    message.textContent = "";
    const [to, id] = who.value.split(":");
    const body = { pinned: pinned.checked, due_on: due.value || null };
    body[kind.value === "skill" ? "skill_id" : "activity_id"] = kind.value === "skill" ? skill.value : activity.value;
    if (to === "group") body.group_id = id;
    if (to === "person") body.person_id = id;
    try {
      await api("POST", `/classes/${enc(classroom.id)}/assignments`, body);
      notice = t("teacher.assign.made");
      again();
    } catch (error) {
      message.textContent = errorText(error);
    }
  } },
    h("h2", { id: "new-assignment-title" }, t("teacher.assign.new")),
    h("label", {}, t("teacher.assign.what"), kind),
    activityLabel, skillLabel,
    h("label", {}, t("teacher.assign.who"), who),
    h("label", {}, t("teacher.assign.due_on"), due),
    h("label", { class: "check" }, pinned, " ", t("teacher.assign.pin_first")),
    h("button", { type: "submit" }, t("teacher.assign.give")),
    message);
}
