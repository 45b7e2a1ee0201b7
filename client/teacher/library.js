// The content library: every activity of the node, previewed as a student sees it
// (the student app's own play.js, in preview mode); a pack imported from a file with
// an upload and validation progress bar and the validator's report (admins); and a
// simple activity of the school authored here (a reading or a quiz, tied to a skill),
// and edited here later (#/library/edit/ID): a question left as it was keeps its id
// and the answers given to it; a changed one is a new question (docs/teacher-guide.md).

import { api, apiAll, csrf, newId } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { languageName } from "../shared/format.js";
import { language, t } from "../shared/i18n.js";
import { preview } from "../student/play.js";
import { session } from "../shared/session.js";
import { errorText, loading } from "./common.js";

const POLL_MS = 300;

/** Render the library; more is "preview/ID", "edit/ID", "new" or empty. */
export async function render(view, more) {
  if (more.startsWith("preview/")) return renderPreview(view, more.slice("preview/".length));
  if (more.startsWith("edit/")) return renderAuthoring(view, more.slice("edit/".length));
  if (more === "new") return renderAuthoring(view);
  show(view, h("h1", {}, t("teacher.library.title")), loading());
  let page, skills;
  try {
    [page, skills] = await Promise.all([apiAll("/activities").then((items) => ({ items })), api("GET", "/skills")]);
  } catch (error) {
    show(view, h("h1", {}, t("teacher.library.title")), h("p", { role: "alert", class: "error" }, errorText(error)));
    return;
  }
  const skillTitle = new Map(skills.map((s) => [s.id, s.title[document.documentElement.lang] || s.title.en || s.id]));
  const ours = (a) => a.pack_id.startsWith("school.");
  const rows = page.items.map((a) => h("tr", { "data-activity": a.id },
    h("td", { lang: a.language }, a.title),
    h("td", {}, t(`kind.${a.kind}`)),
    h("td", {}, a.skills.map((s) => skillTitle.get(s) || s).join(", ")),
    h("td", {}, ours(a) ? t("teacher.library.ours") : a.pack_id),
    h("td", { class: "links" }, h("a", { href: `#/library/preview/${encodeURIComponent(a.id)}`, "aria-label": t("teacher.library.preview_of", { title: a.title }) }, t("teacher.library.preview")),
      ours(a) ? [" · ", h("a", { href: `#/library/edit/${encodeURIComponent(a.id)}`, class: "edit-link", "aria-label": t("teacher.library.edit_of", { title: a.title }) }, t("teacher.library.edit"))] : null)));
  show(view,
    h("h1", {}, t("teacher.library.title")),
    h("p", {}, h("a", { href: "#/library/new", class: "button primary" }, t("teacher.library.author"))),
    session.me.role === "admin" ? importPanel() : h("p", { class: "muted" }, t("teacher.library.import_admins")),
    h("h2", {}, t("teacher.library.activities", { n: page.items.length })),
    filters(page.items, rows, skillTitle),
    h("div", { class: "table-wrap" }, h("table", { class: "library" },
      h("thead", {}, h("tr", {}, ...["title", "kind", "skills", "source", "preview"].map((k) => h("th", { scope: "col" }, t(`teacher.library.col.${k}`))))),
      h("tbody", {}, rows))));
}

/** Words folded for finding: lower case, without accents ("Écoute" finds "ecoute"). */
function folded(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** Find, kind and language over the library's rows (one per activity, in order). */
function filters(activities, rows, skillTitle) {
  const words = activities.map((a) => folded([a.title, ...a.skills.map((s) => skillTitle.get(s) || s)].join(" ")));
  const choice = (name, label, values, named) => h("label", {}, t(label),
    h("select", { name }, h("option", { value: "" }, t(`teacher.library.every_${name}`)),
      [...new Set(values)].sort().map((v) => h("option", { value: v }, named(v)))));
  const find = h("input", { type: "search", name: "find", autocomplete: "off" });
  const kind = choice("kind", "teacher.library.col.kind", activities.map((a) => a.kind), (k) => t(`kind.${k}`));
  const lang = choice("language", "teacher.library.language", activities.map((a) => a.language), (l) => languageName(l, language()));
  const status = h("p", { class: "muted", role: "status", "aria-live": "polite" });
  const apply = () => {
    const wanted = folded(find.value.trim());
    const [k, l] = [kind.querySelector("select").value, lang.querySelector("select").value];
    let shown = 0;
    activities.forEach((a, i) => {
      const match = (!wanted || words[i].includes(wanted)) && (!k || a.kind === k) && (!l || a.language === l);
      rows[i].hidden = !match;
      shown += match;
    });
    status.textContent = shown === activities.length ? "" : t("teacher.library.shown", { n: shown, total: activities.length });
  };
  const form = h("form", { class: "library-filters", role: "search", onsubmit: (e) => e.preventDefault(), oninput: apply },
    h("label", {}, t("teacher.library.find"), find), kind, lang);
  return [form, status];
}

async function renderPreview(view, activityId) {
  show(view, loading());
  let activity;
  try {
    activity = await api("GET", `/activities/${encodeURIComponent(activityId)}`);
  } catch (error) {
    show(view, h("p", { role: "alert", class: "error" }, errorText(error)));
    return;
  }
  const frame = h("div", { class: "student-preview" });
  show(view, h("p", { class: "preview-note", role: "note" }, t("teacher.library.preview_note")),
    h("p", {}, h("a", { href: "#/library" }, t("teacher.library.back"))), frame);
  preview(frame, activity);
}

// ---------------------------------------------------------------- importing a pack

/** PUT the file with XMLHttpRequest, for its upload progress; resolves {status, body}. */
function upload(jobId, file, onProgress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", `/api/v1/pack-imports/${jobId}?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader("Content-Type", "application/zip");
    xhr.setRequestHeader("X-CSRF-Token", csrf());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch { body = null; }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => resolve({ status: 0, body: null });
    xhr.send(file);
  });
}

function importPanel() {
  const file = h("input", { type: "file", name: "pack", accept: ".zip,application/zip", id: "pack-file" });
  const bar = h("progress", { max: 100, value: 0, id: "pack-progress", "aria-labelledby": "pack-stage" });
  const stage = h("p", { id: "pack-stage", role: "status", "aria-live": "polite" });
  const report = h("div", { class: "pack-report", id: "pack-report" });
  const button = h("button", { type: "submit", class: "primary" }, t("teacher.library.import"));
  const progress = h("div", { class: "pack-progress", hidden: true }, stage, bar);
  const form = h("form", { class: "panel pack-import", onsubmit: async (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    report.replaceChildren();
    if (!chosen) {
      stage.textContent = t("teacher.library.choose");
      return;
    }
    button.disabled = true;
    progress.hidden = false;
    const jobId = newId();
    let uploaded = false;
    const say = (key, fraction) => {
      stage.textContent = t(`teacher.library.stage.${key}`);
      bar.value = Math.round(fraction * 100);
    };
    say("uploading", 0);
    // While the node validates (the upload is in), ask it how far it is.
    let polling = true;
    const poll = async () => {
      while (polling) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        if (!uploaded || !polling) continue;
        try {
          const job = await api("GET", `/pack-imports/${jobId}`);
          if (polling && job.state !== "done" && job.state !== "failed") {
            const within = job.total ? job.done / job.total : 0;
            const base = { unpacking: 0, manifest: 0.2, files: 0.4, importing: 0.8 }[job.stage] ?? 0;
            say(job.stage, Math.min(1, base + within * 0.2));
          }
        } catch { /* not there yet: ask again */ }
      }
    };
    poll();
    const result = await upload(jobId, chosen, (fraction) => {
      say("uploading", fraction);
      if (fraction >= 1) { uploaded = true; say("unpacking", 0); }
    });
    uploaded = true;
    polling = false;
    button.disabled = false;
    showReport(report, result, say);
  } },
  h("h2", {}, t("teacher.library.import_title")),
  h("p", {}, t("teacher.library.import_help")),
  // On the hub, what a district admin imports is published to every school.
  session.districtAdmin ? h("p", { class: "notice district" }, t("teacher.library.import_district")) : null,
  h("label", { for: "pack-file" }, t("teacher.library.file")), file, button, progress, report);
  return form;
}

function showReport(report, { status, body }, say) {
  if (status === 200 && body?.report) {
    say("done", 1);
    const r = body.report;
    const counts = r.counts;
    report.replaceChildren(h("h3", {}, t("teacher.library.report_ok", { id: r.pack_id, version: r.version })),
      r.previous_version ? h("p", {}, t("teacher.library.replaced", { version: r.previous_version })) : null,
      h("ul", { class: "counts" }, ...["created", "updated", "deleted", "unchanged", "kept"].map((k) =>
        h("li", { "data-count": k }, `${t(`teacher.library.count.${k}`)}: ${counts[k]}`))));
    report.dataset.state = "done";
    return;
  }
  say("failed", 1);
  const problems = body?.error?.details;
  report.replaceChildren(
    h("h3", { role: "alert" }, status === 413 ? t("teacher.library.too_large") : t("teacher.library.report_bad")),
    body?.error?.message ? h("p", {}, body.error.message) : null,
    Array.isArray(problems) ? h("ul", { class: "problems" }, problems.map((p) => h("li", {}, p))) : null,
    h("p", {}, t("teacher.library.nothing_changed")));
  report.dataset.state = "failed";
}

// ---------------------------------------------------------------- authoring

/** A question's fields, filled from ``item`` when editing (its id rides on the fieldset). */
function itemFields(index, item = null, originals = null) {
  const type = h("select", { name: `type-${index}`, "aria-label": t("teacher.author.item_type", { n: index + 1 }) },
    ...["choice", "numeric", "text"].map((k) => h("option", { value: k, selected: item?.type === k }, t(`teacher.author.type.${k}`))));
  const answer = !item ? "" : item.type === "choice" ? item.choices[item.answer] ?? ""
    : item.type === "text" ? item.answer.join("; ") : String(item.answer);
  const fieldset = h("fieldset", { class: "author-item", "data-index": index, "data-item-id": item?.id },
    h("legend", {}, t("teacher.author.question", { n: index + 1 })),
    h("label", {}, h("span", {}, t("teacher.author.type_label")), type),
    h("label", {}, h("span", {}, t("teacher.author.prompt")), h("input", { name: `prompt-${index}`, maxlength: 2000, value: item?.prompt || "" })),
    h("label", {}, h("span", {}, t("teacher.author.choices")), h("input", { name: `choices-${index}`, placeholder: t("teacher.author.choices_hint"), value: item?.choices ? item.choices.join("; ") : "" })),
    h("label", {}, h("span", {}, t("teacher.author.answer")), h("input", { name: `answer-${index}`, placeholder: t("teacher.author.answer_hint"), value: answer })),
    h("button", { type: "button", class: "quiet remove-question", onclick: (event) => {
      const set = event.currentTarget.closest("fieldset");
      const next = set.nextElementSibling || set.previousElementSibling;
      set.remove();
      (next?.querySelector("input") || document.querySelector("form.author [name=title]")).focus();
    } }, t("teacher.author.remove_question"), h("span", { class: "visually-hidden" }, ` (${t("teacher.author.question", { n: index + 1 })})`)));
  if (item && originals) originals.set(fieldset, item);
  return fieldset;
}

/** What one question's fields say, or null when its question is left empty. */
function readItem(fieldset, originals) {
  const value = (name) => fieldset.querySelector(`[name^="${name}-"]`).value.trim();
  const type = value("type");
  const prompt = value("prompt");
  if (!prompt) return null;
  const raw = value("answer");
  // What this form does not show (hints, tolerance) is sent back as it was.
  const before = originals?.get(fieldset);
  const kept = before ? { id: before.id, hints: before.hints || [], tolerance: before.type === type ? before.tolerance : null } : {};
  if (type === "choice") {
    const choices = value("choices").split(";").map((c) => c.trim()).filter(Boolean);
    const at = choices.indexOf(raw);
    return { ...kept, type, prompt, choices, answer: at >= 0 ? at : Number(raw) - 1, tolerance: null };
  }
  if (type === "numeric") return { ...kept, type, prompt, answer: Number(raw.replace(",", ".")) };
  return { ...kept, type, prompt, answer: raw.split(";").map((a) => a.trim()).filter(Boolean), tolerance: null };
}

/** The authoring form: a new activity, or (activityId) a new version of one of the school's. */
async function renderAuthoring(view, activityId = null) {
  const heading = t(activityId ? "teacher.author.edit_title" : "teacher.author.title");
  show(view, h("h1", {}, heading), loading());
  let skills, activity = null;
  try {
    [skills, activity] = await Promise.all([
      api("GET", "/skills"),
      activityId ? api("GET", `/activities/${encodeURIComponent(activityId)}`) : null,
    ]);
  } catch (error) {
    show(view, h("h1", {}, heading), h("p", { role: "alert", class: "error" }, errorText(error)),
      h("p", {}, h("a", { href: "#/library" }, t("teacher.library.back"))));
    return;
  }
  const lang = document.documentElement.lang;
  const originals = new Map();
  let next = 0;
  const items = h("div", { class: "author-items" },
    activity?.items.length ? activity.items.map((item) => itemFields(next++, item, originals)) : itemFields(next++));
  const status = h("p", { role: "status", "aria-live": "polite" });
  const picture = h("input", { type: "file", name: "picture", accept: "image/png,image/jpeg,image/webp,image/svg+xml", id: "author-picture" });
  const current = activity?.body?.image || null;
  const dropPicture = h("input", { type: "checkbox", name: "drop_picture" });
  const form = h("form", { class: "panel author", "data-activity": activityId, onsubmit: async (event) => {
    event.preventDefault();
    status.textContent = "";
    const field = (name) => form.querySelector(`[name="${name}"]`).value.trim();
    let image = dropPicture.checked ? null : current;
    try {
      const chosen = picture.files[0];
      if (chosen) image = (await api("POST", "/authored-images", chosen)).sha256;
      const body = {
        kind: field("kind"), title: field("title"), language: field("language"), skill_id: field("skill_id"),
        text: form.querySelector("[name=text]").value, image,
        items: [...items.children].map((set) => readItem(set, originals)).filter(Boolean),
      };
      if (activity) {
        body.difficulty = activity.difficulty;
        body.minutes = activity.minutes;
      }
      const made = activity
        ? await api("PUT", `/authored-activities/${encodeURIComponent(activity.id)}`, body)
        : await api("POST", "/authored-activities", body);
      status.textContent = t("teacher.author.saved");
      location.hash = `#/library/preview/${encodeURIComponent(made.id)}`;
    } catch (error) {
      status.textContent = errorText(error);
      status.setAttribute("role", "alert");
    }
  } },
  h("label", {}, h("span", {}, t("teacher.author.kind")), h("select", { name: "kind" },
    ["reading", "quiz"].map((k) => h("option", { value: k, selected: activity?.kind === k }, t(`kind.${k}`))))),
  h("label", {}, h("span", {}, t("teacher.author.title_field")), h("input", { name: "title", required: true, maxlength: 300, value: activity?.title || "" })),
  h("label", {}, h("span", {}, t("teacher.author.language")), h("input", { name: "language", value: activity?.language || lang, required: true, maxlength: 16 })),
  h("label", {}, h("span", {}, t("teacher.author.skill")), h("select", { name: "skill_id", required: true },
    skills.map((s) => h("option", { value: s.id, selected: activity?.skills?.[0] === s.id }, s.title[lang] || s.title.en || s.id)))),
  h("label", {}, h("span", {}, t("teacher.author.text")), h("textarea", { name: "text", rows: 6, maxlength: 20000 }, activity?.body?.text || "")),
  current ? h("figure", { class: "current-picture" },
    h("img", { src: `/api/v1/assets/${current}`, alt: t("teacher.author.current_picture"), class: "work-photo" }),
    h("figcaption", {}, h("label", { class: "check" }, dropPicture, " ", t("teacher.author.drop_picture")))) : null,
  h("label", { for: "author-picture" }, t(current ? "teacher.author.new_picture" : "teacher.author.picture")), picture,
  h("h2", {}, t("teacher.author.questions")),
  activity ? h("p", { class: "muted edit-help" }, t("teacher.author.edit_help")) : null,
  items,
  h("button", { type: "button", onclick: () => {
    const set = itemFields(next++);
    items.append(set);
    set.querySelector("input").focus();
  } }, t("teacher.author.add_question")),
  status,
  h("button", { type: "submit", class: "primary" }, t("teacher.author.save")));
  show(view, h("h1", {}, heading), h("p", {}, h("a", { href: "#/library" }, t("teacher.library.back"))), form);
}
