// A student as the teacher reads them (a heatmap row, a name in the class): their profile
// (which the teacher edits here: profile.js), goals (set and changed here: goals.js), their
// strengths and difficulties, what comes next in their plan, and recent work: attempts
// with their answers, photos and reflections.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { dateTime } from "../shared/format.js";
import { language, loadLanguages, pick, t } from "../shared/i18n.js";
import { errorText, loading } from "./common.js";
import { goalsSection } from "./goals.js";
import { profileSection } from "./profile.js";

const enc = encodeURIComponent;

/** Render the student with id personId. */
export async function render(view, personId) {
  show(view, h("h1", {}, t("teacher.learner.title")), loading());
  let person, plan, work, goals, skills, history, languages;
  try {
    [person, plan, work, goals, skills, history, languages] = await Promise.all([
      api("GET", `/people/${enc(personId)}`),
      api("GET", `/people/${enc(personId)}/plan`),
      api("GET", `/people/${enc(personId)}/work`),
      api("GET", `/people/${enc(personId)}/goals`),
      api("GET", "/skills"),
      api("GET", `/people/${enc(personId)}/profile/history`),
      loadLanguages(),
    ]);
  } catch (error) {
    show(view, h("h1", {}, t("teacher.learner.title")), h("p", { role: "alert", class: "error" }, errorText(error)));
    return;
  }
  const when = (ms) => (ms ? dateTime(ms, language(), { dateStyle: "medium", timeStyle: "short" }) : "");
  const profile = { ...plan.profile, accommodations: plan.accommodations };
  const mastered = plan.strengths.filter((s) => s.mastered);
  const percent = (share) => new Intl.NumberFormat(language(), { style: "percent" }).format(share);
  const standing = (rows) => h("ul", {}, rows.map((s) => h("li", { "data-skill": s.skill_id },
    t("teacher.learner.skill_line", { skill: pick(s.title) || s.skill_id, percent: percent(s.p_known_now), n: s.attempts }))));
  const photosOf = (reflectionId) => work.photos.filter((p) => p.reflection_id === reflectionId);
  show(view,
    h("h1", {}, person.display_name),
    h("div", { class: "actions" },
      h("a", { href: `/people/${enc(personId)}/plan.html?language=${enc(language())}`, class: "plan-link" }, t("teacher.learner.plan")),
      h("a", { href: `#/report/student/${enc(personId)}` }, t("teacher.learner.report")),
      h("a", { href: `#/student/${enc(personId)}` }, t("teacher.learner.edit"))),
    profileSection(personId, profile, history, languages.map((l) => l.code)),
    goalsSection(person, goals, skills),
    h("section", { "aria-labelledby": "skills-title", class: "standing" },
      h("h2", { id: "skills-title" }, t("teacher.learner.skills")),
      // The plan's strongest skills are its best practised ones, mastered or not: only
      // the mastered ones are "going well", the others are among those needing practice.
      plan.strengths.length
        ? [mastered.length ? [h("h3", {}, t("teacher.learner.strongest")), standing(mastered)] : null,
          plan.weaknesses.length ? [h("h3", {}, t("teacher.learner.weakest")), standing(plan.weaknesses)] : null]
        : h("p", {}, t("teacher.report.no_skills"))),
    h("section", { "aria-labelledby": "path-title" },
      h("h2", { id: "path-title" }, t("teacher.learner.next")),
      plan.path.length ? h("ol", {}, plan.path.map((r) => h("li", {}, r.title))) : h("p", {}, "–")),
    h("section", { "aria-labelledby": "work-title" },
      h("h2", { id: "work-title" }, t("teacher.learner.work")),
      work.work.length
        ? work.work.map((piece) => h("article", { class: "work-piece" },
          h("h3", {}, piece.activity_title, " ", h("span", { class: "muted" }, when(piece.when_ms))),
          piece.answers.length
            ? h("ul", { class: "answers" }, piece.answers.map((a) => h("li", { "data-correct": String(a.correct) },
              h("span", { class: "prompt" }, a.prompt), " → ", h("strong", {}, a.response), " ",
              h("span", { class: a.correct ? "ok" : "error" }, a.correct ? `✓ ${t("teacher.live.right")}` : `✗ ${t("teacher.live.wrong")}`))))
            : null))
        : h("p", {}, t("teacher.learner.no_work"))),
    h("section", { "aria-labelledby": "reflections-title" },
      h("h2", { id: "reflections-title" }, t("teacher.learner.reflections")),
      work.reflections.length
        ? h("ul", { class: "reflections" }, work.reflections.map((r) => h("li", {},
          h("strong", {}, r.activity_title || ""), " ", r.text || "", " ",
          h("span", { class: "muted" }, t("teacher.queue.confidence", { n: r.confidence })),
          photosOf(r.id).map((p) => h("img", { src: p.image_url, alt: t("teacher.queue.photo_of", { name: person.display_name }), class: "work-photo", loading: "lazy" })))))
        : h("p", {}, t("teacher.learner.no_reflections"))),
    h("section", { "aria-labelledby": "comments-title" },
      h("h2", { id: "comments-title" }, t("teacher.learner.comments")),
      work.feedback.length
        ? h("ul", {}, work.feedback.map((f) => h("li", {}, f.text, " ", h("span", { class: "muted" }, when(f.device_ms)))))
        : h("p", {}, "–")));
}
