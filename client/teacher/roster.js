// Roster import (admins): choose a simple CSV or a zipped OneRoster 1.1 bundle, see a
// preview of what will change (or every bad row: file, line, field, problem; then
// nothing is imported), and import it.

import { api, ApiError } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { number } from "../shared/format.js";
import { language, t } from "../shared/i18n.js";
import { session } from "../shared/session.js";
import { errorText } from "./common.js";

const ACTIONS = ["create", "update", "add", "remove", "unchanged"];

/** Render the import screen. */
export async function render(view) {
  if (session.me?.role !== "admin") {
    // The node refuses a teacher's import (403): say so before they choose a file.
    show(view, h("h1", {}, t("teacher.roster.title")), h("p", { class: "notice admins-only" }, t("teacher.roster.admins_only")));
    return;
  }
  const file = h("input", { type: "file", name: "roster", accept: ".csv,.zip,text/csv,application/zip", required: true });
  const result = h("div", { class: "roster-result", "aria-live": "polite" });
  const form = h("form", { class: "panel roster-form", onsubmit: (event) => {
    event.preventDefault();
    if (file.files[0]) send(file.files[0], true, result);
  } },
    h("label", {}, t("teacher.roster.file"), file),
    h("p", { class: "muted" }, t("teacher.roster.formats"), " ",
      h("a", { href: "/static/roster-example.csv", download: "roster-example.csv", class: "example" }, t("teacher.roster.example"))),
    h("button", { type: "submit", class: "preview" }, t("teacher.roster.preview")));
  show(view, h("h1", {}, t("teacher.roster.title")), h("p", {}, t("teacher.roster.lead")), form, result);
}

async function send(file, dryRun, result) {
  result.replaceChildren(h("p", { role: "status" }, t("common.loading")));
  const body = new Blob([file], { type: "application/octet-stream" });
  const query = `?dry_run=${dryRun}&name=${encodeURIComponent(file.name.slice(0, 200))}`;
  let reply;
  try {
    reply = await api("POST", `/roster/imports${query}`, body, { timeoutMs: 120000 });
  } catch (error) {
    result.replaceChildren(...failure(error));
    result.querySelector("h2")?.focus();
    return;
  }
  result.replaceChildren(...report(reply));
  if (dryRun) {
    result.append(h("div", { class: "actions" },
      h("button", { type: "button", class: "import", onclick: () => send(file, false, result) }, t("teacher.roster.import"))));
  }
  result.querySelector("h2").focus();
}

function failure(error) {
  const problems = error instanceof ApiError ? error.details?.problems : null;
  if (!problems) return [h("p", { role: "alert", class: "error" }, errorText(error))];
  return [
    h("h2", { tabindex: "-1", class: "error" }, t("teacher.roster.bad_title")),
    h("p", { role: "alert", class: "nothing-imported" }, t("teacher.roster.bad", { n: problems.length })),
    h("div", { class: "table-wrap" }, h("table", { class: "problems" },
      h("caption", { class: "visually-hidden" }, t("teacher.roster.bad_title")),
      h("thead", {}, h("tr", {}, ["file", "line", "field", "problem"].map((c) => h("th", { scope: "col" }, t(`teacher.roster.col.${c}`))))),
      h("tbody", {}, problems.map((p) => h("tr", {},
        h("td", {}, p.file), h("td", {}, p.line ? String(p.line) : "–"), h("td", {}, p.field || "–"), h("td", {}, p.problem)))))),
  ];
}

function report(reply) {
  const what = Object.keys(reply.counts);
  const summary = h("ul", { class: "counts" }, what.map((kind) =>
    h("li", { "data-kind": kind }, h("strong", {}, t(`teacher.roster.kind.${kind}`)), " ",
      ACTIONS.filter((a) => reply.counts[kind][a]).map((a) =>
        t(`teacher.roster.${reply.dry_run ? "will" : "did"}.${a}`, { n: number(reply.counts[kind][a], language()) })).join(", ") || "–")));
  const changes = reply.changes.length
    ? h("div", { class: "table-wrap" }, h("table", { class: "changes" },
      h("caption", { class: "visually-hidden" }, t("teacher.roster.changes")),
      h("thead", {}, h("tr", {}, ["change", "name", "class"].map((c) => h("th", { scope: "col" }, t(`teacher.roster.col.${c}`))))),
      h("tbody", {}, reply.changes.map((c) => h("tr", {},
        h("td", {}, t(`teacher.roster.change.${c.what}.${c.action}`)),
        h("td", {}, c.was && c.was !== c.name ? t("teacher.roster.renamed", { name: c.name, was: c.was }) : c.name),
        h("td", {}, c.classroom || "–"))))))
    : h("p", { class: "no-changes" }, t("teacher.roster.no_changes"));
  const ignored = Object.entries(reply.ignored).map(([kind, n]) => t("teacher.roster.ignored", { n, what: kind }));
  return [
    h("h2", { tabindex: "-1", class: reply.dry_run ? "preview-title" : "done-title ok" },
      t(reply.dry_run ? "teacher.roster.preview_title" : "teacher.roster.done_title")),
    summary,
    changes,
    ignored.length ? h("p", { class: "muted" }, ignored.join(" · ")) : null,
  ].filter(Boolean);
}
