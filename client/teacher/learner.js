// A student as the teacher reads them (a heatmap row): profile, learning plan, goals
// (which the teacher sets and changes here: goals.js), and recent work: attempts with
// their answers, photos and reflections.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { dateTime } from "../shared/format.js";
import { language, t } from "../shared/i18n.js";
import { errorText, loading } from "./common.js";
import { goalsSection } from "./goals.js";

const enc = encodeURIComponent;

/** Render the student with id personId. */
export async function render(view, personId) {
  show(view, h("h1", {}, t("teacher.learner.title")), loading());
  let person, plan, work, goals, skills;
  try {
    [person, plan, work, goals, skills] = await Promise.all([
      api("GET", `/people/${enc(personId)}`),
      api("GET", `/people/${enc(personId)}/plan`),
      api("GET", `/people/${enc(personId)}/work`),
      api("GET", `/people/${enc(personId)}/goals`),
      api("GET", "/skills"),
    ]);
  } catch (error) {
    show(view, h("h1", {}, t("teacher.learner.title")), h("p", { role: "alert", class: "error" }, errorText(error)));
    return;
  }
  const when = (ms) => (ms ? dateTime(ms, language(), { dateStyle: "medium", timeStyle: "short" }) : "");
  const profile = plan.profile || {};
  const photosOf = (reflectionId) => work.photos.filter((p) => p.reflection_id === reflectionId);
  show(view,
    h("h1", {}, person.display_name),
    h("div", { class: "actions" },
      h("a", { href: `/people/${enc(personId)}/plan.html`, class: "plan-link" }, t("teacher.learner.plan")),
      h("a", { href: `#/student/${enc(personId)}` }, t("teacher.learner.edit"))),
    h("section", { "aria-labelledby": "profile-title", class: "panel" },
      h("h2", { id: "profile-title" }, t("teacher.learner.profile")),
      h("dl", { class: "profile" },
        h("dt", {}, t("teacher.learner.interests")), h("dd", {}, (profile.interests || []).join(", ") || "–"),
        h("dt", {}, t("teacher.learner.languages")), h("dd", {}, (profile.languages || []).join(", ") || "–"))),
    goalsSection(person, goals, skills),
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
