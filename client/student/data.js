// What the home screen shows. The node's GET /people/ID/home (the personalization
// engine, issue 5) gives it in one call. Where that endpoint is absent (404: a node
// without the engine) the app composes the same shape from the older endpoints, with
// a simple local choice of what to do next. The last home is kept per student on the
// tablet for when the node cannot be reached.

import { api, isOffline } from "../shared/api.js";
import { language } from "../shared/i18n.js";

const MASTERY_THRESHOLD = 0.95; // server/mastery.py
const DAY_MS = 86_400_000;
// For a skill not yet met, material to learn from comes before exercises.
const LEARN_FIRST = ["reading", "video", "audio", "quiz", "practice", "project", "reflection"];
let activityIndex = null;

/** Every activity of the node by id (titles and kinds for lists), fetched once. */
export async function activities() {
  activityIndex ??= api("GET", "/activities?per_page=500").then((page) => new Map(page.items.map((a) => [a.id, a])));
  try {
    return await activityIndex;
  } catch (error) {
    activityIndex = null;
    throw error;
  }
}

const homeKey = (personId) => `baobab.home.${personId}.${language()}`;
const continueKey = (personId) => `baobab.continue.${personId}`;

/** Remember (or forget, with null) the activity a student is in the middle of. */
export function setContinue(personId, value) {
  if (value) localStorage.setItem(continueKey(personId), JSON.stringify(value));
  else localStorage.removeItem(continueKey(personId));
}

/** The student's home: {person, continue, recommendations, assignments, goals, mastery, offline}. */
export async function loadHome(session) {
  const id = session.me.id;
  let home;
  try {
    try {
      home = await api("GET", `/people/${id}/home?language=${language()}`);
    } catch (error) {
      if (error.status !== 404) throw error;
      home = await composeHome(session);
    }
  } catch (error) {
    const saved = localStorage.getItem(homeKey(id));
    if (isOffline(error) && saved) return { ...JSON.parse(saved), offline: true };
    throw error;
  }
  if (home.fromCache) {
    const saved = localStorage.getItem(homeKey(id));
    return { ...(saved ? JSON.parse(saved) : home), offline: true };
  }
  const local = JSON.parse(localStorage.getItem(continueKey(id)) || "null");
  home.continue = local || home.continue;
  home.mastery = home.mastery.map((m) => ({ ...m, stars: m.stars ?? starsOf(m) }));
  localStorage.setItem(homeKey(id), JSON.stringify(home));
  return home;
}

/** Stars a child reads (0 not started, 1 started, 2 near, 3 mastered), where the node gives none. */
export function starsOf(m) {
  if (m.mastered) return 3;
  if (!m.attempts) return 0;
  return m.p_known_now >= 0.6 ? 2 : 1;
}

async function composeHome(session) {
  const id = session.me.id;
  const [index, mastery, goals, attempts, assigned] = await Promise.all([
    activities(),
    api("GET", `/people/${id}/mastery`),
    api("GET", `/people/${id}/goals`),
    api("GET", `/people/${id}/attempts?per_page=500`).then((p) => p.items),
    session.classroomId ? api("GET", `/classes/${session.classroomId}/assignments`) : [],
  ]);
  const finished = new Set(attempts.filter((a) => a.completed).map((a) => a.activity_id));
  const skills = new Map(mastery.map((m) => [m.skill_id, m]));
  const card = (activity, reasons, extra = {}) => ({
    activity_id: activity.id, title: activity.title, kind: activity.kind, modality: activity.modality,
    language: activity.language, minutes: activity.minutes, difficulty: activity.difficulty,
    skills: activity.skills.map((s) => ({ id: s, title: skills.get(s)?.title || { en: s } })),
    assigned: false, pinned: false, due_on: null, reasons, ...extra,
  });
  const assignments = assigned
    .filter((a) => index.has(a.activity_id) && !finished.has(a.activity_id))
    .map((a) => card(index.get(a.activity_id), [{ code: a.pinned ? "pinned" : "assigned", params: {} }],
      { assigned: true, pinned: a.pinned, due_on: a.due_on }));
  const recommendations = await engineChoice(id) ||
    [...assignments.filter((a) => a.pinned), ...localChoice(index, skills, finished, assignments)].slice(0, 5);
  const chosen = new Set(recommendations.map((r) => r.activity_id));
  return {
    person: session.me,
    continue: null,
    recommendations,
    assignments: assignments.filter((a) => !chosen.has(a.activity_id)),
    goals: goals.map((g) => ({ ...g, progress: g.progress ?? goalProgress(g, skills, attempts) })),
    mastery,
  };

  // The engine's recommendations where the node has them without the home endpoint.
  async function engineChoice(personId) {
    try {
      return (await api("GET", `/people/${personId}/recommendations?limit=5&language=${language()}`)).items;
    } catch (error) {
      if (error.status === 404) return null;
      throw error;
    }
  }

  // Else a simple local choice: one activity per skill not yet mastered, in the student's language, easiest
  // first: skills already started (practise more) before new ones (next skill).
  function localChoice(index, skills, finished, assignments) {
    const taken = new Set(assignments.map((a) => a.activity_id));
    const bySkill = new Map();
    const open = [...index.values()].filter((a) => !finished.has(a.id) && !taken.has(a.id));
    // In the interface language where the node has activities in it, else in any.
    const inLanguage = open.filter((a) => a.language === language());
    const candidates = (inLanguage.length ? inLanguage : open)
      .sort((a, b) => LEARN_FIRST.indexOf(a.kind) - LEARN_FIRST.indexOf(b.kind) || a.difficulty - b.difficulty || a.id.localeCompare(b.id));
    for (const activity of candidates) {
      const skill = skills.get(activity.skills[0]);
      if (!skill || skill.mastered || bySkill.has(skill.skill_id)) continue;
      bySkill.set(skill.skill_id, [skill, activity]);
    }
    return [...bySkill.values()]
      .sort(([a], [b]) => (b.attempts > 0) - (a.attempts > 0) || a.skill_id.localeCompare(b.skill_id))
      .map(([skill, activity]) =>
        card(activity, [{ code: skill.attempts ? "practice_more" : "next_skill", params: { skill: skill.title } }]));
  }
}

/** Progress of a goal as the contract shapes it, where the node gives none. */
export function goalProgress(goal, skills, attempts) {
  let value = 0;
  let target = 1;
  if (goal.kind === "master_skill") {
    const m = skills.get(goal.skill_id);
    value = Math.round(100 * Math.min(1, (m?.p_known_now ?? 0) / MASTERY_THRESHOLD));
    target = 100;
  } else if (goal.kind === "finish_activities") {
    const finished = new Set(attempts.filter((a) => a.completed).map((a) => a.activity_id));
    value = goal.activity_ids.filter((a) => finished.has(a)).length;
    target = goal.activity_ids.length;
  } else if (goal.kind === "practice_minutes") {
    const since = Date.now() - (goal.term === "short" ? 7 : 91) * DAY_MS;
    const ms = attempts.filter((a) => a.started_ms >= since).reduce((sum, a) => sum + (a.ended_ms - a.started_ms), 0);
    value = Math.round(ms / 60_000);
    target = goal.target || 1;
  }
  const fraction = Math.min(1, value / target);
  let state = fraction >= 1 || goal.status === "done" ? "done" : "on_track";
  if (goal.kind === "free_text" && goal.status !== "done") state = "needs_review";
  return { value, target, fraction: state === "done" ? 1 : fraction, state };
}

/** Fetch activities and their files through the service worker, so they play offline. */
export async function keepForOffline(activityIds) {
  document.body.dataset.offlineReady = "false";
  if (!(await workerInControl())) return;
  for (const id of activityIds) {
    try {
      const activity = await api("GET", `/activities/${encodeURIComponent(id)}`);
      await Promise.all(mediaOf(activity).map((m) => fetch(m.url).then((r) => r.blob())));
    } catch {
      return; // offline or gone: try again next time home loads
    }
  }
  document.body.dataset.offlineReady = "true";
}

/** Wait (a little) until the service worker controls this page, as it does after its first load. */
async function workerInControl(timeoutMs = 5000) {
  if (!("serviceWorker" in navigator)) return false;
  if (navigator.serviceWorker.controller) return true;
  return new Promise((resolve) => {
    navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true), { once: true });
    setTimeout(() => resolve(Boolean(navigator.serviceWorker.controller)), timeoutMs);
  });
}

/** URL of a pack asset ("assets/<sha256>.<ext>" in an activity body). */
export function assetUrl(path) {
  const sha = path.split("/").pop().split(".")[0];
  return `/api/v1/assets/${sha}`;
}

/** The files an activity shows or plays. */
export function mediaOf(activity) {
  return ["image", "audio", "video", "captions"]
    .filter((key) => activity.body?.[key])
    .map((key) => ({ key, url: assetUrl(activity.body[key]) }));
}
