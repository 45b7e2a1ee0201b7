// The feedback queue: projects, reflections and written answers of the class no teacher
// has seen yet, oldest first. The teacher comments (the student app shows it) and may
// mark one of the child's free-text goals done; or marks the work seen without a word.
// Marked seen by mistake: "Put back" at once, or from the list of work marked seen below.

import { api, newId } from "../shared/api.js";
import { h, show } from "../shared/dom.js";
import { render as again } from "../shared/router.js";
import { dateTime } from "../shared/format.js";
import { language, t } from "../shared/i18n.js";
import { errorText, loading } from "./common.js";

const enc = encodeURIComponent;
let notice = ""; // said after the screen is drawn again (work put back)

/** Render the feedback queue of the class with id classId. */
export async function render(view, classId) {
  show(view, h("h1", {}, t("teacher.queue.title")), loading());
  let classroom, queue, seen;
  try {
    [classroom, queue, seen] = await Promise.all([
      api("GET", `/classes/${enc(classId)}`),
      api("GET", `/classes/${enc(classId)}/open-work`),
      api("GET", `/classes/${enc(classId)}/seen-work`),
    ]);
  } catch (error) {
    show(view, h("h1", {}, t("teacher.queue.title")), h("p", { role: "alert", class: "error" }, errorText(error)));
    return;
  }
  const status = h("p", { role: "status", "aria-live": "polite", class: "notice" }, notice);
  notice = "";
  const undo = h("div", { class: "undo-line" });
  const count = h("p", { class: "muted queue-count" }, t("teacher.queue.count", { n: queue.total }));
  const list = h("div", { class: "queue" });
  let left = queue.total;
  const done = (article, message, item) => {
    left -= 1;
    count.textContent = t("teacher.queue.count", { n: left });
    status.textContent = message;
    // Marked by mistake: put it back at once (the comment, if any, stays sent).
    undo.replaceChildren(h("button", { type: "button", class: "quiet put-back", onclick: () => putBack(item, status) },
      t("teacher.queue.put_back"), h("span", { class: "visually-hidden" }, ` (${item.display_name})`)));
    const next = article.nextElementSibling || article.previousElementSibling;
    article.remove();
    (next?.querySelector("textarea") || view.querySelector("h1")).focus();
    if (!list.children.length) list.append(h("p", { class: "nobody" }, t("teacher.queue.empty")));
  };
  list.append(...(queue.items.length ? queue.items.map((item) => piece(item, done)) : [h("p", { class: "nobody" }, t("teacher.queue.empty"))]));
  show(view,
    h("h1", {}, t("teacher.queue.heading", { name: classroom.name })),
    h("div", { class: "actions" }, h("a", { href: `#/class/${enc(classroom.id)}` }, t("teacher.back_to_class"))),
    count, status, undo, list, seenSection(seen, status));
}

async function putBack(item, status) {
  try {
    await api("DELETE", `/work-seen/${enc(item.work_kind)}/${enc(item.id)}`);
    notice = t("teacher.queue.put_back_done", { name: item.display_name });
    again();
  } catch (error) {
    status.textContent = errorText(error);
  }
}

/** Work marked seen, the latest first: each can go back in the queue. */
function seenSection(seen, status) {
  return h("section", { class: "panel seen-work", "aria-labelledby": "seen-title" },
    h("h2", { id: "seen-title" }, t("teacher.queue.seen_title", { n: seen.total })),
    seen.items.length
      ? h("ul", { class: "seen-list" }, seen.items.map((item) => h("li", { "data-work": item.id },
        h("span", {}, item.display_name, " · ", t(`teacher.queue.kind.${item.kind}`),
          item.activity_title ? ` · ${item.activity_title}` : "",
          item.text ? h("q", { class: "excerpt" }, item.text.length > 120 ? `${item.text.slice(0, 120)}…` : item.text) : null,
          h("span", { class: "muted" }, " · ", t("teacher.queue.seen_by", {
            name: item.seen_by_name || "?",
            when: dateTime(item.seen_ms, language(), { dateStyle: "medium", timeStyle: "short" }),
          }))),
        h("button", { type: "button", class: "quiet put-back", onclick: () => putBack(item, status) },
          t("teacher.queue.put_back"), h("span", { class: "visually-hidden" }, ` (${item.display_name})`)))))
      : h("p", { class: "nobody" }, t("teacher.queue.seen_none")));
}

function piece(item, done) {
  const titleId = `work-${item.id}`;
  const comment = h("textarea", { name: "comment", rows: 2, maxlength: 4000 });
  const goal = item.goals.length
    ? h("select", { name: "goal" }, h("option", { value: "" }, t("teacher.queue.no_goal")),
      item.goals.map((g) => h("option", { value: g.id }, g.text)))
    : null;
  const message = h("p", { role: "alert", class: "error" });
  const feedbackId = newId(); // one comment however often the teacher presses send
  const deviceMs = Date.now();
  const send = async (withComment) => {
    message.textContent = "";
    const text = withComment ? comment.value.trim() : "";
    if (withComment && !text) {
      message.textContent = t("teacher.queue.write_first");
      comment.focus();
      return;
    }
    try {
      await api("POST", "/work-seen", {
        work_kind: item.work_kind, work_id: item.id, comment: text, feedback_id: feedbackId,
        goal_id: goal?.value || null, device_ms: deviceMs,
      });
      done(article, t(withComment ? "teacher.queue.sent" : "teacher.queue.marked", { name: item.display_name }), item);
    } catch (error) {
      message.textContent = errorText(error);
    }
  };
  const article = h("article", { class: "panel work", "data-work": item.id, "data-kind": item.kind, "aria-labelledby": titleId },
    h("h2", { id: titleId }, item.display_name, " · ", t(`teacher.queue.kind.${item.kind}`),
      item.activity_title ? ` · ${item.activity_title}` : ""),
    h("p", { class: "muted" }, dateTime(item.device_ms, language(), { dateStyle: "medium", timeStyle: "short" }),
      item.confidence ? ` · ${t("teacher.queue.confidence", { n: item.confidence })}` : ""),
    item.prompt ? h("p", { class: "prompt" }, h("strong", {}, t("teacher.queue.question")), " ", item.prompt) : null,
    h("blockquote", { class: "text" }, item.text || t("teacher.queue.no_text")),
    item.photos.map((p) => h("img", { src: p.image_url, alt: t("teacher.queue.photo_of", { name: item.display_name }), class: "work-photo", loading: "lazy" })),
    h("form", { class: "comment", onsubmit: (event) => { event.preventDefault(); send(true); } },
      h("label", {}, t("teacher.queue.comment"), comment),
      goal ? h("label", {}, t("teacher.queue.goal_done"), goal) : null,
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "send" }, t("teacher.queue.send")),
        h("button", { type: "button", class: "quiet seen", onclick: () => send(false) }, t("teacher.queue.mark_seen"))),
      message));
  return article;
}
