// Printable sign-in cards of a class (A4, eight a page): each child's name, class,
// picture password drawn with its pictures, and the QR code of the address students
// open. A picture password is kept only as a hash, so the pictures shown are made
// now: for the children who have none, or (asked) for every child.

import { api } from "../shared/api.js";
import { h, picture, show } from "../shared/dom.js";
import { t } from "../shared/i18n.js";
import { errorText, loading } from "./common.js";

const enc = encodeURIComponent;

/** Render the card maker of the class with id classId. */
export async function render(view, classId) {
  show(view, h("h1", {}, t("teacher.cards.title")), loading());
  let classroom, device;
  try {
    [classroom, device] = await Promise.all([api("GET", `/classes/${enc(classId)}`), api("GET", "/node/device")]);
  } catch (error) {
    show(view, h("h1", {}, t("teacher.cards.title")), h("p", { role: "alert", class: "error" }, errorText(error)));
    return;
  }
  const address = device.addresses[0];
  const renewAll = h("input", { type: "checkbox", name: "renew_all" });
  const message = h("p", { role: "status", "aria-live": "polite" });
  const sheet = h("section", { class: "card-sheet", "aria-label": t("teacher.cards.sheet") });
  const printButton = h("button", { type: "button", class: "print", hidden: true, onclick: () => window.print() }, t("teacher.cards.print"));
  const form = h("form", { class: "panel no-print make-cards", onsubmit: async (event) => {
    event.preventDefault();
    if (renewAll.checked && !confirm(t("teacher.cards.renew_confirm"))) return;
    message.textContent = "";
    let cards;
    try {
      cards = await api("POST", `/classes/${enc(classroom.id)}/sign-in-cards`, { renew: renewAll.checked ? "all" : "missing" });
    } catch (error) {
      message.textContent = errorText(error);
      return;
    }
    sheet.replaceChildren(...cards.map((card) => cardOf(card, classroom, address)));
    const fresh = cards.filter((c) => c.pictures).length;
    message.textContent = t("teacher.cards.made", { n: cards.length, fresh });
    printButton.hidden = false;
    printButton.focus();
  } },
    h("p", {}, t(classroom.picture_password ? "teacher.cards.lead" : "teacher.cards.lead_no_pictures")),
    classroom.picture_password ? h("label", { class: "check" }, renewAll, " ", t("teacher.cards.renew_all")) : null,
    h("div", { class: "actions" },
      h("button", { type: "submit" }, t("teacher.cards.make")),
      printButton,
      h("a", { href: `#/class/${enc(classroom.id)}` }, t("common.back"))),
    message);
  show(view, h("h1", { class: "no-print" }, t("teacher.cards.title_of", { name: classroom.name })), form, sheet);
}

function cardOf(card, classroom, address) {
  let pictures;
  if (card.pictures) {
    pictures = h("ol", { class: "card-pictures", "aria-label": t("teacher.cards.pictures") },
      card.pictures.map((key) => h("li", {}, picture(key), h("span", {}, t(`picture.${key}`)))));
  } else if (!classroom.picture_password) {
    pictures = h("p", { class: "card-note" }, t("teacher.cards.by_name"));
  } else {
    pictures = h("p", { class: "card-note" }, t(card.has_picture_password ? "teacher.cards.kept" : "teacher.cards.none"));
  }
  return h("article", { class: "sign-in-card", "data-student": card.person_id },
    h("h2", {}, card.display_name),
    h("p", { class: "card-class" }, classroom.name),
    pictures,
    address
      ? h("div", { class: "card-address" },
        h("img", { src: address.qr, alt: t("teacher.cards.qr_alt", { url: address.url }), class: "qr", width: 96, height: 96 }),
        h("p", {}, address.url))
      : null);
}
