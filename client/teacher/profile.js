// A student's learner profile on the teacher's student page: what they like and what
// motivates them, how they like to learn, their languages, the accommodations the student
// app applies on every screen, and the teacher's notes (printed on the learning plan).
// The teacher edits it here. Only the fields the teacher changed are sent, so what the
// child set meanwhile on their "Me" screen is not written over; and the node keeps every
// version a change replaced, listed here under "Earlier versions".

import { api } from "../shared/api.js";
import { h } from "../shared/dom.js";
import { dateTime, languageName, wordList } from "../shared/format.js";
import { language, t } from "../shared/i18n.js";
import { render as again } from "../shared/router.js";
import { errorText } from "./common.js";

const enc = encodeURIComponent;
const MODALITIES = ["read", "watch", "listen", "do"];
const ACCOMMODATIONS = ["read_aloud", "extra_time", "larger_text", "fewer_choices", "high_contrast"];
const FIELDS = ["interests", "motivations", "modalities", "languages", "accommodations", "notes"];
let notice = ""; // said after the page is drawn again

/** A field's value in words, for the teacher to read. */
function said(field, value) {
  if (field === "notes") return value || "–";
  if (!value?.length) return "–";
  const named = {
    modalities: (m) => t(`teacher.profile.modality.${m}`),
    languages: (code) => languageName(code, language()),
    accommodations: (a) => t(`teacher.profile.accommodation.${a}`),
  }[field];
  return value.map(named || String).join(", ");
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The profile section. profile: the node's profile; history: its earlier versions, newest
 * first (the node's profile history, or [] for one who may not read it); languages: the
 * language codes to offer besides the profile's own.
 */
export function profileSection(personId, profile, history, languages) {
  const status = h("p", { role: "status", "aria-live": "polite", class: "notice profile-notice" }, notice);
  notice = "";
  const form = editForm(personId, profile, languages);
  const edit = h("button", { type: "button", class: "quiet edit-profile", "aria-expanded": "false",
    onclick: () => {
      form.hidden = !form.hidden;
      edit.setAttribute("aria-expanded", String(!form.hidden));
      if (!form.hidden) form.querySelector("input").focus();
    } }, t("teacher.profile.edit"));
  form.addEventListener("reset", () => {
    // Cancel: what was on the form goes back to the node's profile, and the form closes.
    setTimeout(() => { form.hidden = true; edit.setAttribute("aria-expanded", "false"); edit.focus(); });
  });
  return h("section", { "aria-labelledby": "profile-title", class: "panel profile-section" },
    h("h2", { id: "profile-title" }, t("teacher.learner.profile")),
    status,
    h("dl", { class: "profile" }, FIELDS.map((f) => [
      h("dt", {}, t(`teacher.profile.${f}`)),
      h("dd", { "data-field": f }, said(f, profile[f])),
    ])),
    edit,
    form,
    historyList(profile, history));
}

function checkboxes(field, values, offered, describe = false) {
  return h("fieldset", { class: `profile-${field}` },
    h("legend", {}, t(`teacher.profile.${field}`)),
    offered.map((value) => h("label", { class: "check" },
      // defaultChecked as well: Cancel (the form's reset) goes back to it.
      h("input", { type: "checkbox", name: field, value, checked: values.includes(value), defaultChecked: values.includes(value) }),
      h("span", {}, field === "languages" ? languageName(value, language()) : t(`teacher.profile.${field === "modalities" ? "modality" : "accommodation"}.${value}`),
        describe ? h("span", { class: "muted" }, ` · ${t(`teacher.profile.does.${value}`)}`) : null))));
}

function editForm(personId, profile, languages) {
  const offered = [...new Set([...languages, ...profile.languages])];
  const words = (field) => h("label", {}, t(`teacher.profile.${field}`),
    h("input", { type: "text", name: field, value: profile[field].join(", "), maxlength: 1300, autocomplete: "off",
      "aria-describedby": "profile-words-help" }));
  const notes = h("textarea", { name: "notes", rows: 3, maxlength: 4000, "aria-describedby": "profile-notes-help" });
  notes.defaultValue = profile.notes || ""; // its value until edited, and again on Cancel
  const message = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "profile-form", hidden: true, "aria-label": t("teacher.profile.edit"),
    onsubmit: async (event) => {
      event.preventDefault();
      message.textContent = "";
      form.closest("section").querySelector(".profile-notice").textContent = ""; // an earlier save's
      const checked = (field) => [...form.querySelectorAll(`input[name=${field}]:checked`)].map((i) => i.value);
      // The ways to learn are in order of preference: those kept stay where they were.
      const ways = checked("modalities");
      const wanted = {
        interests: wordList(form.elements.interests.value),
        motivations: wordList(form.elements.motivations.value),
        modalities: [...profile.modalities.filter((m) => ways.includes(m)), ...ways.filter((m) => !profile.modalities.includes(m))],
        languages: checked("languages"),
        accommodations: checked("accommodations"),
        notes: notes.value.trim(),
      };
      const changes = Object.fromEntries(Object.entries(wanted).filter(([field, value]) => !same(value, profile[field])));
      if (!Object.keys(changes).length) {
        message.textContent = t("teacher.profile.unchanged");
        return;
      }
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        await api("PATCH", `/people/${enc(personId)}/profile`, changes);
        notice = t("teacher.profile.saved");
        again();
      } catch (error) {
        // What the teacher wrote stays on the form, to send again.
        message.textContent = errorText(error);
        button.disabled = false;
      }
    } },
    words("interests"),
    words("motivations"),
    h("p", { id: "profile-words-help", class: "muted" }, t("teacher.profile.words_help")),
    checkboxes("modalities", profile.modalities, MODALITIES),
    checkboxes("languages", profile.languages, offered),
    checkboxes("accommodations", profile.accommodations, ACCOMMODATIONS, true),
    h("label", {}, t("teacher.profile.notes"), notes),
    h("p", { id: "profile-notes-help", class: "muted" }, t("teacher.profile.notes_help")),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "save-profile" }, t("teacher.profile.save")),
      h("button", { type: "reset", class: "quiet" }, t("teacher.goals.cancel"))),
    message);
  return form;
}

/** Earlier versions, newest first, each with what it held that the next one changed. */
function historyList(profile, history) {
  if (!history.length) return null;
  const when = (hlc) => dateTime(Math.floor(hlc / 65536), language(), { dateStyle: "medium", timeStyle: "short" });
  return h("details", { class: "profile-history" },
    h("summary", {}, t("teacher.profile.history", { n: history.length })),
    h("ol", {}, history.map((version, i) => {
      const next = i === 0 ? profile : history[i - 1].data;
      const changed = FIELDS.filter((f) => !same(version.data[f], next[f]));
      return h("li", {},
        h("span", { class: "muted" }, t("teacher.profile.version", { date: when(version.version_hlc) })), " ",
        changed.length
          ? changed.map((f, k) => [k ? "; " : "", h("strong", {}, t(`teacher.profile.${f}`)), `: ${said(f, version.data[f])}`])
          : t("teacher.profile.same"));
    })));
}
