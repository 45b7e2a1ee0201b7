// Nodes enrolled at the hub: school, last seen, last good sync, lag, versions pending
// each way, the software version its signed hello claims (older than the hub: said in
// words), and revoking one (its next request is refused). District admins make an
// enrolment code here; it is shown once.

import { api } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { session } from "../shared/session.js";
import { count, enrolPanel, errorText, failed, loading, when } from "./common.js";

/** A node's version cell: its claim, "unknown" when it said none, flagged in words when older. */
function version(n) {
  if (!n.version) return h("td", { class: "version unknown" }, t("admin.nodes.version_unknown"));
  if (n.older_than_hub) {
    return h("td", { class: "version older" }, t("admin.nodes.version_older", { version: n.version, hub: n.hub_version }));
  }
  return h("td", { class: "version" }, n.version);
}

/** Render the nodes. */
export async function render(view) {
  show(view, h("h1", {}, t("admin.nodes.title")), loading());
  let nodes;
  try {
    nodes = await api("GET", "/district/nodes");
  } catch (error) {
    failed(view, t("admin.nodes.title"), error);
    return;
  }
  const message = h("p", { role: "status", "aria-live": "polite" });
  const rows = nodes.map((n) => {
    const state = h("td", { class: n.revoked ? "state revoked" : "state" }, n.revoked ? t("admin.nodes.revoked") : t(`admin.outcome.${n.last_outcome}`));
    const revoke = n.revoked ? null : h("button", { type: "button", class: "danger revoke", onclick: async (event) => {
      if (!window.confirm(t("admin.nodes.confirm", { node: n.node_id }))) return;
      event.target.disabled = true;
      try {
        await api("POST", `/district/nodes/${n.id}/revoke`);
        state.textContent = t("admin.nodes.revoked");
        state.className = "state revoked";
        event.target.remove();
        message.textContent = t("admin.nodes.revoked_now", { node: n.node_id });
      } catch (error) {
        event.target.disabled = false;
        message.textContent = errorText(error);
      }
    } }, t("admin.nodes.revoke"), h("span", { class: "visually-hidden" }, ` ${n.node_id}`));
    return h("tr", { "data-node": n.node_id },
      h("td", {}, n.node_id), h("td", {}, n.school_name || n.school_id || "–"),
      h("td", {}, when(n.last_seen_at)), h("td", {}, when(n.last_success_at)),
      h("td", {}, n.lag_s == null ? "–" : t("admin.nodes.lag", { n: Math.round(n.lag_s / 60) })),
      h("td", {}, `${count(n.pending_out)} / ${count(n.pending_in)}`), version(n), state, h("td", { class: "actions" }, revoke));
  });
  const heads = ["node", "school", "seen", "synced", "behind", "pending", "version", "state", "actions"];
  const table = h("div", { class: "table-wrap" }, h("table", { class: "nodes" },
    h("thead", {}, h("tr", {}, heads.map((k) => h("th", { scope: "col" }, t(`admin.nodes.${k}`))))),
    h("tbody", {}, rows)));
  const enrol = enrolPanel({ title: t("admin.nodes.enrol"), lead: t("admin.nodes.enrol_lead"), button: t("admin.nodes.new_code") });
  // Only a district admin enrols nodes at the hub: a school's admin is not offered it.
  show(view, h("h1", {}, t("admin.nodes.title")), nodes.length ? table : h("p", {}, t("admin.nodes.none")), message,
    session.districtAdmin ? enrol : null);
}
