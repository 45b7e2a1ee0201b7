// The live class view: who is working on what, and who needs help now with the reason
// in plain words; a name opens the student. Polls one cheap endpoint every few seconds
// while it is on screen.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { dateTime } from "../shared/format.js";
import { language, pick, t } from "../shared/i18n.js";
import { errorText, loading } from "./common.js";

const POLL_MS = 3000;
let timer = null;

/** Render the live view of the class with id classId (and keep it fresh). */
export async function render(view, classId) {
  clearTimeout(timer);
  show(view, h("h1", {}, t("teacher.classes.live")), loading());
  let classroom;
  try {
    classroom = await api("GET", `/classes/${encodeURIComponent(classId)}`);
  } catch (error) {
    show(view, h("h1", {}, t("teacher.classes.live")), h("p", { role: "alert", class: "error" }, errorText(error)));
    return;
  }
  const help = h("section", { class: "panel help", "aria-labelledby": "help-title" });
  const everyone = h("section", { class: "everyone", "aria-labelledby": "everyone-title" });
  const updated = h("p", { class: "muted updated" });
  const message = h("p", { role: "alert", class: "error" });
  show(view, h("h1", {}, t("teacher.live.title", { name: classroom.name })), updated, message, help, everyone);
  const hash = location.hash;
  const tick = async () => {
    if (location.hash !== hash || !view.isConnected) return; // left the screen: stop
    try {
      const live = await api("GET", `/classes/${encodeURIComponent(classId)}/live`);
      message.textContent = "";
      draw(live, help, everyone);
      updated.textContent = t("teacher.live.updated", { time: dateTime(live.now_ms, language(), { timeStyle: "medium" }) });
    } catch (error) {
      message.textContent = errorText(error);
    }
    timer = setTimeout(tick, POLL_MS);
  };
  await tick();
}

function reasonText(reason) {
  return t(`teacher.live.reason.${reason.reason}`, {
    n: reason.count, minutes: reason.minutes, skill: pick(reason.skill_title) || reason.skill_id || "",
  });
}

const enc = encodeURIComponent;
const nameLink = (s) => h("a", { href: `#/learner/${enc(s.id)}`, class: "student-link" }, s.display_name);
let drawn = ""; // the students as last drawn: an unchanged poll redraws nothing

function draw(live, help, everyone) {
  const now = JSON.stringify([live.students, language()]);
  if (now === drawn && help.isConnected && help.firstChild) return;
  drawn = now;
  // The lists are drawn again; a name the teacher had focused (to open that student)
  // gets the focus back, so a keyboard user is not sent to the top every few seconds.
  const focused = document.activeElement?.closest?.(".help [data-student], .everyone [data-student]");
  const refocus = focused && [focused.closest(".help") ? ".help" : ".everyone", focused.dataset.student];
  const needing = live.students.filter((s) => s.help.length);
  help.replaceChildren(
    h("h2", { id: "help-title" }, t("teacher.live.help"), needing.length ? ` (${needing.length})` : ""),
    needing.length
      ? h("ul", { class: "help-list" }, needing.map((s) => h("li", { "data-student": s.id },
        h("strong", {}, nameLink(s)), s.activity_title ? ` · ${s.activity_title}` : "",
        h("ul", {}, s.help.map((r) => h("li", { class: "reason", "data-reason": r.reason }, reasonText(r)))))))
      : h("p", { class: "nobody" }, t("teacher.live.nobody_help")));
  everyone.replaceChildren(
    h("h2", { id: "everyone-title" }, t("teacher.live.everyone")),
    h("div", { class: "table-wrap" }, h("table", { class: "live" },
      h("caption", { class: "visually-hidden" }, t("teacher.live.everyone")),
      h("thead", {}, h("tr", {}, ["student", "state", "activity", "last"].map((c) => h("th", { scope: "col" }, t(`teacher.live.col.${c}`))))),
      h("tbody", {}, live.students.map((s) => h("tr", { "data-student": s.id, "data-state": s.state },
        h("th", { scope: "row" }, nameLink(s)),
        h("td", { class: `state-${s.state}` }, t(`teacher.live.state.${s.state}`)),
        h("td", { class: "activity" }, s.activity_title || "–"),
        h("td", {}, s.last_answer_ms == null ? "–"
          : `${dateTime(s.last_answer_ms, language(), { timeStyle: "short" })} · ${t(s.last_correct ? "teacher.live.right" : "teacher.live.wrong")}`)))))));
  if (refocus) {
    const [region, id] = refocus;
    document.querySelector(`${region} [data-student="${CSS.escape(id)}"] a.student-link`)?.focus({ preventScroll: true });
  }
}
