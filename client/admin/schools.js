// The schools the hub holds (#/schools): students, classes, enrolled nodes, admins; each
// opens its dashboard. A district admin starts a school here and sets it up on its own
// screen (#/schools/ID): its first admin, then a code its node enrols with.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { languageName } from "../shared/format.js";
import { language, loadLanguages, t } from "../shared/i18n.js";
import { go } from "../shared/router.js";
import { session } from "../shared/session.js";
import { count, enrolPanel, errorText, failed, loading } from "./common.js";

/** Render the list of schools, or one school's setup (more: its id). */
export async function render(view, more) {
  show(view, h("h1", {}, t("admin.schools.title")), loading());
  let schools;
  try {
    schools = await api("GET", "/district/schools");
  } catch (error) {
    failed(view, t("admin.schools.title"), error);
    return;
  }
  // Only a district admin starts schools and sets them up: a school's admin sees the list.
  const district = session.districtAdmin;
  if (more) {
    const school = district && schools.find((s) => s.id === decodeURIComponent(more));
    if (school) setUp(view, school);
    else show(view, h("h1", {}, t("admin.schools.title")), h("p", { role: "alert", class: "error" }, t("admin.school.not_found")));
    return;
  }
  const heads = ["name", "students", "classes", "nodes", "admins"];
  const table = h("div", { class: "table-wrap" }, h("table", { class: "schools" },
    h("thead", {}, h("tr", {}, heads.map((k) => h("th", { scope: "col" }, t(`admin.schools.${k}`))),
      district ? h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, t("admin.schools.actions"))) : null)),
    h("tbody", {}, schools.map((s) => h("tr", { "data-school": s.id },
      h("td", {}, h("a", { href: `#/dashboard/school/${encodeURIComponent(s.id)}` }, s.name)),
      h("td", {}, count(s.students)), h("td", {}, count(s.classes)), h("td", {}, count(s.nodes)),
      h("td", { class: "admins" }, s.admins.length ? s.admins.map((a) => a.display_name).join(", ") : t("admin.schools.no_admin")),
      district ? h("td", {}, h("a", { class: "set-up", href: `#/schools/${encodeURIComponent(s.id)}`,
        "aria-label": t("admin.schools.set_up_named", { name: s.name }) }, t("admin.schools.set_up"))) : null)))));
  show(view, h("h1", {}, t("admin.schools.title")),
    schools.length ? table : h("p", {}, t("admin.schools.none")),
    district ? await startForm() : null);
}

/** The form that starts a school: its name, a code, the language it teaches in. */
async function startForm() {
  const status = h("p", { role: "status" });
  const name = h("input", { name: "name", required: true, maxlength: 200, autocomplete: "off" });
  const code = h("input", { name: "code", maxlength: 40, autocomplete: "off" });
  const taught = h("select", { name: "language" },
    (await loadLanguages()).map((l) => h("option", { value: l.code, lang: l.code }, l.name)));
  taught.value = language();
  const form = h("form", { class: "panel start-school", onsubmit: async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.disabled = true;
    status.textContent = "";
    try {
      const school = await api("POST", "/district/schools",
        { name: name.value.trim(), code: code.value.trim() || null, languages: [taught.value] });
      go(`#/schools/${encodeURIComponent(school.id)}`);
    } catch (error) {
      status.textContent = errorText(error); // what was typed stays, to be put right
      button.disabled = false;
    }
  } },
    h("h2", {}, t("admin.schools.start")),
    h("p", { class: "muted" }, t("admin.schools.start_lead")),
    h("label", {}, t("admin.schools.new_name"), name),
    h("label", {}, t("admin.schools.new_code"), code),
    h("label", {}, t("admin.schools.language"), taught),
    h("button", { type: "submit" }, t("admin.schools.add")),
    status);
  return form;
}

/** One school's setup: what it is, its admins (add one), a code for its node. */
function setUp(view, school) {
  const admins = h("ul", { class: "school-admins" }, school.admins.map(adminItem));
  const adminStatus = h("p", { role: "status" });
  const field = (key, attrs) => h("label", {}, t(`admin.school.${key}`), h("input", { name: key, required: true, autocomplete: "off", ...attrs }));
  const adminForm = h("form", { class: "panel add-admin", onsubmit: async (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(adminForm));
    const button = adminForm.querySelector("button");
    button.disabled = true;
    adminStatus.textContent = "";
    try {
      const made = await api("POST", `/district/schools/${encodeURIComponent(school.id)}/admins`, values);
      admins.append(adminItem(made));
      adminForm.reset();
      adminStatus.textContent = t("admin.school.admin_added", { name: made.display_name, school: school.name });
    } catch (error) {
      adminStatus.textContent = errorText(error);
    } finally {
      button.disabled = false;
    }
  } },
    h("h2", {}, t("admin.school.admins")),
    h("p", { class: "muted" }, t("admin.school.admins_lead")),
    admins,
    field("display_name", { maxlength: 200 }),
    field("username", { maxlength: 100, autocapitalize: "off", spellcheck: "false" }),
    field("password", { type: "password", minlength: 8, maxlength: 200, autocomplete: "new-password" }),
    h("button", { type: "submit" }, t("admin.school.add_admin")),
    adminStatus);
  const enrol = enrolPanel({
    title: t("admin.school.enrol"), lead: t("admin.school.enrol_lead"), button: t("admin.school.new_code"), schoolId: school.id,
  });
  const about = h("dl", { class: "school-facts" },
    h("dt", {}, t("admin.school.code")), h("dd", { translate: "no" }, school.code || "–"),
    h("dt", {}, t("admin.schools.language")), h("dd", {}, (school.languages || []).map((c) => languageName(c, language())).join(", ")),
    h("dt", {}, t("admin.schools.nodes")), h("dd", {}, count(school.nodes)));
  show(view,
    h("p", {}, h("a", { href: "#/schools" }, t("admin.school.back"))),
    h("h1", {}, school.name),
    about,
    adminForm,
    enrol);
}

function adminItem(admin) {
  return h("li", {}, admin.display_name, " (", h("span", { translate: "no" }, admin.username), ")");
}
