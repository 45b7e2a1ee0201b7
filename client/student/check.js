// Checking an answer on the tablet when the node cannot be reached. The node sends
// students no answer keys; for offline use each item carries a `check`: salted
// SHA-256 hashes of the accepted answers in the node's own normal form
// (server/services/offline_check.py). The tablet hashes the student's answer the same
// way and compares. The node grades the answer again when it arrives: its grade is
// the record; this only gives the child feedback at once.

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** SHA-256 of a string's UTF-8 bytes, in hex (crypto.subtle exists only on https). */
export function sha256Hex(text) {
  const bytes = new TextEncoder().encode(text);
  const words = new Uint32Array((((bytes.length + 9 + 63) >> 6) << 4));
  bytes.forEach((b, i) => { words[i >> 2] |= b << (24 - (i % 4) * 8); });
  words[bytes.length >> 2] |= 0x80 << (24 - (bytes.length % 4) * 8);
  words[words.length - 1] = bytes.length * 8; // messages here are far below 512 MB
  const hash = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let block = 0; block < words.length; block += 16) {
    for (let t = 0; t < 64; t++) {
      if (t < 16) w[t] = words[block + t];
      else {
        const s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >>> 3);
        const s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >>> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
      }
    }
    let [a, b, c, d, e, f, g, h] = hash;
    for (let t = 0; t < 64; t++) {
      const t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
      const t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      [h, g, f, e, d, c, b, a] = [g, f, e, (d + t1) >>> 0, c, b, a, (t1 + t2) >>> 0];
    }
    [a, b, c, d, e, f, g, h].forEach((v, i) => { hash[i] += v; });
  }
  return [...hash].map((v) => v.toString(16).padStart(8, "0")).join("");
}

// Python's str.split() splits on exactly these (server/services/learning.py).
const SPACES = /[\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/u;
// Python's str.casefold(), one character at a time (it has no context): lower, upper,
// lower again catches ß, ẞ, ligatures and the like; Cherokee folds to its capitals; the
// dotless ı stays. A test compares this with Python on every assigned code point.
const CHEROKEE = /[\u13a0-\u13f5\u13f8-\u13fd\uab70-\uabbf]/u;

function fold(text) {
  let out = "";
  for (const ch of text) {
    if (ch === "ı") out += ch;
    else if (CHEROKEE.test(ch)) out += ch.toUpperCase();
    else out += ch.toLowerCase().toUpperCase().toLowerCase();
  }
  return out;
}

/** The node's normal form of a short text answer: NFC, case folded, spaces collapsed. */
export function normaliseText(text) {
  return fold(text.normalize("NFC")).split(SPACES).filter(Boolean).join(" ");
}

const salted = (itemId, form) => sha256Hex(`${itemId}\n${form}`);

/** Whether a response is right by the item's offline check, or null when it cannot tell. */
export function checkOffline(item, response) {
  const check = item.check;
  if (!check || response === null || response === undefined) return null;
  if (item.type === "choice") return Number.isInteger(response) && check.hashes.includes(salted(item.id, String(response)));
  if (item.type === "text") {
    if (typeof response !== "string" || response.length > 1000) return null;
    return check.hashes.includes(salted(item.id, normaliseText(response)));
  }
  if (item.type !== "numeric" || typeof response !== "number" || !Number.isFinite(response)) return null;
  if (check.hashes) {
    // The key is an exact number of `decimals` places: the nearest such number is the
    // only candidate, and it counts as the node counts it (within 1e-9).
    const scale = 10 ** check.decimals;
    const n = Math.round(response * scale);
    return Math.abs(response - n / scale) <= 1e-9 && check.hashes.includes(salted(item.id, String(n)));
  }
  return Math.abs(response - check.answer) <= (check.tolerance || 0) + 1e-9;
}
