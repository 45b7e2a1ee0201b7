// Read aloud, for children who cannot read the screen yet: a button beside every
// instruction, question and choice plays it with one tap. It plays the pack's own
// recording where the pack has one (an activity's body.voice, docs/content-pack.md),
// else the device's speech synthesis in the text's language, where the device has a
// voice for it; where it has none, the button says so (and stays, disabled).
// With the read-aloud accommodation (session: accommodations.read_aloud), each new
// question is also read out when it appears.

import { h } from "../shared/dom.js";
import { language, t } from "../shared/i18n.js";
import { session } from "../shared/session.js";

let player = null; // one <audio> for every recording, so one voice speaks at a time

/** Whether the read-aloud accommodation is on for the signed-in student. */
export function readAloudOn() {
  const me = session.me || {};
  return Boolean(me.accommodations?.read_aloud ?? session.accommodations?.read_aloud);
}

/** The device's voice for a language ("fr", "fr-FR"), or null where it has none. */
function voiceFor(lang) {
  const synth = globalThis.speechSynthesis;
  if (!synth || typeof SpeechSynthesisUtterance === "undefined") return null;
  const base = (lang || "en").toLowerCase().split("-")[0];
  const voices = synth.getVoices() || [];
  return voices.find((v) => (v.lang || "").toLowerCase().replace("_", "-").split("-")[0] === base) || null;
}

/** Stop whatever is being read. */
export function hush() {
  player?.pause();
  globalThis.speechSynthesis?.cancel?.();
}

/** Read text (in lang) aloud: the recording at audioUrl if given, else the device's voice. True if it could. */
export function say(text, lang, audioUrl) {
  hush();
  if (audioUrl) {
    player ??= document.body.appendChild(h("audio", { id: "voice", preload: "none", hidden: true }));
    player.src = audioUrl;
    player.play()?.catch?.(() => {});
    return true;
  }
  const voice = voiceFor(lang);
  if (!voice || !text) return false;
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = voice.lang || lang;
  try {
    utterance.voice = voice; // the device's own voice object
  } catch {
    // not a SpeechSynthesisVoice (a stand-in): the language alone chooses the voice
  }
  globalThis.speechSynthesis.speak(utterance);
  return true;
}

/**
 * A "listen" button for a text. text: a string or a function giving it at tap time;
 * lang: its language (default: the interface's); audioUrl: the pack's recording, if any.
 */
export function listenButton(text, { lang, audioUrl, label } = {}) {
  const spoken = () => (typeof text === "function" ? text() : text);
  const button = h("button", { type: "button", class: "say", "data-say": audioUrl ? "recording" : "voice" });
  const textLang = lang || language();
  const update = () => {
    const can = Boolean(audioUrl) || Boolean(voiceFor(textLang));
    const name = can ? label || t("say.listen") : t("say.no_voice");
    button.setAttribute("aria-label", name);
    button.title = name;
    button.disabled = !can;
    button.replaceChildren(h("span", { class: can ? "icon icon-listen" : "icon icon-mute", "aria-hidden": "true" }));
    button.dataset.can = String(can);
  };
  update();
  // Voices load after the page: say what this device can once they are known.
  globalThis.speechSynthesis?.addEventListener?.("voiceschanged", update);
  button.addEventListener("click", (event) => {
    event.preventDefault();
    event.stopPropagation();
    say(spoken(), textLang, audioUrl);
  });
  return button;
}
