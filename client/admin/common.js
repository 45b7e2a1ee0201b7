// What the admin app's screens share: who may use it, the words for an error, a loading
// line (the staff apps', shared/staff.js), dates, bars.

import { api } from "../shared/api.js";
import { h } from "../shared/dom.js";
import { day, number } from "../shared/format.js";
import { language, t } from "../shared/i18n.js";
import { errorText as staffErrorText } from "../shared/staff.js";

export { loading } from "../shared/staff.js";

/** Who may use the admin app. */
export const ADMINS = ["admin"];

/** What an admin reads when a call fails: the hub's own message, or why there is none. */
export const errorText = (error) => staffErrorText(error, "admin.forbidden");

/** A time the hub sent (UTC, no zone) in the reader's words, or a dash. */
export function when(value) {
  if (!value) return t("admin.never");
  const date = new Date(value.endsWith("Z") || value.includes("+") ? value : `${value}Z`);
  return date.toLocaleString(language(), { dateStyle: "medium", timeStyle: "short" });
}

/** A count as the reader's language groups it ("60,000", "60 000"). */
export const count = (n) => number(n, language());

/** A share of a whole as the reader's language writes a percentage ("70%", "70 %"), or a dash. */
export const share = (part, whole) =>
  whole ? (part / whole).toLocaleString(language(), { style: "percent", maximumFractionDigits: 0 }) : "–";

/** A day the hub gives as "2026-12-05", short and with its weekday ("Sat, Dec 5"): a
 * week's quiet Saturday and Sunday read as the weekend, not as a school gone silent. */
export const shortDay = (iso) => day(iso, language(), { weekday: "short", month: "short", day: "numeric" });

/** A bar chart as a list: label, a CSS bar, the figure (screen readers read the figure). */
export function bars(rows, label) {
  const top = Math.max(1, ...rows.map((r) => r.value));
  const fill = (value) => {
    // Set through the CSSOM: the pages' policy (style-src 'self') refuses a style
    // attribute, which left every bar drawn full whatever its value.
    const span = h("span");
    span.style.inlineSize = `${Math.round((100 * value) / top)}%`;
    return span;
  };
  return h("ul", { class: "bars", "aria-label": label }, rows.map((r) =>
    h("li", { "data-value": r.value },
      h("span", {}, r.label),
      h("span", { class: "bar", "aria-hidden": "true" }, fill(r.value)),
      h("span", {}, r.text ?? count(r.value)))));
}

export function failed(view, title, error) {
  view.replaceChildren(h("h1", {}, title), h("p", { role: "alert", class: "error" }, errorText(error)));
}

/**
 * A panel that makes a one-time enrolment code and says what to run on the node with it:
 * for a school the hub holds (schoolId), a node with no school yet joins it (init, pair,
 * sync, serve); for any school (no schoolId), a node that has its school enrols it.
 */
export function enrolPanel({ title, lead, button, schoolId = null }) {
  const result = h("div", { class: "enrolment", "aria-live": "polite" });
  const steps = (code) => [
    ...(schoolId ? ["baobab init"] : []),
    `baobab pair ${location.origin} ${code} --hub`,
    "baobab sync --hub",
    ...(schoolId ? ["baobab serve"] : []),
  ].join("\n");
  return h("section", { class: "panel" },
    h("h2", {}, title),
    h("p", { class: "muted" }, lead),
    h("button", { type: "button", class: "enrol", onclick: async () => {
      try {
        const made = await api("POST", "/district/enrolment-codes", schoolId ? { school_id: schoolId } : undefined);
        result.replaceChildren(
          h("p", { class: "code" }, t("admin.nodes.code", { code: made.code, time: when(made.expires_at) })),
          h("p", {}, t("admin.school.on_the_node")),
          h("pre", { translate: "no" }, steps(made.code)));
      } catch (error) {
        result.replaceChildren(h("p", {}, errorText(error)));
      }
    } }, button),
    result);
}
