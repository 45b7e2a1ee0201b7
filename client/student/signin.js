// Sign-in as a young child can: class, then own name and picture, then three
// pictures (or none where the class allows). The class is remembered on the tablet,
// so the next student starts at the names.

import { api, ApiError, isOffline, newId } from "../shared/api.js";
import { h, picture, show } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { startSession } from "../shared/session.js";
import * as outbox from "./outbox.js";
import { hold, login } from "./pending.js";
import { listenButton } from "./speak.js";

/** A screen's question with a button that reads it aloud (for children who cannot read yet). */
const heading = (text) => h("div", { class: "heading" }, h("h1", {}, text), listenButton(text));

const CLASS_KEY = "baobab.class";
const LISTS_KEY = "baobab.signin"; // class lists, names and picture keys, kept for offline
const QUICK_MS = 3000; // how long a list kept on the tablet waits for a slow node

/**
 * A sign-in list from the node, kept on the tablet for when the node is away (names,
 * classes and picture keys only: what the sign-in screen shows anyone).
 */
async function signinList(path) {
  const key = `${LISTS_KEY}:${path}`;
  const kept = localStorage.getItem(key);
  try {
    const list = await api("GET", path, undefined, kept ? { timeoutMs: QUICK_MS } : undefined);
    localStorage.setItem(key, JSON.stringify(list));
    return list;
  } catch (error) {
    if (isOffline(error) && kept) return JSON.parse(kept);
    throw error;
  }
}

function errorText(error) {
  if (error instanceof ApiError && error.status === 429) return t("signin.slow");
  if (error instanceof ApiError && error.status === 401) return t("signin.wrong");
  if (error instanceof ApiError && error.status === 0) return t("common.offline");
  return t("common.error");
}

/** Render the sign-in screen. */
export async function render(view) {
  let classes;
  try {
    classes = await signinList("/signin/classes");
  } catch (error) {
    show(view, h("h1", {}, t("signin.classes")), h("p", { role: "alert" }, errorText(error)));
    return;
  }
  const remembered = classes.find((c) => c.id === localStorage.getItem(CLASS_KEY));
  if (remembered) await chooseStudent(view, remembered, classes);
  else chooseClass(view, classes);
  const note = sessionStorage.getItem("baobab.signout");
  if (note) {
    sessionStorage.removeItem("baobab.signout");
    view.querySelector("h1").after(h("p", { class: "notice", role: "status" }, note));
  }
  if (sessionStorage.getItem("baobab.signout.again")) {
    sessionStorage.removeItem("baobab.signout.again");
    view.querySelector("h1").after(h("p", { class: "notice", role: "status" }, t("signin.again")));
  }
}

function chooseClass(view, classes) {
  const buttons = classes.map((c) =>
    h("li", {}, h("button", { type: "button", class: "big", onclick: () => chooseStudent(view, c, classes) }, c.name)),
  );
  show(view, heading(t("signin.classes")), buttons.length ? h("ul", { class: "choices" }, buttons) : h("p", {}, t("signin.none")));
}

async function chooseStudent(view, classroom, classes) {
  localStorage.setItem(CLASS_KEY, classroom.id);
  let students;
  try {
    students = await signinList(`/signin/classes/${encodeURIComponent(classroom.id)}/students`);
  } catch (error) {
    show(view, h("h1", {}, t("signin.students")), h("p", { role: "alert" }, errorText(error)));
    return;
  }
  const other = () => {
    localStorage.removeItem(CLASS_KEY);
    chooseClass(view, classes);
  };
  show(
    view,
    heading(t("signin.students")),
    h("p", { class: "muted" }, classroom.name),
    h("ul", { class: "choices students" },
      students.map((s) =>
        h("li", {}, h("button", { type: "button", class: "big student", onclick: () => enter(view, classroom, s, classes) },
          s.picture ? picture(s.picture) : null, h("span", {}, s.display_name))),
      )),
    h("button", { type: "button", class: "link", onclick: other }, t("signin.other_class")),
  );
}

async function signIn(view, classroom, student, pictures) {
  let me;
  try {
    me = await login(student.id, pictures, { timeoutMs: 6000 });
  } catch (error) {
    if (!isOffline(error)) throw error;
    // The node is away: sign in on the tablet, pending until the node checks the
    // pictures (pending.js); the work waits for that check.
    const id = newId();
    hold(student.id, pictures, id);
    const person = { id: student.id, role: "student", display_name: student.display_name, picture: student.picture };
    startSession({ person, csrf_token: "" }, { pending: id });
    location.hash = "#/home";
    return;
  }
  startSession(me);
  location.hash = "#/home";
  outbox.flush(me.person.id);
}

async function enter(view, classroom, student, classes) {
  if (!classroom.picture_password) {
    try {
      await signIn(view, classroom, student, []);
    } catch (error) {
      view.append(h("p", { role: "alert" }, errorText(error)));
    }
    return;
  }
  const picked = [];
  const slots = h("p", { class: "slots", "aria-live": "polite" });
  const message = h("p", { role: "alert", class: "error" });
  const go = h("button", { type: "button", class: "big primary", disabled: true }, t("signin.go"));
  const update = () => {
    slots.replaceChildren(h("span", { class: "visually-hidden" }, t("signin.picked", { n: picked.length })),
      ...[0, 1, 2].map((i) => h("span", { class: "slot", "aria-hidden": "true" }, picked[i] ? picture(picked[i]) : "")));
    go.disabled = picked.length !== 3;
  };
  let keys;
  try {
    keys = (await signinList("/signin/pictures")).map((p) => p.key);
  } catch (error) {
    view.append(h("p", { role: "alert" }, errorText(error)));
    return;
  }
  const grid = keys.map((key) =>
    h("li", {}, h("button", {
      type: "button", class: "picture-button", "data-picture": key, "aria-label": t(`picture.${key}`),
      onclick: () => {
        if (picked.length < 3) picked.push(key);
        message.textContent = "";
        update();
        if (picked.length === 3) go.focus();
      },
    }, picture(key))),
  );
  go.addEventListener("click", async () => {
    go.disabled = true;
    try {
      await signIn(view, classroom, student, picked);
    } catch (error) {
      message.textContent = errorText(error);
      picked.length = 0;
      update();
    }
  });
  update();
  show(
    view,
    heading(t("signin.pictures")),
    h("p", { class: "who" }, student.picture ? picture(student.picture) : null, student.display_name),
    slots,
    h("ul", { class: "picture-grid" }, grid),
    message,
    h("div", { class: "actions" },
      h("button", { type: "button", onclick: () => { picked.length = 0; message.textContent = ""; update(); } }, t("signin.clear")),
      h("button", { type: "button", onclick: () => chooseStudent(view, classroom, classes) }, t("common.back")),
      go),
  );
}
