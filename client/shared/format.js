// Numbers, dates and durations for people to read, the way their language writes
// them. locale: a BCP 47 tag (document.documentElement.lang), or undefined for the
// browser's own.

/** A count with its language's grouping (60,000); nothing counts as 0. */
export function number(n, locale) {
  return Number(n || 0).toLocaleString(locale);
}

/**
 * A moment as local date and time. value: ms since 1970 (times made on a device) or the
 * node's ISO text, where a time without a zone is UTC (the API gives naive UTC times).
 */
export function dateTime(value, locale, options) {
  const zoned = typeof value === "number" || /[zZ]|[+-]\d\d:?\d\d$/.test(value);
  return new Date(zoned ? value : `${value}Z`).toLocaleString(locale, options);
}

/**
 * A calendar day the node gives as "2026-12-05", as the language writes it ("Dec 5, 2026"),
 * or in the parts options name ({ weekday: "short", month: "short", day: "numeric" }).
 */
export function day(iso, locale, options = { dateStyle: "medium" }) {
  const [y, m, d] = String(iso).split("-").map(Number);
  if (!y || !m || !d) return String(iso);
  // At noon UTC, read in UTC: the same day in every time zone.
  return new Date(Date.UTC(y, m - 1, d, 12)).toLocaleDateString(locale, { ...options, timeZone: "UTC" });
}

/** A duration in seconds, to a tenth: "3.4 s". */
export function seconds(s) {
  return `${Number(s).toFixed(1)} s`;
}

/**
 * Words typed in one box (interests, what motivates a child): split at commas (Arabic's
 * too) and lines, trimmed, no empty or repeated ones, as many and as long as the node keeps.
 */
export function wordList(text, most = 20, longest = 60) {
  const seen = new Set();
  return text.split(/[,،\n]/).map((s) => s.trim().slice(0, longest))
    .filter((s) => s && !seen.has(s.toLowerCase()) && seen.add(s.toLowerCase()))
    .slice(0, most);
}

/** A language's name in the reader's language ("fr" read in English: "French"), or its code. */
export function languageName(code, locale) {
  try {
    return new Intl.DisplayNames(locale, { type: "language" }).of(code) || code;
  } catch {
    return code; // not a language tag the browser knows
  }
}
