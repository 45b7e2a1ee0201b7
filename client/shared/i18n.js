// Interface strings from JSON catalogs in /client/i18n/ (a school adds a language by
// adding CODE.json and a line in index.json). Missing keys fall back to English.
// The staff apps' strings (teacher, device, admin: keys teacher.*, device.*, admin.*) are
// in /client/i18n/staff/CODE.json, loaded only by those apps (useStaffStrings), so a
// student's tablet never downloads them.

let languages = [];
let english = {};
let catalog = {};
let current = "en";
let staff = false;

/** The teacher, device and admin apps: load the staff strings with each language. */
export function useStaffStrings() {
  staff = true;
}

/** A language's catalog: the shared strings, and the staff strings where this app uses them. */
async function catalogOf(code) {
  const shared = await fetchJson(`/client/i18n/${code}.json`);
  if (!staff) return shared;
  const extra = await fetchJson(`/client/i18n/staff/${code}.json`).catch(() => ({}));
  return { ...shared, ...extra };
}

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** The languages a school offers: [{code, name, dir}]. */
export async function loadLanguages() {
  if (!languages.length) languages = (await fetchJson("/client/i18n/index.json")).languages;
  return languages;
}

/** Switch the interface language: catalog, <html lang>, and direction (rtl/ltr). */
export async function setLanguage(code) {
  await loadLanguages();
  const language = languages.find((l) => l.code === code) || languages[0];
  if (!Object.keys(english).length) english = await catalogOf("en");
  catalog = language.code === "en" ? english : await catalogOf(language.code);
  current = language.code;
  document.documentElement.lang = language.code;
  document.documentElement.dir = language.dir || "ltr";
  localStorage.setItem("baobab.language", language.code);
  return language.code;
}

/** The interface language chosen on this device (or the browser's, or English). */
export function preferredLanguage() {
  return localStorage.getItem("baobab.language") || (navigator.language || "en").slice(0, 2);
}

export const language = () => current;

/** Text of a multilingual {lang: text} value in the current language. */
export function pick(value) {
  if (value == null || typeof value !== "object") return value ?? "";
  return value[current] ?? value.en ?? Object.values(value)[0] ?? "";
}

/** The string for key with {params} filled in (params may be {lang: text}). */
export function t(key, params = {}) {
  const text = catalog[key] ?? english[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (all, name) => (name in params ? pick(params[name]) : all));
}

/** The page's [data-i18n] words, title and language menu (after setLanguage; a choice redraws). */
export function translatePage(title, redraw) {
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  document.title = t(title);
  const menu = document.getElementById("language");
  if (!menu.options.length) {
    menu.append(...languages.map((l) => Object.assign(new Option(l.name, l.code), { lang: l.code })));
    menu.onchange = () => setLanguage(menu.value).then(redraw);
  }
  menu.value = current;
}
