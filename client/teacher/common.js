// What the teacher app's screens share: who may use it, the words for an error and a
// loading line (the staff apps', shared/staff.js), and the picture-password chooser.

import { h, picture } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { errorText as staffErrorText } from "../shared/staff.js";

export { loading } from "../shared/staff.js";

export const STAFF = ["teacher", "admin"];

export const PICTURES = ["sun", "moon", "star", "tree", "flower", "fish", "bird", "goat", "drum", "ball", "house", "boat"];

/** What a teacher reads when a call fails: the node's own message, or why there is none. */
export const errorText = (error) => staffErrorText(error, "teacher.forbidden");

/**
 * Three of the twelve pictures, in order: toggle buttons (aria-pressed) a keyboard
 * reaches. Returns {element, value(): keys or null when not three, clear()}.
 */
export function pictureChooser(legend) {
  const picked = [];
  const chosen = h("p", { class: "chosen", "aria-live": "polite" });
  const buttons = PICTURES.map((key) =>
    h("button", {
      type: "button", "data-picture": key, "aria-pressed": "false", "aria-label": t(`picture.${key}`),
      onclick: () => {
        const at = picked.indexOf(key);
        if (at >= 0) picked.splice(at, 1);
        else if (picked.length < 3) picked.push(key);
        update();
      },
    }, picture(key)),
  );
  function update() {
    for (const b of buttons) b.setAttribute("aria-pressed", String(picked.includes(b.dataset.picture)));
    chosen.replaceChildren(
      h("span", {}, t("teacher.pictures.chosen", { n: picked.length })),
      ...picked.map((key) => picture(key)),
      h("span", { class: "visually-hidden" }, picked.map((k) => t(`picture.${k}`)).join(", ")),
    );
  }
  update();
  const element = h("fieldset", { class: "pictures" },
    h("legend", {}, legend),
    h("ul", { class: "picture-grid" }, buttons.map((b) => h("li", {}, b))),
    chosen);
  return {
    element,
    value: () => (picked.length === 3 ? [...picked] : null),
    count: () => picked.length,
    clear: () => { picked.length = 0; update(); },
  };
}
