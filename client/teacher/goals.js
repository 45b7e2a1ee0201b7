// A student's goals on the teacher's student page: set one (in words, or tied to a skill
// with the mastery to reach, or minutes of practice; short- or long-term, with an optional
// due date), edit it, mark it done or drop it, reopen it, and delete one set by mistake.
// Every change goes to the node at once; the student app shows it (after sync on a peer).

import { api, ApiError } from "../shared/api.js";
import { h } from "../shared/dom.js";
import { pick, t } from "../shared/i18n.js";
import { render as again } from "../shared/router.js";
import { errorText } from "./common.js";

const enc = encodeURIComponent;
const KINDS = ["free_text", "master_skill", "practice_minutes"];
let notice = ""; // said after the page is drawn again

/** The goals section of a student's page: the list, then the form for a new goal. */
export function goalsSection(person, goals, skills) {
  const skillName = Object.fromEntries(skills.map((s) => [s.id, pick(s.title) || s.id]));
  const status = h("p", { role: "status", "aria-live": "polite", class: "notice goals-notice" }, notice);
  notice = "";
  return h("section", { "aria-labelledby": "goals-title", class: "goals-section" },
    h("h2", { id: "goals-title" }, t("teacher.learner.goals")),
    status,
    goals.length
      ? h("ul", { class: "goals" }, goals.map((g) => goalItem(person, g, skillName, status)))
      : h("p", {}, t("teacher.learner.no_goals")),
    newGoalForm(person, skills));
}

/** What a goal is, in a few words: its text, else the skill or minutes it names. */
function title(g, skillName) {
  if (g.text) return g.text;
  if (g.kind === "master_skill") return t("teacher.goals.skill_named", { name: skillName[g.skill_id] || g.skill_id });
  if (g.kind === "practice_minutes") return t("teacher.goals.minutes_named", { n: g.target });
  return t(`teacher.goals.kind.${g.kind}`);
}

function progressText(g) {
  const p = g.progress;
  if (!p || g.kind === "free_text") return "";
  const value = g.kind === "master_skill" ? Math.round(p.value * 100) : p.value;
  const target = g.kind === "master_skill" ? Math.round(p.target * 100) : p.target;
  return t(`teacher.goals.progress.${g.kind}`, { value, target });
}

function goalItem(person, g, skillName, status) {
  const what = title(g, skillName);
  const hidden = h("span", { class: "visually-hidden" }, ` (${what})`);
  const change = async (changes, said) => {
    try {
      await api("PATCH", `/goals/${enc(g.id)}`, changes);
      notice = said;
      again();
    } catch (error) {
      status.textContent = errorText(error);
    }
  };
  const remove = async () => {
    if (!confirm(t("teacher.goals.delete_confirm", { what }))) return;
    try {
      await api("DELETE", `/goals/${enc(g.id)}`);
      notice = t("teacher.goals.deleted", { what });
      again();
    } catch (error) {
      status.textContent = errorText(error);
    }
  };
  const editor = editForm(g, what, status);
  const editButton = h("button", { type: "button", class: "quiet edit-goal", "aria-expanded": "false",
    onclick: () => {
      editor.hidden = !editor.hidden;
      editButton.setAttribute("aria-expanded", String(!editor.hidden));
      if (!editor.hidden) editor.querySelector("input, textarea").focus();
    } }, t("teacher.goals.edit"), hidden.cloneNode(true));
  const open = g.status === "active";
  const state = g.progress && open ? t(`teacher.goals.state.${g.progress.state}`) : "";
  const facts = [
    t(`teacher.goals.term.${g.term}`),
    g.due_on ? t("teacher.goals.due", { date: g.due_on }) : t("teacher.goals.no_due"),
    g.set_by === person.id ? t("teacher.goals.set_by_student") : null,
    progressText(g), state,
  ].filter(Boolean).join(" · ");
  return h("li", { class: "panel goal", "data-goal": g.id, "data-status": g.status },
    h("h3", {}, what, " ", h("span", { class: "goal-status" }, `(${t(`teacher.goal.${g.status}`)})`)),
    h("p", { class: "muted" }, facts),
    h("div", { class: "actions" },
      editButton,
      open
        ? [h("button", { type: "button", class: "close-goal", onclick: () => change({ status: "done" }, t("teacher.goals.closed_done", { what })) },
          t("teacher.goals.close"), hidden.cloneNode(true)),
        h("button", { type: "button", class: "quiet drop-goal", onclick: () => change({ status: "dropped" }, t("teacher.goals.closed_dropped", { what })) },
          t("teacher.goals.drop"), hidden.cloneNode(true))]
        : h("button", { type: "button", class: "quiet reopen-goal", onclick: () => change({ status: "active" }, t("teacher.goals.reopened", { what })) },
          t("teacher.goals.reopen"), hidden.cloneNode(true)),
      h("button", { type: "button", class: "danger delete-goal", onclick: remove }, t("teacher.goals.delete"), hidden.cloneNode(true))),
    editor);
}

/** The target's field for a kind: mastery in percent, or minutes; none for words. */
function targetInput(kind, value) {
  const skill = kind === "master_skill";
  return h("input", { type: "number", name: "target", min: 1, max: skill ? 100 : 100000, step: 1,
    inputmode: "numeric", value: value ?? "" });
}

function targetLabel(kind) {
  return t(kind === "master_skill" ? "teacher.goals.target_mastery" : "teacher.goals.target_minutes");
}

const FIELDS = { text: "teacher.goals.text", skill_id: "teacher.goals.skill", due_on: "teacher.goals.due_on",
  term: "teacher.goals.term", kind: "teacher.goals.kind" };

/** A refused goal in the teacher's language: the fields to check, named as the form names
 * them, with focus on the first; any other failure as the staff apps say it. */
function formError(error, kind, form) {
  const fields = error instanceof ApiError && error.status === 422 && error.details ? Object.keys(error.details) : [];
  if (!fields.length) return errorText(error);
  form.querySelector(`[name="${fields[0]}"]`)?.focus();
  const named = fields.map((f) => (f === "target" ? targetLabel(kind) : t(FIELDS[f] || "teacher.goals.text")));
  return t("teacher.goals.check", { fields: named.join(", ") });
}

function editForm(g, what, status) {
  const text = h("textarea", { name: "text", rows: 2, maxlength: 2000 });
  text.value = g.text || "";
  const due = h("input", { type: "date", name: "due_on", value: g.due_on || "" });
  const target = g.kind === "free_text" ? null : targetInput(g.kind, g.target);
  const message = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "edit-goal-form", hidden: true, "aria-label": t("teacher.goals.editing", { what }),
    onsubmit: async (event) => {
      event.preventDefault();
      message.textContent = "";
      const changes = { text: text.value.trim(), due_on: due.value || null };
      if (target) changes.target = target.value ? Number(target.value) : null;
      try {
        await api("PATCH", `/goals/${enc(g.id)}`, changes);
        notice = t("teacher.goals.saved", { what: changes.text || what });
        again();
      } catch (error) {
        message.textContent = formError(error, g.kind, form);
        status.textContent = "";
      }
    } },
    h("label", {}, t(g.kind === "free_text" ? "teacher.goals.text" : "teacher.goals.text_optional"), text),
    target ? h("label", {}, targetLabel(g.kind), target) : null,
    h("label", {}, t("teacher.goals.due_on"), due),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "save-goal" }, t("teacher.goals.save")),
      h("button", { type: "button", class: "quiet", onclick: () => { form.hidden = true; form.closest("li")?.querySelector(".edit-goal")?.focus(); } },
        t("teacher.goals.cancel"))),
    message);
  return form;
}

function newGoalForm(person, skills) {
  const kind = h("select", { name: "kind" }, KINDS.map((k) => h("option", { value: k }, t(`teacher.goals.kind.${k}`))));
  const term = h("select", { name: "term" }, ["short", "long"].map((k) => h("option", { value: k }, t(`teacher.goals.term.${k}`))));
  const skill = h("select", { name: "skill_id" }, skills.map((s) => h("option", { value: s.id }, pick(s.title) || s.id)));
  const skillLabel = h("label", { hidden: true }, t("teacher.goals.skill"), skill);
  const target = h("input", { type: "number", name: "target", min: 1, max: 100, step: 1, inputmode: "numeric" });
  const targetText = h("span", {}, targetLabel("master_skill"));
  const targetLabelEl = h("label", { hidden: true }, targetText, target);
  const text = h("textarea", { name: "text", rows: 2, maxlength: 2000 });
  const textText = h("span", {}, t("teacher.goals.text"));
  const due = h("input", { type: "date", name: "due_on" });
  const message = h("p", { class: "error", role: "alert" });
  const update = () => {
    skillLabel.hidden = kind.value !== "master_skill";
    targetLabelEl.hidden = kind.value === "free_text";
    target.max = kind.value === "master_skill" ? 100 : 100000;
    targetText.textContent = targetLabel(kind.value);
    textText.textContent = t(kind.value === "free_text" ? "teacher.goals.text" : "teacher.goals.text_optional");
  };
  kind.addEventListener("change", update);
  const form = h("form", { class: "panel new-goal", "aria-labelledby": "new-goal-title", onsubmit: async (event) => {
    event.preventDefault();
    message.textContent = "";
    const body = { kind: kind.value, term: term.value, text: text.value.trim(), due_on: due.value || null };
    if (kind.value === "master_skill") body.skill_id = skill.value;
    if (kind.value !== "free_text" && target.value) body.target = Number(target.value);
    try {
      await api("POST", `/people/${enc(person.id)}/goals`, body);
      notice = t("teacher.goals.made", { name: person.display_name });
      again();
    } catch (error) {
      message.textContent = formError(error, kind.value, form);
    }
  } },
    h("h3", { id: "new-goal-title" }, t("teacher.goals.new")),
    h("label", {}, t("teacher.goals.kind"), kind),
    h("label", {}, t("teacher.goals.term"), term),
    skillLabel, targetLabelEl,
    h("label", {}, textText, text),
    h("label", {}, t("teacher.goals.due_on"), due),
    h("button", { type: "submit", class: "set-goal" }, t("teacher.goals.set")),
    message);
  return form;
}
