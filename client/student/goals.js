// Goals: the student's goals with progress, and a form to set one for this week or
// this term (the node tracks it and gives each goal its progress).

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { language, pick, t } from "../shared/i18n.js";
import { session } from "../shared/session.js";
import { activities, loadHome } from "./data.js";
import { goalRow } from "./home.js";

/** Today on this tablet, YYYY-MM-DD (the earliest due date offered). */
function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** Render the goals screen. */
export async function render(view) {
  show(view, h("h1", {}, t("common.loading")));
  let home;
  let index;
  try {
    [home, index] = await Promise.all([loadHome(session.me.id), activities()]);
  } catch (error) {
    show(view, h("h1", {}, t("goals.title")), h("p", { role: "alert" }, error.status === 0 ? t("common.offline") : t("common.error")));
    return;
  }
  const skills = new Map(home.mastery.map((m) => [m.skill_id, m]));
  const goals = home.goals.filter((g) => g.status !== "dropped");
  const message = h("p", { role: "status", class: "feedback" });
  const field = (kind, label, control) => h("label", { class: `answer for-${kind}`, hidden: kind !== "master_skill" }, h("span", {}, label), control);
  const kindSelect = h("select", { name: "kind" },
    ["master_skill", "finish_activities", "practice_minutes", "free_text"].map((k) => h("option", { value: k }, t(`goals.opt.${k}`))));
  const mine = [...index.values()].filter((a) => a.language === language());
  const form = h("form", { class: "goal-form", novalidate: true },
    h("fieldset", {}, h("legend", {}, t("goals.when")),
      ["short", "long"].map((term) => h("label", { class: "choice" },
        h("input", { type: "radio", name: "term", value: term, checked: term === "short" }), h("span", {}, t(`goal.term.${term}`))))),
    h("label", { class: "answer" }, h("span", {}, t("goals.what")), kindSelect),
    field("master_skill", t("goals.skill"), h("select", { name: "skill_id" },
      home.mastery.filter((m) => !m.mastered).map((m) => h("option", { value: m.skill_id }, pick(m.title))))),
    field("finish_activities", t("goals.activities"), h("select", { name: "activity_ids", multiple: true, size: 5 },
      mine.map((a) => h("option", { value: a.id, lang: a.language }, a.title)))),
    field("practice_minutes", t("goals.minutes"), h("input", { type: "number", name: "target", min: 1, max: 1000, value: 30 })),
    field("free_text", t("goals.text"), h("textarea", { name: "text", rows: 2, maxlength: 2000 })),
    h("label", { class: "answer due" }, h("span", {}, t("goals.due")), h("input", { type: "date", name: "due_on", min: today() })),
    message,
    h("button", { type: "submit", class: "big primary" }, t("goals.save")));
  kindSelect.addEventListener("change", () => {
    for (const el of form.querySelectorAll("label[class*=for-]")) el.hidden = !el.classList.contains(`for-${kindSelect.value}`);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const kind = kindSelect.value;
    const body = { term: form.querySelector("input[name=term]:checked").value, kind };
    if (kind === "master_skill") body.skill_id = form.elements.skill_id.value;
    if (kind === "finish_activities") body.activity_ids = [...form.elements.activity_ids.selectedOptions].map((o) => o.value);
    if (kind === "practice_minutes") body.target = Number(form.elements.target.value);
    if (kind === "free_text") body.text = form.elements.text.value.trim();
    if (form.elements.due_on.value) body.due_on = form.elements.due_on.value; // a day, YYYY-MM-DD
    try {
      await api("POST", `/people/${session.me.id}/goals`, body);
      await render(view);
      view.querySelector(".goal-form .feedback").textContent = t("goals.saved");
    } catch (error) {
      const details = error.details;
      message.textContent = error.status === 0 ? t("common.offline") : details ? Object.values(details).flat().join(" ") : t("common.error");
    }
  });
  show(view, h("h1", {}, t("goals.title")),
    goals.length ? h("ul", { class: "list" }, goals.map((g) => goalRow(g, skills))) : h("p", { class: "muted" }, t("goals.none")),
    h("section", { "aria-labelledby": "new-goal" }, h("h2", { id: "new-goal" }, t("goals.new")), form));
}
