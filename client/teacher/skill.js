// One skill in a class (a heatmap column): every student's level, who struggles, the
// items missed most, and a suggested grouping by level the teacher can make real.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { pick, t } from "../shared/i18n.js";
import { errorText, loading } from "./common.js";

const enc = encodeURIComponent;

/** Render the skill page; ``route`` is "CLASS_ID/SKILL_ID". */
export async function render(view, route) {
  const [classId, ...rest] = route.split("/");
  const skillId = rest.join("/");
  show(view, h("h1", {}, t("teacher.skill.title")), loading());
  let skill;
  try {
    skill = await api("GET", `/classes/${enc(classId)}/skills/${enc(skillId)}`);
  } catch (error) {
    show(view, h("h1", {}, t("teacher.skill.title")), h("p", { role: "alert", class: "error" }, errorText(error)));
    return;
  }
  const names = Object.fromEntries(skill.students.map((s) => [s.id, s.display_name]));
  const status = h("p", { role: "status", "aria-live": "polite", class: "notice" });
  const makeGroups = async () => {
    try {
      for (const group of skill.suggested_groups) {
        await api("POST", `/classes/${enc(classId)}/groups`, {
          name: `${pick(skill.title) || skill.skill_id} ${skill.suggested_groups.indexOf(group) + 1}`,
          kind: "level", skill_id: skill.skill_id, member_ids: group.member_ids,
        });
      }
      status.textContent = t("teacher.groups.made", { n: skill.suggested_groups.length });
    } catch (error) {
      status.textContent = errorText(error);
    }
  };
  show(view,
    h("h1", {}, pick(skill.title) || skill.skill_id),
    h("div", { class: "actions" },
      h("a", { href: `#/heatmap/${enc(classId)}` }, t("teacher.heatmap.title")),
      h("a", { href: `#/assign/${enc(classId)}` }, t("teacher.assign.title"))),
    status,
    h("section", { "aria-labelledby": "struggle-title", class: "panel" },
      h("h2", { id: "struggle-title" }, t("teacher.skill.struggling")),
      skill.struggling.length
        ? h("ul", { class: "struggling" }, skill.struggling.map((id) => h("li", {}, h("a", { href: `#/learner/${enc(id)}` }, names[id]))))
        : h("p", { class: "nobody" }, t("teacher.skill.nobody_struggles"))),
    h("section", { "aria-labelledby": "missed-title" },
      h("h2", { id: "missed-title" }, t("teacher.skill.missed")),
      skill.missed_items.length
        ? h("ol", { class: "missed" }, skill.missed_items.map((m) => h("li", {},
          h("strong", {}, m.prompt), " ", h("span", { class: "muted" }, `${m.activity_title || ""} · ${t("teacher.skill.wrong_times", { n: m.wrong })}`))))
        : h("p", {}, t("teacher.skill.none_missed"))),
    h("section", { "aria-labelledby": "suggest-title" },
      h("h2", { id: "suggest-title" }, t("teacher.skill.suggested")),
      skill.suggested_groups.length
        ? [h("ol", { class: "suggested" }, skill.suggested_groups.map((g) => h("li", {},
          g.members.map((m) => m.display_name).join(", ")))),
        h("button", { type: "button", class: "make-groups", onclick: makeGroups }, t("teacher.skill.make_groups"))]
        : h("p", { class: "no-suggestion" }, t("teacher.skill.no_levels_yet"))),
    h("section", { "aria-labelledby": "levels-title" },
      h("h2", { id: "levels-title" }, t("teacher.skill.levels")),
      h("div", { class: "table-wrap" }, h("table", { class: "skill-levels" },
        h("caption", { class: "visually-hidden" }, t("teacher.skill.levels")),
        h("thead", {}, h("tr", {},
          h("th", { scope: "col" }, t("teacher.student.name")),
          h("th", { scope: "col" }, t("teacher.skill.level")),
          h("th", { scope: "col" }, t("teacher.skill.answers")))),
        h("tbody", {}, skill.students.map((s) => h("tr", {},
          h("th", { scope: "row" }, h("a", { href: `#/learner/${enc(s.id)}` }, s.display_name)),
          h("td", { class: `cell level-${s.level}` }, t(`teacher.level.${s.level}`),
            s.attempts ? ` · ${Math.round(s.p_known_now * 100)}%` : ""),
          h("td", {}, s.attempts ? `${s.correct}/${s.attempts}` : "–"))))))));
}
