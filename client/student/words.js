// The teacher's words to the child: feedback on an answer, a project or a reflection,
// and the note on an assignment. Shown on home ("From your teacher"), on the activity
// they are about and in "What I did", each marked "new" until the child has seen it.

import { h } from "../shared/dom.js";
import { dateTime } from "../shared/format.js";
import { t } from "../shared/i18n.js";
import { markSeen, seenWords } from "./data.js";

const when = (ms) => dateTime(ms, document.documentElement.lang, { dateStyle: "medium" });

/**
 * A list of words for personId; title(activityId) names the activity a word is about
 * (or null to leave it out). Showing them counts as seeing them: the mark stays on this
 * screen and is gone the next time.
 */
export function wordsList(personId, words, title = () => null) {
  const seen = seenWords(personId);
  const list = h("ul", { class: "list words" }, words.map((w) => {
    const fresh = !seen.has(w.key);
    const about = w.activity_id ? title(w.activity_id) : null;
    return h("li", { class: `word card kind-${w.kind}${fresh ? " fresh" : ""}`, "data-key": w.key, "data-new": String(fresh) },
      fresh ? h("span", { class: "new-mark" }, t("words.new")) : null,
      h("p", { class: "word-text" }, w.text),
      h("p", { class: "meta" }, [w.author ? t("words.by", { name: w.author }) : t(`words.kind.${w.kind}`),
        about ? t("words.about", { title: about }) : null, w.at_ms ? when(w.at_ms) : null].filter(Boolean).join(" · ")));
  }));
  markSeen(personId, words);
  return list;
}
