// The mastery heatmap: students × the skills they practised. Each cell says its level
// with a sign and words (not colour alone) and P(known) as a percentage. Sort by name,
// by skills mastered, or by any skill; a row opens the student, a column the skill.
// Printable (print CSS) and as a spreadsheet (CSV). Polls while on screen.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { dateTime } from "../shared/format.js";
import { language, pick, t } from "../shared/i18n.js";
import { errorText, loading } from "./common.js";

const POLL_MS = 4000;
const SIGN = { not_started: "·", struggling: "!", learning: "~", mastered: "✓", review: "↺" };
const enc = encodeURIComponent;
let timer = null;

/** Render the heatmap of the class with id classId (and keep it fresh). */
export async function render(view, classId) {
  clearTimeout(timer);
  show(view, h("h1", {}, t("teacher.heatmap.title")), loading());
  let classroom;
  try {
    classroom = await api("GET", `/classes/${enc(classId)}`);
  } catch (error) {
    show(view, h("h1", {}, t("teacher.heatmap.title")), h("p", { role: "alert", class: "error" }, errorText(error)));
    return;
  }
  const state = { sort: "name", descending: false, data: null };
  const holder = h("div", { class: "heatmap-holder" });
  const updated = h("p", { class: "muted updated no-print" });
  const message = h("p", { role: "alert", class: "error" });
  const sortStatus = h("p", { class: "visually-hidden", role: "status", "aria-live": "polite" });
  const redraw = () => state.data && draw(state, holder, classroom, sortStatus);
  show(view,
    h("h1", {}, t("teacher.heatmap.heading", { name: classroom.name })),
    h("div", { class: "actions no-print" },
      h("button", { type: "button", class: "print", onclick: () => window.print() }, t("teacher.heatmap.print")),
      h("a", { class: "csv", href: `/api/v1/classes/${enc(classroom.id)}/heatmap.csv?language=${enc(language())}`, download: "" },
        t("teacher.heatmap.csv")),
      h("a", { href: `#/class/${enc(classroom.id)}` }, t("teacher.back_to_class"))),
    legend(), updated, message, sortStatus, holder);
  state.redraw = redraw;
  const hash = location.hash;
  const tick = async () => {
    if (location.hash !== hash || !view.isConnected) return;
    try {
      state.data = await api("GET", `/classes/${enc(classroom.id)}/heatmap`);
      message.textContent = "";
      redraw();
      updated.textContent = t("teacher.live.updated", { time: dateTime(state.data.now_ms, language(), { timeStyle: "medium" }) });
    } catch (error) {
      message.textContent = errorText(error);
    }
    timer = setTimeout(tick, POLL_MS);
  };
  await tick();
}

function legend() {
  return h("ul", { class: "legend", "aria-label": t("teacher.heatmap.legend") },
    Object.keys(SIGN).map((level) => h("li", { class: `level-${level}` },
      h("span", { class: "sign", "aria-hidden": "true" }, SIGN[level]), " ", t(`teacher.level.${level}`))));
}

function sortKey(state, student) {
  if (state.sort === "name") return student.display_name.toLocaleLowerCase(language());
  if (state.sort === "mastered") return student.mastered;
  const cell = student.cells.find((c) => c.skill_id === state.sort);
  return cell && cell.attempts ? cell.p_known_now : -1;
}

function sorted(state) {
  const rows = [...state.data.students];
  rows.sort((a, b) => {
    const x = sortKey(state, a), y = sortKey(state, b);
    const order = x < y ? -1 : x > y ? 1 : a.display_name.localeCompare(b.display_name);
    return state.descending ? -order : order;
  });
  return rows;
}

function sortButton(state, key, label, status) {
  const active = state.sort === key;
  return h("button", {
    type: "button", class: "sort quiet", "data-sort": key,
    "aria-label": t("teacher.heatmap.sort_by", { what: label }),
    onclick: () => {
      state.descending = active ? !state.descending : key !== "name";
      state.sort = key;
      status.textContent = t(state.descending ? "teacher.heatmap.sorted_down" : "teacher.heatmap.sorted_up", { what: label });
      state.redraw();
      document.querySelector(`button.sort[data-sort="${CSS.escape(key)}"]`)?.focus();
    },
  }, label, active ? (state.descending ? " ▼" : " ▲") : "");
}

function draw(state, holder, classroom, status) {
  const data = state.data;
  if (!data.skills.length) {
    holder.replaceChildren(h("p", { class: "nobody" }, t("teacher.heatmap.empty")));
    return;
  }
  const aria = (key) => (state.sort === key ? (state.descending ? "descending" : "ascending") : null);
  const head = h("tr", {},
    h("th", { scope: "col", "aria-sort": aria("name") }, sortButton(state, "name", t("teacher.student.name"), status)),
    h("th", { scope: "col", "aria-sort": aria("mastered") }, sortButton(state, "mastered", t("teacher.heatmap.mastered"), status)),
    data.skills.map((s) => h("th", { scope: "col", class: "skill", "aria-sort": aria(s.skill_id) },
      h("a", { href: `#/skill/${enc(classroom.id)}/${enc(s.skill_id)}` }, pick(s.title) || s.skill_id),
      sortButton(state, s.skill_id, t("teacher.heatmap.sort"), status))));
  const body = sorted(state).map((student) => h("tr", { "data-student": student.id },
    h("th", { scope: "row" }, h("a", { href: `#/learner/${enc(student.id)}` }, student.display_name)),
    h("td", { class: "count" }, `${student.mastered}/${data.skills.length}`),
    student.cells.map((c) => h("td", { class: `cell level-${c.level}`, "data-skill": c.skill_id, "data-level": c.level },
      h("span", { class: "sign", "aria-hidden": "true" }, SIGN[c.level]), " ",
      c.attempts ? `${Math.round(c.p_known_now * 100)}%` : "",
      h("span", { class: "visually-hidden" }, ` ${t(`teacher.level.${c.level}`)}`),
      c.attempts ? h("span", { class: "answers" }, t("teacher.heatmap.answers", { n: c.attempts })) : null))));
  holder.replaceChildren(h("div", { class: "table-wrap heatmap-wrap" }, h("table", { class: "heatmap" },
    h("caption", {}, t("teacher.heatmap.caption")),
    h("thead", {}, head), h("tbody", {}, body))));
}
