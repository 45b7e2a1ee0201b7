// The first-run wizard of a node nobody set up (started with --no-demo): the setup code
// from the node's console, the school, the first admin and teacher, the language, and
// a first class. The node refuses it once it has a school, or without the code.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import * as i18n from "../shared/i18n.js";
import { t } from "../shared/i18n.js";
import { go } from "../shared/router.js";
import { startSession } from "../shared/session.js";
import { errorText, loading } from "./common.js";

const field = (label, attrs) => {
  const input = h("input", { required: true, ...attrs });
  return { input, element: h("label", {}, label, input) };
};

function account(legendKey, prefix) {
  const name = field(t("teacher.setup.display_name"), { name: `${prefix}_name`, maxlength: 200, autocomplete: "name" });
  const username = field(t("teacher.setup.username"), { name: `${prefix}_username`, maxlength: 100, autocomplete: "off" });
  const password = field(t("teacher.setup.password"), {
    name: `${prefix}_password`, type: "password", minlength: 8, maxlength: 200, autocomplete: "new-password",
  });
  return {
    element: h("fieldset", {}, h("legend", {}, t(legendKey)), name.element, username.element, password.element,
      h("p", { class: "muted" }, t("teacher.setup.password_help"))),
    value: () => ({ display_name: name.input.value.trim(), username: username.input.value.trim(), password: password.input.value }),
  };
}

/** Render the wizard (or say the node is set up already). */
export async function render(view) {
  show(view, h("h1", {}, t("teacher.setup.title")), loading());
  let state;
  try {
    state = await api("GET", "/setup");
  } catch (error) {
    show(view, h("h1", {}, t("teacher.setup.title")), h("p", { role: "alert", class: "error" }, errorText(error)));
    return;
  }
  if (!state.needed) {
    show(view, h("h1", {}, t("teacher.setup.title")), h("p", {}, t("teacher.setup.done_already")),
      h("p", {}, h("a", { href: "#/signin" }, t("teacher.signin.go"))));
    return;
  }
  const code = field(t("teacher.setup.code"), { name: "code", maxlength: 40, autocomplete: "off", autocapitalize: "characters", "aria-describedby": "setup-code-help" });
  const school = field(t("teacher.setup.school"), { name: "school_name", maxlength: 200 });
  const className = h("input", { name: "class_name", maxlength: 200 });
  const language = h("select", { name: "language" });
  for (const l of await i18n.loadLanguages()) language.append(h("option", { value: l.code, lang: l.code }, l.name));
  language.value = i18n.language();
  const admin = account("teacher.setup.admin", "admin");
  const teacher = account("teacher.setup.teacher", "teacher");
  const message = h("p", { class: "error", role: "alert" });
  const form = h("form", { class: "panel setup", onsubmit: async (event) => {
    event.preventDefault();
    message.textContent = "";
    const body = {
      code: code.input.value.trim(), school_name: school.input.value.trim(), language: language.value,
      admin: admin.value(), teacher: teacher.value(), class_name: className.value.trim() || null,
    };
    let made;
    try {
      made = await api("POST", "/setup", body);
    } catch (error) {
      const fields = error.details ? " " + Object.entries(error.details).map(([k, v]) => `${k}: ${[v].flat().join(" ")}`).join("; ") : "";
      message.textContent = errorText(error) + fields;
      return;
    }
    startSession({ person: made.admin, csrf_token: made.csrf_token });
    await i18n.setLanguage(language.value);
    go("#/classes");
  } },
    code.element,
    h("p", { class: "muted", id: "setup-code-help" }, t("teacher.setup.code_help")),
    school.element,
    h("label", {}, t("teacher.setup.language"), language),
    admin.element,
    teacher.element,
    h("label", {}, t("teacher.setup.class_name"), className),
    h("button", { type: "submit" }, t("teacher.setup.submit")),
    message);
  show(view, h("h1", {}, t("teacher.setup.title")), h("p", {}, t("teacher.setup.lead")),
    h("p", {}, t("teacher.setup.restore_lead"), " ", h("a", { href: "/client/device/index.html#restore" }, t("teacher.setup.restore_link"))),
    form);
}
