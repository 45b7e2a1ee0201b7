// Home: the teacher's words, continue, recommendations with their reasons, the rest
// assigned, goals with progress, and mastery per skill as stars and bars.

import { h, show, stars } from "../shared/dom.js";
import { language, pick, t } from "../shared/i18n.js";
import { session } from "../shared/session.js";
import { keepForOffline, loadHome } from "./data.js";
import { listenButton } from "./speak.js";
import { wordsList } from "./words.js";

/** Whether the student's profile asks for no time pressure: no minutes, due dates or "behind". */
const unhurried = () => Boolean(session.accommodations?.extra_time);

/** The reason a card is shown, in the interface language (by reason code). */
export function reasonText(reason) {
  const params = { ...reason.params };
  if (params.modality) params.modality = t(`modality.${params.modality}`);
  const key = `reason.${reason.code}`;
  const text = t(key, params);
  return text === key ? reason.text || "" : text;
}

function activityCard(item, cls = "") {
  const timed = !unhurried();
  const meta = [t(`kind.${item.kind}`), timed && item.minutes ? t("home.minutes", { n: item.minutes }) : null,
    timed && item.due_on ? t("home.due", { date: item.due_on }) : null].filter(Boolean).join(" · ");
  return h("li", { class: `card ${cls}` },
    h("a", { href: `#/play/${encodeURIComponent(item.activity_id)}`, class: `activity kind-${item.kind}`, "data-activity": item.activity_id, lang: item.language || null },
      h("span", { class: "title" }, item.title)),
    listenButton(item.title, { lang: item.language || undefined, label: t("say.title", { title: item.title }) }),
    h("p", { class: "meta" }, meta),
    (item.reasons || []).slice(0, 1).map((r) => h("p", { class: "reason", "data-reason": r.code }, reasonText(r))));
}

/** A goal's due date ("YYYY-MM-DD", a calendar day) in the reader's language. */
function dueDay(day) {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(document.documentElement.lang || undefined, { dateStyle: "medium", timeZone: "UTC" });
}

/**
 * A goal's progress as things a child counts, never a probability or a decimal:
 * the stars of its skill, the activities finished, the whole minutes practised.
 */
export function goalCount(goal, skills) {
  const p = goal.progress || { value: 0, target: 1 };
  if (goal.kind === "master_skill") {
    const n = skills.get(goal.skill_id)?.stars ?? 0;
    return { text: t("stars.label", { n }), stars: n };
  }
  if (goal.kind === "finish_activities") return { text: t("goal.count.activities", { value: Math.floor(p.value), target: Math.round(p.target) }) };
  if (goal.kind === "practice_minutes") return { text: t("goal.count.minutes", { value: Math.floor(p.value), target: Math.round(p.target) }) };
  return null;
}

/** A goal with its progress bar, for home and the goals screen; skills: mastery rows by skill id. */
export function goalRow(goal, skills) {
  const p = { ...(goal.progress || { value: 0, target: 1, fraction: 0, state: "on_track" }) };
  if (unhurried() && p.state === "behind") p.state = "on_track"; // no time pressure
  const count = goalCount(goal, skills);
  const label = {
    master_skill: () => t("goal.kind.master_skill", { skill: pick(skills.get(goal.skill_id)?.title) || goal.skill_id || "" }),
    finish_activities: () => t("goal.kind.finish_activities", { n: goal.activity_ids.length }),
    practice_minutes: () => t("goal.kind.practice_minutes", { n: goal.target }),
    free_text: () => goal.text || t("goal.kind.free_text"),
  }[goal.kind]?.() || goal.text;
  const id = `goal-${goal.id}`;
  return h("li", { class: `goal state-${p.state}`, "data-goal": goal.id },
    h("span", { id, class: "goal-label" }, label),
    h("span", { class: "muted" }, ` ${t(`goal.term.${goal.term}`)} · ${t(`goal.state.${p.state}`)}`),
    goal.due_on && !unhurried() ? h("span", { class: "muted due", "data-due": goal.due_on }, ` · ${t("goal.due", { date: dueDay(goal.due_on) })}`) : null,
    h("progress", { max: 100, value: Math.round(100 * p.fraction), "aria-labelledby": id, "aria-valuetext": count?.text || t(`goal.state.${p.state}`) }),
    count?.stars !== undefined ? stars(count.stars, count.text) : null,
    count ? h("span", { class: "muted goal-count" }, count.text) : null);
}

function masteryRow(m) {
  const state = m.needs_review ? "review" : ["not_started", "started", "near", "mastered"][m.stars];
  const id = `skill-${m.skill_id.replace(/[^\w-]/g, "_")}`;
  return h("li", { class: "skill", "data-skill": m.skill_id, "data-stars": m.stars },
    h("span", { id, class: "skill-title" }, pick(m.title)),
    stars(m.stars, t("stars.label", { n: m.stars })),
    h("progress", { max: 100, value: m.attempts ? Math.round(100 * (m.p_known_now ?? 0)) : 0, "aria-labelledby": id,
      "aria-valuetext": t("stars.label", { n: m.stars }) }), // a bar to see, stars to say: never a probability
    h("span", { class: "muted" }, t(`mastery.${state}`)));
}

/** A group the student is in, and who else is in it ("Readers: with Kofi and Fatou"). */
function groupRow(group) {
  const names = group.others.map((o) => o.display_name);
  const text = names.length
    ? t("home.group_with", { group: group.name, names: new Intl.ListFormat(language(), { type: "conjunction" }).format(names) })
    : group.name;
  return h("li", { class: "group", "data-group": group.id }, h("span", {}, text), listenButton(text, { label: t("say.title", { title: text }) }));
}

function section(title, cls, items, empty = true) {
  return h("section", { class: cls, "aria-labelledby": `${cls}-h` },
    h("h2", { id: `${cls}-h` }, title),
    items.length ? h("ul", { class: "list" }, items) : empty ? h("p", { class: "muted" }, t("home.nothing")) : null);
}

/** Render home. */
export async function render(view) {
  show(view, h("h1", {}, t("common.loading")));
  let home;
  try {
    home = await loadHome(session.me.id);
  } catch (error) {
    show(view, h("h1", {}, t("home.hello", { name: session.me.display_name })), h("p", { role: "alert" }, error.status === 0 ? t("common.offline") : t("common.error")));
    return;
  }
  const skills = new Map(home.mastery.map((m) => [m.skill_id, m]));
  const titles = new Map([home.continue, ...home.recommendations, ...home.assignments].filter(Boolean).map((a) => [a.activity_id, a.title]));
  const words = home.teacher_words || [];
  show(
    view,
    h("h1", {}, t("home.hello", { name: session.me.display_name })),
    home.offline ? h("p", { class: "notice" }, t("home.offline_copy")) : null,
    words.length ? h("section", { class: "teacher-words", "aria-labelledby": "teacher-words-h" },
      h("h2", { id: "teacher-words-h" }, t("home.words")),
      wordsList(session.me.id, words.slice(0, 5), (id) => titles.get(id) || null)) : null,
    home.continue ? section(t("home.continue"), "continue", [activityCard({ ...home.continue, reasons: [] }, "continue-card")]) : null,
    section(t("home.for_you"), "recommendations", home.recommendations.map((r) => activityCard(r))),
    section(t("home.assigned"), "assignments", home.assignments.map((r) => activityCard(r))),
    // The groups the teacher made: who to work with (a copy saved before groups had none).
    home.groups?.length ? section(t("home.groups"), "groups", home.groups.map(groupRow)) : null,
    section(t("home.goals"), "goals", home.goals.filter((g) => g.status !== "dropped").map((g) => goalRow(g, skills))),
    section(t("home.mastery"), "mastery", home.mastery.map(masteryRow)),
  );
  if (!home.offline) {
    const ids = [home.continue?.activity_id, ...home.recommendations.map((r) => r.activity_id), ...home.assignments.map((r) => r.activity_id)];
    keepForOffline([...new Set(ids.filter(Boolean))]);
  }
}
