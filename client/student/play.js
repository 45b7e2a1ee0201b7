// Playing one activity: its text, picture, audio or video, then its items (quiz,
// practice set with its mastery rule, questions after a reading), or a project's
// answer (with a photo), or a reflection. Every answer goes through the outbox;
// feedback comes from the node's reply, or, with the node away, from the item's
// offline check on this tablet (check.js); the node grades it again on arrival.

import { api, newId } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { go } from "../shared/router.js";
import { session } from "../shared/session.js";
import { checkOffline } from "./check.js";
import { assetUrl, knownTitle, setContinue, teacherWords } from "./data.js";
import * as outbox from "./outbox.js";
import { downscale } from "./photo.js";
import { listenButton, readAloudOn, say } from "./speak.js";
import { wordsList } from "./words.js";

const FEEDBACK_WAIT_MS = 6000;
// Where the tablet can check an answer itself, the node's verdict is waited for only
// this long: a node that is slow or hangs never holds the child's feedback up.
const FEEDBACK_GRACE_MS = 1200;

/** Whether m of the last n results are right, and how many more right make it (server/mastery.py). */
export function mOfN(results, m, n) {
  const window = results.slice(-n);
  let right = window.filter(Boolean).length;
  let needed = 0;
  while (right < m) {
    if (window.length === n) right -= window.shift() ? 1 : 0;
    window.push(true);
    right += 1;
    needed += 1;
  }
  return { mastered: needed === 0, needed };
}

/** Render an activity. */
export async function render(view, activityId) {
  const activity = await load(view, activityId);
  if (activity) play(view, activity);
}

/**
 * Show an activity exactly as a student sees it, for a teacher to try (the teacher
 * app's library): answers are checked here against the key staff receive, nothing is
 * sent or remembered.
 */
export function preview(view, activity) {
  play(view, activity, { preview: true });
}

/** A staff member's check of a response against the item's key (preview only). */
export function gradeHere(item, response) {
  if (item.type === "choice") return response === item.answer;
  if (item.type === "numeric") return Math.abs(response - item.answer) <= (item.tolerance || 0);
  const said = String(response).trim().toLowerCase();
  return (item.answer || []).some((a) => a.trim().toLowerCase() === said);
}

async function load(view, activityId) {
  let activity;
  try {
    activity = await api("GET", `/activities/${encodeURIComponent(activityId)}`);
  } catch (error) {
    const text = error.status === 0 ? t("play.not_offline") : t("common.error");
    // Its title where this tablet has seen it listed; never its raw id.
    const title = session.me ? knownTitle(session.me.id, activityId) : null;
    show(view, h("h1", {}, title || t("play.unknown_title")), h("p", { role: "alert" }, text), h("a", { href: "#/home" }, t("play.home")));
    return null;
  }
  return activity;
}

function play(view, activity, { preview = false } = {}) {
  const me = preview ? null : session.me.id;
  const saved = preview ? null : JSON.parse(localStorage.getItem(`baobab.continue.${me}`) || "null");
  const resume = saved?.activity_id === activity.id && saved.attempt_id;
  const attempt = {
    id: resume ? saved.attempt_id : newId(),
    activity_id: activity.id,
    started_ms: resume ? saved.attempt_started_ms : Date.now(),
  };
  const place = { activity_id: activity.id, title: activity.title, kind: activity.kind,
    language: activity.language, attempt_id: attempt.id, attempt_started_ms: attempt.started_ms,
    position: resume ? saved.position || 0 : 0, results: resume ? saved.results || [] : [] };
  if (!preview) setContinue(me, place);
  const ctx = { view, activity, attempt, me, place, answered: 0, preview };
  const work = h("div", { class: "work" });
  const voice = activity.body?.voice || {};
  const instructions = [activity.title, activity.body?.text || ""].join(". ");
  const words = preview ? [] : teacherWords(me).filter((w) => w.activity_id === activity.id);
  show(view, h("article", { class: `activity kind-${activity.kind}`, lang: activity.language, "data-activity": activity.id },
    h("p", { class: "kind", lang: null }, t(`kind.${activity.kind}`)),
    h("div", { class: "heading" }, h("h1", {}, activity.title),
      listenButton(instructions, { lang: activity.language, audioUrl: voice.text ? assetUrl(voice.text) : null, label: t("say.instructions") })),
    words.length ? h("aside", { class: "teacher-words", lang: null, "aria-labelledby": "teacher-words-h" },
      h("h2", { id: "teacher-words-h" }, t("home.words")), wordsList(me, words)) : null,
    bodyOf(activity), work));
  if (activity.kind === "project") work.append(reflectForm(ctx, true));
  else if (activity.kind === "reflection") work.append(reflectForm(ctx, false));
  else if (activity.items.length) playItems(ctx, work);
  else work.append(finishButton(ctx));
}

function bodyOf(activity) {
  const body = activity.body || {};
  const parts = (body.text || "").split(/\n\s*\n/).filter(Boolean).map((p) => h("p", {}, p));
  if (body.image) parts.unshift(h("img", { src: assetUrl(body.image), alt: t("play.picture", { title: activity.title }), class: "illustration" }));
  if (body.audio) parts.push(h("figure", {}, h("figcaption", {}, t("play.listen")),
    h("audio", { controls: true, preload: "auto", src: assetUrl(body.audio), "aria-label": t("play.listen") })));
  if (body.video) {
    const video = h("video", { controls: true, preload: "auto", src: assetUrl(body.video), "aria-label": t("play.watch") });
    if (body.captions) video.append(h("track", { kind: "captions", src: assetUrl(body.captions), srclang: activity.language, default: true, label: activity.language }));
    parts.unshift(h("figure", {}, video));
  }
  return h("div", { class: "body" }, parts);
}

/** "I have finished": shown at once where the activity is to read, watch or listen; where it has items, once one is answered. */
function finishButton(ctx) {
  return h("button", { type: "button", class: "big primary finish", hidden: !hasSomethingToFinish(ctx), onclick: () => finish(ctx) }, t("play.finish"));
}

/** Whether the child has done something to finish: an activity with items needs an answer. */
function hasSomethingToFinish(ctx) {
  return !ctx.activity.items?.length || ctx.place.results.length > 0 || ctx.place.position > 0 || ctx.answered > 0;
}

async function finish(ctx) {
  const { attempt, me, view } = ctx;
  if (!hasSomethingToFinish(ctx)) return; // a quiz left with no answer is not finished
  if (ctx.preview) {
    show(view, h("section", { class: "done" }, h("h1", {}, t("play.done_title")), h("p", {}, t("play.done_text"))));
    return;
  }
  await outbox.enqueue(me, "attempt", { ...attempt, ended_ms: Math.max(Date.now(), attempt.started_ms), completed: true });
  setContinue(me, null);
  history.replaceState(null, "", "#/home"); // a reload now opens home, not this activity again
  outbox.flush(me);
  show(view, h("section", { class: "done" }, h("h1", {}, t("play.done_title")), h("p", {}, t("play.done_text")),
    h("a", { href: "#/home", class: "big primary button", onclick: (e) => { e.preventDefault(); go("#/home"); } }, t("play.home"))));
}

/**
 * Post an answer through the outbox; the node's reply, or null if it is away. canCheck:
 * whether the tablet can give the feedback itself, so the node is waited for only a
 * moment (the send goes on behind, and the node's grade is the record).
 */
async function sendAnswer(me, body, canCheck) {
  await outbox.enqueue(me, "answer", body);
  const reply = nodeReply(me, body);
  if (!canCheck) return reply;
  const grace = new Promise((resolve) => setTimeout(() => resolve(null), FEEDBACK_GRACE_MS));
  return Promise.race([reply, grace]);
}

async function nodeReply(me, body) {
  const deadline = Date.now() + FEEDBACK_WAIT_MS;
  for (;;) {
    const reached = await outbox.flush(me); // a flush already running may predate this answer
    const reply = await outbox.result(body.id);
    if (reply) return reply.reply;
    const waiting = (await outbox.records(me)).find((r) => r.id === body.id);
    if (!reached || !waiting || outbox.heldForStudent() || waiting.state === "rejected" || Date.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function playItems(ctx, work) {
  const { activity } = ctx;
  const items = activity.items;
  const rule = activity.kind === "practice" && activity.body?.mastery?.rule === "m_of_n" ? activity.body.mastery : null;
  // Resuming starts after the last item answered, with the results so far.
  const results = [...ctx.place.results];
  let shown = ctx.place.position;
  const ruleLine = rule ? h("p", { class: "rule", "aria-live": "polite" }) : null;
  const updateRule = () => {
    if (!rule) return;
    const { mastered, needed } = mOfN(results, rule.m, rule.n);
    ruleLine.textContent = `${t("play.rule", { m: rule.m, n: rule.n })} ${mastered ? t("play.mastered") : t("play.more_to_master", { k: needed })}`;
    ruleLine.dataset.needed = needed;
  };
  const slot = h("div", { class: "item-slot" });
  work.append(...[ruleLine, slot, finishButton(ctx)].filter(Boolean));
  updateRule();
  const next = () => {
    const done = rule ? mOfN(results, rule.m, rule.n).mastered : shown >= items.length;
    if (done) {
      slot.replaceChildren();
      work.querySelector(".finish").focus();
      return;
    }
    const item = items[shown % items.length];
    shown += 1;
    slot.replaceChildren(itemForm(ctx, item, shown, rule ? null : items.length, (correct, settled) => {
      if (correct !== null) results.push(correct);
      ctx.answered += 1;
      work.querySelector(".finish").hidden = false;
      // A wrong answer leaves the item to try again; a settled one moves past it.
      if (!ctx.preview) setContinue(ctx.me, { ...ctx.place, position: settled ? shown : shown - 1, results });
      updateRule();
    }, next));
    slot.querySelector("input")?.focus();
    // Read aloud on (an accommodation): each new question is read as it appears.
    if (readAloudOn()) say(item.prompt, activity.language, recording(activity, item));
  };
  next();
}

/** The pack's recording of an item's prompt or choice i, as a URL, if it has one. */
function recording(activity, item, choice = null) {
  const spoken = activity.body?.voice?.items?.[item.id.split(":").pop()]; // keyed by the pack's item id
  const path = choice === null ? spoken?.prompt : spoken?.choices?.[choice];
  return path ? assetUrl(path) : null;
}

/**
 * The choices shown for an item, by their index in the item: all of them, or, where the
 * student's profile asks for fewer choices, every right one and some of the others (about
 * half, at least two in all and at least one that is not right; the same ones each time). Right ones are known from the
 * item's offline check; an item the tablet cannot check keeps all its choices.
 */
export function shownChoices(item, fewer) {
  const all = item.choices.map((_, i) => i);
  if (!fewer || all.length <= 2) return all;
  const verdicts = all.map((i) => checkOffline(item, i));
  if (verdicts.some((v) => v === null) || !verdicts.some(Boolean)) return all;
  const keep = Math.max(2, Math.ceil(all.length / 2));
  const others = all.filter((i) => !verdicts[i]);
  const start = [...item.id].reduce((sum, c) => sum + c.charCodeAt(0), 0) % others.length;
  const kept = [...others.slice(start), ...others.slice(0, start)].slice(0, Math.max(1, keep - (all.length - others.length)));
  return all.filter((i) => verdicts[i] || kept.includes(i));
}

function responseInput(item, number, activity) {
  const name = `answer-${number}`;
  if (item.type === "choice") {
    return h("div", { class: "choices-row", role: "radiogroup", "aria-label": t("play.choose") },
      shownChoices(item, session.accommodations?.fewer_choices).map((i) => h("span", { class: "choice-with-voice" },
        h("label", { class: "choice" }, h("input", { type: "radio", name, value: String(i) }), h("span", {}, item.choices[i])),
        listenButton(item.choices[i], { lang: activity.language, audioUrl: recording(activity, item, i),
          label: t("say.choice", { choice: item.choices[i] }) }))));
  }
  const numeric = item.type === "numeric";
  return h("label", { class: "answer" }, h("span", {}, numeric ? t("play.number") : t("play.answer")),
    h("input", { type: numeric ? "number" : "text", name, inputmode: numeric ? "decimal" : null, step: numeric ? "any" : null, autocomplete: "off" }));
}

function readResponse(form, item, number) {
  const name = `answer-${number}`;
  if (item.type === "choice") {
    const checked = form.querySelector(`input[name="${name}"]:checked`);
    return checked ? Number(checked.value) : null;
  }
  const raw = form.querySelector(`input[name="${name}"]`).value.trim();
  if (!raw) return null;
  if (item.type === "numeric") {
    const value = Number(raw.replace(",", "."));
    return Number.isFinite(value) ? value : null;
  }
  return raw;
}

function itemForm(ctx, item, number, total, onResult, onNext) {
  let hintsUsed = 0;
  const started = Date.now();
  const feedback = h("p", { class: "feedback", role: "status", "aria-live": "polite" });
  const hints = h("ul", { class: "hints", "aria-live": "polite" });
  const nextButton = h("button", { type: "button", class: "big primary next", hidden: true, onclick: onNext }, t("play.next"));
  const check = h("button", { type: "submit", class: "big primary check" }, t("play.check"));
  const hintButton = h("button", { type: "button", class: "hint", disabled: !item.hints?.length }, t("play.hint"));
  hintButton.addEventListener("click", () => {
    if (hintsUsed >= item.hints.length) return;
    hintsUsed += 1;
    const hint = item.hints[hintsUsed - 1];
    hints.append(h("li", {}, h("strong", {}, `${t("play.hint_n", { n: hintsUsed })}: `), hint, " ",
      listenButton(hint, { lang: ctx.activity.language, label: t("say.hint") })));
    if (hintsUsed >= item.hints.length) hintButton.disabled = true;
  });
  const form = h("form", { class: "item", "data-item": item.id, "data-type": item.type, novalidate: true },
    h("fieldset", {},
      h("legend", {}, total ? h("span", { class: "count" }, `${t("play.item", { n: number, total })} `) : null,
        h("span", { class: "prompt" }, item.prompt)),
      listenButton(item.prompt, { lang: ctx.activity.language, audioUrl: recording(ctx.activity, item), label: t("say.question") }),
      responseInput(item, number, ctx.activity)),
    hints, feedback, h("div", { class: "actions" }, hintButton, check, nextButton));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = readResponse(form, item, number);
    if (response === null) {
      feedback.textContent = t("play.empty");
      return;
    }
    check.disabled = true;
    const here = checkOffline(item, response);
    let reply;
    if (ctx.preview) {
      reply = { correct: gradeHere(item, response) }; // a teacher's preview: nothing is saved
      check.disabled = false;
    } else {
      try {
        reply = await sendAnswer(ctx.me, {
          id: newId(), item_id: item.id, attempt_id: ctx.attempt.id, response, hints_used: hintsUsed,
          duration_ms: Math.min(Date.now() - started, 86_400_000), device_ms: Date.now(),
        }, here !== null);
      } catch {
        feedback.textContent = t("play.not_saved"); // the tablet's storage failed: try again
        feedback.className = "feedback wrong";
        return;
      } finally {
        check.disabled = false;
      }
    }
    // The node's verdict; with the node away or slow, this tablet's (null: it cannot tell).
    const correct = reply ? reply.correct : here;
    const by = !reply && correct !== null ? ` ${t("play.checked_here")}` : "";
    form.dataset.result = correct === null ? "saved" : String(correct);
    form.dataset.checkedBy = reply ? "node" : correct === null ? "" : "device";
    if (correct === false) {
      feedback.textContent = t("play.wrong") + by;
      feedback.className = "feedback wrong";
      check.textContent = t("play.try_again");
      onResult(false);
      return;
    }
    feedback.textContent = correct ? t("play.right") + by : t("play.saved");
    feedback.className = correct ? "feedback right" : "feedback saved";
    onResult(correct ? true : null, true);
    check.hidden = true;
    for (const input of form.querySelectorAll("input")) input.disabled = true;
    nextButton.hidden = false;
    nextButton.focus();
  });
  return form;
}

function reflectForm(ctx, isProject) {
  const { activity, attempt, me } = ctx;
  const message = h("p", { role: "alert", class: "error" });
  const photo = isProject ? h("img", { class: "photo", alt: t("project.photo_preview"), hidden: true }) : null;
  let picture = null; // the downscaled photo (a promise of a Blob), kept with the answer
  const pick = (file) => {
    message.textContent = "";
    const mine = picture = file ? downscale(file) : null;
    photo.hidden = true;
    mine?.then((blob) => {
      if (picture === mine) Object.assign(photo, { src: URL.createObjectURL(blob), hidden: false });
    }, () => {
      if (picture !== mine) return; // another photo was chosen meanwhile
      picture = null;
      message.textContent = t("project.photo_bad");
    });
  };
  const form = h("form", { class: "reflect", novalidate: true },
    isProject ? h("label", { class: "answer" }, h("span", {}, t("project.answer")), h("textarea", { name: "text", rows: 4, maxlength: 2000 })) : null,
    isProject ? h("label", { class: "answer" }, h("span", {}, t("project.photo")),
      h("input", { type: "file", name: "photo", accept: "image/*", capture: "environment", onchange: (e) => pick(e.target.files[0]) })) : null,
    photo,
    h("fieldset", { class: "confidence" }, h("legend", {}, t("reflect.confidence")),
      [1, 2, 3, 4].map((n) => h("label", { class: "choice" }, h("input", { type: "radio", name: "confidence", value: String(n) }),
        h("span", {}, h("span", { class: "dots" }, [1, 2, 3, 4].map((i) => h("span", { class: i <= n ? "icon icon-dot" : "icon icon-dot-off" }))),
          " ", t(`reflect.c${n}`))))),
    isProject ? null : h("label", { class: "answer" }, h("span", {}, t("reflect.sentence")), h("textarea", { name: "text", rows: 2, maxlength: 2000 })),
    message,
    h("button", { type: "submit", class: "big primary" }, isProject ? t("project.send") : t("reflect.send")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const confidence = form.querySelector("input[name=confidence]:checked");
    if (!confidence) {
      message.textContent = t("reflect.pick");
      return;
    }
    let blob = null;
    try {
      blob = await picture;
    } catch {
      return; // not a picture: said under the form
    }
    if (ctx.preview) {
      await finish(ctx);
      return;
    }
    const reflection = {
      id: newId(), activity_id: activity.id, attempt_id: attempt.id, confidence: Number(confidence.value),
      text: form.querySelector("textarea[name=text]").value.trim(), device_ms: Date.now(),
    };
    await outbox.enqueue(me, "reflection", reflection);
    if (blob) {
      await outbox.enqueue(me, "photo", { id: newId(), activity_id: activity.id, attempt_id: attempt.id,
        reflection_id: reflection.id, device_ms: reflection.device_ms, blob });
    }
    await finish(ctx);
  });
  return form;
}
