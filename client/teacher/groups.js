// Groups of a class: accept a suggested grouping for a skill (by level, or mixed so
// stronger and weaker students work together), and edit groups by dragging a student
// to a group, or by tapping (or pressing Enter on) a student, then "Move here".

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { pick, t } from "../shared/i18n.js";
import { render as again } from "../shared/router.js";
import { errorText, loading } from "./common.js";

const enc = encodeURIComponent;
const NONE = ""; // the column of students in no group
let notice = "";

/** Render the groups of the class with id classId. */
export async function render(view, classId) {
  show(view, h("h1", {}, t("teacher.groups.title")), loading());
  let classroom, groups, students, skills, heatmap;
  try {
    [classroom, groups, students, skills, heatmap] = await Promise.all([
      api("GET", `/classes/${enc(classId)}`),
      api("GET", `/classes/${enc(classId)}/groups`),
      api("GET", `/classes/${enc(classId)}/students`),
      api("GET", "/skills"),
      api("GET", `/classes/${enc(classId)}/heatmap`), // the skills this class practised
    ]);
  } catch (error) {
    show(view, h("h1", {}, t("teacher.groups.title")), h("p", { role: "alert", class: "error" }, errorText(error)));
    return;
  }
  const status = h("p", { role: "status", "aria-live": "polite", class: "notice" }, notice);
  notice = "";
  const board = { picked: null, status, groups, students, classroom };
  show(view,
    h("h1", {}, t("teacher.groups.heading", { name: classroom.name })),
    h("div", { class: "actions" },
      h("a", { href: `#/assign/${enc(classroom.id)}` }, t("teacher.assign.title")),
      h("a", { href: `#/class/${enc(classroom.id)}` }, t("teacher.back_to_class"))),
    status,
    suggestForm(classroom, skills, new Set(heatmap.skills.map((k) => k.skill_id))),
    h("h2", {}, t("teacher.groups.edit")),
    h("p", { class: "muted" }, t("teacher.groups.how")),
    h("div", { class: "group-board" },
      groups.map((g) => column(board, g)),
      column(board, null)),
    newGroupForm(classroom));
}

function column(board, group) {
  const inGroups = new Set(board.groups.flatMap((g) => g.member_ids));
  const members = group ? group.member_ids : board.students.map((s) => s.id).filter((id) => !inGroups.has(id));
  const names = Object.fromEntries(board.students.map((s) => [s.id, s.display_name]));
  const key = group ? group.id : NONE;
  const title = group ? group.name : t("teacher.groups.none");
  const col = h("section", { class: "group-column panel", "data-group": key, "aria-label": title,
    ondragover: (event) => { event.preventDefault(); col.classList.add("drop"); },
    ondragleave: () => col.classList.remove("drop"),
    ondrop: (event) => {
      event.preventDefault();
      col.classList.remove("drop");
      const [id, from] = (event.dataTransfer.getData("text/plain") || "").split("|");
      if (id) move(board, id, from, key);
    } },
    h("h3", {}, title, " ", h("span", { class: "muted" }, `(${members.length})`)),
    h("ul", { class: "members" }, members.map((id) => h("li", {},
      h("button", { type: "button", class: "member", draggable: "true", "data-student": id, "aria-pressed": "false",
        ondragstart: (event) => event.dataTransfer.setData("text/plain", `${id}|${key}`),
        onclick: (event) => pickStudent(board, event.currentTarget, id, key, names[id]) }, names[id] || id)))),
    h("button", { type: "button", class: "quiet move-here", onclick: () => board.picked && move(board, board.picked.id, board.picked.from, key) },
      t("teacher.groups.move_here"), h("span", { class: "visually-hidden" }, ` (${title})`)),
    group ? h("button", { type: "button", class: "quiet danger-text dissolve", onclick: () => dissolve(board, group) },
      t("teacher.groups.dissolve"), h("span", { class: "visually-hidden" }, ` (${title})`)) : null);
  return col;
}

function pickStudent(board, button, id, from, name) {
  const again_ = board.picked?.id === id && board.picked.from === from;
  for (const b of document.querySelectorAll("button.member")) b.setAttribute("aria-pressed", "false");
  board.picked = again_ ? null : { id, from };
  if (!again_) button.setAttribute("aria-pressed", "true");
  board.status.textContent = again_ ? "" : t("teacher.groups.picked", { name });
}

async function move(board, id, from, to) {
  if (from === to) return;
  const byId = Object.fromEntries(board.groups.map((g) => [g.id, g]));
  try {
    if (from && byId[from]) {
      await api("PATCH", `/groups/${enc(from)}`, { member_ids: byId[from].member_ids.filter((m) => m !== id) });
    }
    if (to && byId[to]) {
      await api("PATCH", `/groups/${enc(to)}`, { member_ids: [...byId[to].member_ids, id] });
    }
    const name = board.students.find((s) => s.id === id)?.display_name || id;
    notice = t("teacher.groups.moved", { name, group: to ? byId[to].name : t("teacher.groups.none") });
    again();
  } catch (error) {
    board.status.textContent = errorText(error);
  }
}

async function dissolve(board, group) {
  if (!confirm(t("teacher.groups.dissolve_confirm", { name: group.name }))) return;
  try {
    await api("DELETE", `/groups/${enc(group.id)}`);
    notice = t("teacher.groups.dissolved", { name: group.name });
    again();
  } catch (error) {
    board.status.textContent = errorText(error);
  }
}

/** Skills the class practised first (levels to group by), then the rest of the library. */
function skillMenu(skills, practised) {
  const option = (s) => h("option", { value: s.id }, pick(s.title) || s.id);
  const done = skills.filter((s) => practised.has(s.id));
  const rest = skills.filter((s) => !practised.has(s.id));
  return h("select", { name: "skill_id" },
    done.length ? h("optgroup", { label: t("teacher.groups.practised") }, done.map(option)) : null,
    rest.length ? h("optgroup", { label: t("teacher.groups.unpractised") }, rest.map(option)) : null);
}

function suggestForm(classroom, skills, practised) {
  const skill = skillMenu(skills, practised);
  const mode = h("select", { name: "mode" },
    h("option", { value: "level" }, t("teacher.groups.by_level")),
    h("option", { value: "mixed" }, t("teacher.groups.mixed")));
  const size = h("input", { type: "number", name: "size", min: 2, max: 50, value: 4, inputmode: "numeric" });
  const result = h("div", { class: "suggestion", "aria-live": "polite" });
  return h("form", { class: "panel suggest-groups", "aria-labelledby": "suggest-groups-title", onsubmit: async (event) => {
    event.preventDefault();
    result.replaceChildren();
    let suggested;
    try {
      const query = `skill_id=${enc(skill.value)}&mode=${enc(mode.value)}&size=${enc(size.value || 4)}`;
      suggested = await api("GET", `/classes/${enc(classroom.id)}/group-suggestions?${query}`);
    } catch (error) {
      result.append(h("p", { role: "alert", class: "error" }, errorText(error)));
      return;
    }
    const title = skill.selectedOptions[0]?.textContent || skill.value;
    const accept = async () => {
      try {
        for (const [index, g] of suggested.entries()) {
          await api("POST", `/classes/${enc(classroom.id)}/groups`, {
            name: `${title} · ${t(mode.value === "mixed" ? "teacher.groups.mixed" : "teacher.groups.by_level")} ${index + 1}`,
            kind: g.kind, skill_id: g.skill_id, member_ids: g.member_ids,
          });
        }
        notice = t("teacher.groups.made", { n: suggested.length });
        again();
      } catch (error) {
        result.append(h("p", { role: "alert", class: "error" }, errorText(error)));
      }
    };
    // With no answer on the skill in the class, levels are all the same guess: say so,
    // rather than let a roster cut in order pass for a judgement.
    const unpractised = !suggested.some((g) => g.members.some((m) => m.practised));
    result.append(
      unpractised ? h("p", { class: "notice no-levels" }, t("teacher.skill.no_levels_yet")) : null,
      h("ol", { class: "suggested" }, suggested.map((g) => h("li", {}, g.members.map((m) => m.display_name).join(", ")))),
      h("button", { type: "button", class: "accept" }, t("teacher.groups.accept")));
    result.querySelector("button.accept").addEventListener("click", accept);
  } },
    h("h2", { id: "suggest-groups-title" }, t("teacher.groups.suggest")),
    h("label", {}, t("teacher.assign.skill"), skill),
    h("label", {}, t("teacher.groups.mode"), mode),
    h("label", {}, t("teacher.groups.size"), size),
    h("button", { type: "submit", class: "suggest" }, t("teacher.groups.show_suggestion")),
    result);
}

function newGroupForm(classroom) {
  const name = h("input", { name: "name", required: true, maxlength: 200 });
  const message = h("p", { class: "error", role: "alert" });
  return h("form", { class: "panel new-group", "aria-labelledby": "new-group-title", onsubmit: async (event) => {
    event.preventDefault();
    try {
      await api("POST", `/classes/${enc(classroom.id)}/groups`, { name: name.value.trim(), member_ids: [] });
      notice = t("teacher.groups.created", { name: name.value.trim() });
      again();
    } catch (error) {
      message.textContent = errorText(error);
    }
  } },
    h("h2", { id: "new-group-title" }, t("teacher.groups.new")),
    h("label", {}, t("teacher.groups.name"), name),
    h("button", { type: "submit" }, t("teacher.groups.create")),
    message);
}
