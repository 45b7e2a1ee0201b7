// The student's own history: what their teacher said, finished and unfinished activities
// with how many answers were right, their reflections, and what still waits in the outbox.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { dateTime } from "../shared/format.js";
import { t } from "../shared/i18n.js";
import { session } from "../shared/session.js";
import { activities, knownTitle, teacherWords } from "./data.js";
import * as outbox from "./outbox.js";
import { wordsList } from "./words.js";

// Kinds whose attempt is finished only with at least one answer (a quiz closed unanswered is not).
const ANSWERED_KINDS = new Set(["quiz", "practice"]);

const when = (ms) => dateTime(ms, document.documentElement.lang, { dateStyle: "medium", timeStyle: "short" });

/** Render the history screen. */
export async function render(view) {
  show(view, h("h1", {}, t("common.loading")));
  const id = session.me.id;
  const pending = await outbox.records(id);
  let attempts = [];
  let answers = [];
  let reflections = [];
  let index = new Map();
  let failed = null;
  try {
    [attempts, answers, reflections, index] = await Promise.all([
      api("GET", `/people/${id}/attempts?per_page=100`).then((p) => p.items),
      api("GET", `/people/${id}/answers?per_page=500`).then((p) => p.items),
      api("GET", `/people/${id}/reflections?per_page=100`).then((p) => p.items),
      activities(),
    ]);
  } catch (error) {
    failed = error.status === 0 ? t("common.offline") : t("common.error");
  }
  // Never a raw id as a title: what this tablet knows, else a plain "an activity".
  const title = (activityId) => !activityId ? "" : index.get(activityId)?.title || knownTitle(id, activityId) || t("play.unknown_title");
  const words = teacherWords(id);
  const byAttempt = new Map();
  for (const a of answers) {
    const tally = byAttempt.get(a.attempt_id) || { right: 0, total: 0 };
    tally.total += 1;
    tally.right += a.correct ? 1 : 0;
    byAttempt.set(a.attempt_id, tally);
  }
  show(view, h("h1", {}, t("history.title")),
    failed ? h("p", { role: "alert" }, failed) : null,
    words.length ? h("section", { class: "teacher-words", "aria-labelledby": "h-words" }, h("h2", { id: "h-words" }, t("home.words")),
      wordsList(id, words, title)) : null,
    pending.length ? h("section", { "aria-labelledby": "h-waiting" }, h("h2", { id: "h-waiting" }, t("history.waiting")),
      h("ul", { class: "list" }, pending.map((r) => h("li", { class: "pending" }, `${t(`history.kind.${r.kind}`)} · ${title(r.body.activity_id || "")} · ${when(r.made_ms)}`)))) : null,
    h("section", { "aria-labelledby": "h-attempts" }, h("h2", { id: "h-attempts" }, t("history.attempts")),
      attempts.length ? h("ul", { class: "list" }, attempts.map((a) => {
        const tally = byAttempt.get(a.id);
        const finished = a.completed && (tally || !ANSWERED_KINDS.has(index.get(a.activity_id)?.kind));
        return h("li", { class: "attempt", "data-activity": a.activity_id, "data-finished": String(Boolean(finished)) }, h("strong", {}, title(a.activity_id)), " · ",
          finished ? t("history.finished") : t("history.not_finished"), " · ", when(a.started_ms),
          tally ? ` · ${t("history.right", tally)}` : "");
      })) : h("p", { class: "muted" }, t("history.none"))),
    h("section", { "aria-labelledby": "h-reflections" }, h("h2", { id: "h-reflections" }, t("history.reflections")),
      reflections.length ? h("ul", { class: "list" }, reflections.map((r) => h("li", {},
        h("strong", {}, title(r.activity_id)), ` · ${t("history.confidence", { n: r.confidence })}`, r.text ? ` · “${r.text}”` : ""))) : h("p", { class: "muted" }, t("history.none"))));
}
