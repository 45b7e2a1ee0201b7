// "Me": the student sees and sets their own interests, how they like to learn and their
// languages (the fields of the learner profile a student may change; the node refuses
// the rest). The recommender uses them for the "For you" choices and their reasons.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { wordList } from "../shared/format.js";
import { loadLanguages, t } from "../shared/i18n.js";
import { session } from "../shared/session.js";

const MODALITIES = ["read", "watch", "listen", "do"];

function checkbox(name, value, label, checked, lang = null) {
  return h("label", { class: "choice" }, h("input", { type: "checkbox", name, value, checked }), h("span", { lang }, label));
}

/** Render the "Me" screen. */
export async function render(view) {
  show(view, h("h1", {}, t("common.loading")));
  const id = session.me.id;
  let profile;
  let languages;
  try {
    [profile, languages] = await Promise.all([api("GET", `/people/${id}/profile`), loadLanguages()]);
  } catch (error) {
    show(view, h("h1", {}, t("me.title")), h("p", { role: "alert" }, error.status === 0 ? t("common.offline") : t("common.error")));
    return;
  }
  const offered = new Map(languages.map((l) => [l.code, l.name]));
  for (const code of profile.languages) if (!offered.has(code)) offered.set(code, code);
  const message = h("p", { role: "status", class: "feedback" });
  const form = h("form", { class: "me-form", novalidate: true },
    h("label", { class: "answer" }, h("span", {}, t("me.interests")),
      h("input", { type: "text", name: "interests", value: profile.interests.join(", "), maxlength: 600, autocomplete: "off",
        "aria-describedby": "me-interests-help" })),
    h("p", { id: "me-interests-help", class: "muted" }, t("me.interests_help")),
    h("fieldset", { class: "modalities" }, h("legend", {}, t("me.modalities")),
      MODALITIES.map((m) => checkbox("modality", m, t(`me.modality.${m}`), profile.modalities.includes(m)))),
    h("fieldset", { class: "languages" }, h("legend", {}, t("me.languages")),
      [...offered].map(([code, name]) => checkbox("language", code, name, profile.languages.includes(code), code))),
    message,
    h("button", { type: "submit", class: "big primary" }, t("me.save")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const checked = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);
    // The order of ways to learn is the order of preference: the one listed first counts most.
    const body = { interests: wordList(form.elements.interests.value), modalities: checked("modality"), languages: checked("language") };
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const saved = await api("PATCH", `/people/${id}/profile`, body);
      form.elements.interests.value = saved.interests.join(", ");
      message.textContent = t("me.saved");
      message.className = "feedback right";
      form.dataset.saved = "true";
    } catch (error) {
      // What the child chose stays on the screen, to save again when the node is back.
      message.textContent = error.status === 0 ? t("me.offline") : t("common.error");
      message.className = "feedback wrong";
    } finally {
      button.disabled = false;
    }
  });
  show(view, h("h1", {}, t("me.title", { name: session.me.display_name })), h("p", {}, t("me.intro")), form);
}
