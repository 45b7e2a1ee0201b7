// Work done on a tablet under a sign-in the node never checked (a child signed in with
// the node away, and the pictures were then refused or lost): it was never recorded as
// anyone's. The teacher sees each sitting (the name used, when, what) and gives it to
// the child who did it, or sets it aside; the node keeps it either way. A sitting under
// the name of a student since erased says so: its words and photos went with the erasure.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { dateTime } from "../shared/format.js";
import { language, t } from "../shared/i18n.js";
import { errorText, loading } from "./common.js";

const when = (ms) => dateTime(ms, language(), { dateStyle: "medium", timeStyle: "short" });

/** Render the sittings of unclaimed work the teacher may decide. */
export async function render(view) {
  show(view, h("h1", {}, t("teacher.unclaimed.title")), loading());
  let sittings;
  try {
    sittings = await api("GET", "/unclaimed-work");
  } catch (error) {
    show(view, h("h1", {}, t("teacher.unclaimed.title")), h("p", { role: "alert", class: "error" }, errorText(error)));
    return;
  }
  const status = h("p", { role: "status", "aria-live": "polite", class: "notice" });
  const list = h("div", { class: "unclaimed" });
  const empty = () => h("p", { class: "nobody" }, t("teacher.unclaimed.empty"));
  const done = (article, message) => {
    status.textContent = message;
    article.remove();
    view.querySelector("h1").focus();
    if (!list.children.length) list.append(empty());
  };
  list.append(...(sittings.length ? sittings.map((s) => sitting(s, done)) : [empty()]));
  show(view, h("h1", { tabindex: "-1" }, t("teacher.unclaimed.title")), h("p", {}, t("teacher.unclaimed.lead")),
    h("div", { class: "actions" }, h("a", { href: "#/classes" }, t("teacher.nav.classes"))), status, list);
}

function sitting(s, done) {
  const titleId = `sitting-${s.batch}`;
  // The named child is preselected when they may have it; else (erased, or removed from
  // the school since) no child is: the teacher chooses one.
  const preset = s.students.some((p) => p.id === s.named.id);
  const owner = h("select", { name: "student", required: true },
    preset ? null : h("option", { value: "", disabled: true, selected: true }, t("teacher.unclaimed.choose")),
    s.students.map((p) => h("option", { value: p.id, selected: p.id === s.named.id }, p.display_name)));
  const message = h("p", { role: "alert", class: "error" });
  const decide = async (path, body, said) => {
    message.textContent = "";
    try {
      const reply = await api("POST", `/unclaimed-work/${encodeURIComponent(s.batch)}/${path}`, body);
      done(article, t(said, { name: owner.selectedOptions[0]?.textContent || "", n: reply.recorded }));
    } catch (error) {
      message.textContent = errorText(error);
    }
  };
  const article = h("article", { class: "panel sitting", "data-batch": s.batch, "data-named": s.named.id, "aria-labelledby": titleId },
    h("h2", { id: titleId }, s.erased ? t("teacher.unclaimed.under_erased") : t("teacher.unclaimed.under", { name: s.named.display_name })),
    s.erased ? h("p", { class: "notice erased" }, t("teacher.unclaimed.erased")) : null,
    h("p", { class: "muted" }, `${when(s.first_ms)} – ${when(s.last_ms)}`,
      s.sent_by ? ` · ${t("teacher.unclaimed.sent_by", { name: s.sent_by })}` : ""),
    h("ul", { class: "list" }, s.work.map((w) => h("li", { "data-work": w.id },
      `${t(`teacher.unclaimed.kind.${w.kind}`)}${w.activity_title ? ` · ${w.activity_title}` : ""}`,
      w.response !== null && w.response !== undefined && w.response !== "" ? ` · ${JSON.stringify(w.response)}` : "",
      w.erased ? ` · ${t("teacher.unclaimed.erased_piece")}` : ""))),
    h("form", { class: "give", onsubmit: (event) => { event.preventDefault(); decide("give", { student_id: owner.value }, "teacher.unclaimed.given"); } },
      h("label", {}, t("teacher.unclaimed.whose"), owner),
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "give" }, t("teacher.unclaimed.give")),
        h("button", { type: "button", class: "quiet discard", onclick: () => decide("discard", undefined, "teacher.unclaimed.discarded") },
          t("teacher.unclaimed.discard"))),
      message));
  return article;
}
