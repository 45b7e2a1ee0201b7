// Admin sign-in: username and password (the hub's /auth/login); admins only.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { go } from "../shared/router.js";
import { session, startSession } from "../shared/session.js";
import { errorText } from "./common.js";

/** Render the sign-in screen. */
export async function render(view) {
  const message = h("p", { class: "error", role: "alert" });
  if (session.me && session.me.role !== "admin") message.textContent = t("admin.signin.admins_only");
  const username = h("input", { name: "username", autocomplete: "username", required: true });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const form = h("form", { class: "panel signin", onsubmit: async (event) => {
    event.preventDefault();
    message.textContent = "";
    let reply;
    try {
      reply = await api("POST", "/auth/login", { username: username.value, password: password.value });
    } catch (error) {
      message.textContent = errorText(error);
      password.value = "";
      password.focus();
      return;
    }
    if (reply.person.role !== "admin") {
      message.textContent = t("admin.signin.admins_only");
      return;
    }
    startSession(reply);
    go("#/dashboard");
  } },
    h("label", {}, t("teacher.signin.username"), username),
    h("label", {}, t("teacher.signin.password"), password),
    h("button", { type: "submit" }, t("teacher.signin.go")),
    message);
  show(view, h("h1", {}, t("admin.signin.title")), form);
}
