// A tiny element builder: h("button", {class: "big", onclick}, "Go"). No framework:
// the app is a few screens, and plain DOM keeps the first load small.

/** Make an element with attributes, event handlers (on…) and children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value == null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const SVG = "http://www.w3.org/2000/svg";

/** One of the twelve sign-in pictures, decorative (the button around it has the label). */
export function picture(name) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "picture");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const use = document.createElementNS(SVG, "use");
  use.setAttribute("href", `/static/img/pictures.svg#${name}`);
  svg.append(use);
  return svg;
}

/** Stars a child can read: n of three filled, with a spoken label. */
export function stars(n, label) {
  const star = (on) => h("span", { class: on ? "icon icon-star" : "icon icon-star-off" });
  return h("span", { class: "stars", role: "img", "aria-label": label, "data-stars": n },
    [0, 1, 2].map((i) => star(i < n)));
}

/** Replace the view and move focus to its heading, for screen readers and keyboards. */
export function show(view, ...children) {
  view.replaceChildren(...children.flat().filter((c) => c != null && c !== false));
  const heading = view.querySelector("h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}
