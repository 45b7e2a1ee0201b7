#!/usr/bin/env python3
"""Make the sample pack's audio, video and captions (run once; the results are committed).

    python3 server/content/sample/build_media.py      # then build_pack.py

Needs espeak-ng (speech), ffmpeg with libopus and libvpx, and rsvg-convert
(Debian: ``apt-get install espeak-ng ffmpeg librsvg2-bin``). None of them is
needed to serve, import or test the pack: this script writes the files into
``assets/`` under their SHA-256 and lists them in ``media.json``, which
``build_pack.py`` (standard library only) reads. Everything is our own: the
voice is espeak-ng's synthesiser, the drum is a decaying sine wave, the video
frames are drawn here as SVG.

The output is as reproducible as the tools allow (ffmpeg's bit-exact flags, no
random stream ids); another version of espeak-ng or libopus may give other
bytes, hence other names, which is harmless.
"""

# ruff: noqa: E501  (SVG lines are kept whole)

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
ASSET_DIR = os.path.join(HERE, "assets")
MEDIA_INDEX = os.path.join(HERE, "media.json")
MEDIA_EXTENSIONS = (".ogg", ".webm", ".vtt")

VOICES = {"en": "en-us", "fr": "fr-fr"}
SPEED = 125  # words per minute: slow, for young listeners
BITEXACT = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]
OPUS = ["-c:a", "libopus", "-b:a", "14k", "-application", "voip", "-ac", "1", "-ar", "16000"]

# ---------------------------------------------------------------- what to make

#: Read-aloud audio of two reading activities: the text is the activity's own.
READ_ALOUD = {
    "read-aloud-river-en": (
        "en",
        "Dad has a boat. The boat is on the river. Ama sits in the boat with Dad. "
        "Ama can see a big fish. The fish is in the net! "
        "We can eat fish for dinner, says Dad. Ama is happy.",
    ),
    "read-aloud-ballon-fr": (
        "fr",
        "Sali a un ballon. Le ballon est rond. Sali tape dans le ballon. Le ballon file ! "
        "Oh non ! Le ballon est dans l'arbre. Papi prend un bâton. Hop ! Le ballon tombe. "
        "Sali rit.",
    ),
}

#: Listening activities: words, then drum beats to count, then words.
DRUM_LISTENING = {
    "drum-count-en": ("en", "Listen to Kofi's drum. Count every beat.", 6, "How many beats did you hear?"),
    "drum-count-fr": ("fr", "Écoute le tambour d'Awa. Compte chaque coup.", 7, "Combien de coups as-tu entendus ?"),
}

#: The addition video: (what the frame shows, what is said and captioned).
#: A frame state is (mangoes Ama has, mangoes Kofi gives, how many are numbered, sum shown).
VIDEO_SCRIPT = {
    "mangoes-video-en": (
        "en",
        [
            ((3, 0, 0, False), "Ama has three mangoes."),
            ((3, 2, 0, False), "Kofi gives her two more."),
            ((3, 2, 0, False), "Let us count them all."),
            ((3, 2, 1, False), "One,"),
            ((3, 2, 2, False), "two,"),
            ((3, 2, 3, False), "three,"),
            ((3, 2, 4, False), "four,"),
            ((3, 2, 5, False), "five!"),
            ((3, 2, 5, True), "Three and two make five."),
        ],
    ),
    "mangoes-video-fr": (
        "fr",
        [
            ((3, 0, 0, False), "Ama a trois mangues."),
            ((3, 2, 0, False), "Kofi lui en donne deux de plus."),
            ((3, 2, 0, False), "Comptons-les toutes."),
            ((3, 2, 1, False), "Un,"),
            ((3, 2, 2, False), "deux,"),
            ((3, 2, 3, False), "trois,"),
            ((3, 2, 4, False), "quatre,"),
            ((3, 2, 5, False), "cinq !"),
            ((3, 2, 5, True), "Trois et deux, ça fait cinq."),
        ],
    ),
}

MANGO = '<g transform="translate({x} 78)"><ellipse rx="17" ry="23" transform="rotate(-25)" fill="{fill}" stroke="#c46d12" stroke-width="3"/><path d="M5-21q13-13 22-1q-12 7-22 1z" fill="#4c9a3b"/></g>'
LABEL = '<circle cx="{x}" cy="130" r="13" fill="#1d4e89"/><text x="{x}" y="136" font-family="sans-serif" font-size="17" font-weight="bold" fill="#fff" text-anchor="middle">{n}</text>'


def frame_svg(have: int, given: int, numbered: int, show_sum: bool) -> str:
    """One video frame: Ama's mangoes (orange), Kofi's (yellow), numbers, the sum."""
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180" viewBox="0 0 320 180">',
             '<rect width="320" height="180" fill="#fff7e6"/>',
             '<rect x="20" y="100" width="280" height="14" rx="5" fill="#d9a066"/>']
    for index in range(have + given):
        x = 52 + index * 54
        parts.append(MANGO.format(x=x, fill="#f6a623" if index < have else "#f7d038"))
        if index < numbered:
            parts.append(LABEL.format(x=x, n=index + 1))
    if show_sum:
        parts.append(f'<text x="160" y="168" font-family="sans-serif" font-size="26" font-weight="bold" fill="#5a3215" text-anchor="middle">{have} + {given} = {have + given}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


# ---------------------------------------------------------------- tools


def run(*args: str) -> None:
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def speak(lang: str, words: str, out: str) -> float:
    """Synthesise ``words`` to a WAV file; return its duration in seconds."""
    run("espeak-ng", "-v", VOICES[lang], "-s", str(SPEED), "-g", "4", "-w", out, words)
    with wave.open(out) as w:
        return w.getnframes() / w.getframerate()


def drum(beats: int, out: str) -> None:
    """``beats`` soft drum strokes, 0.7 s apart: a low decaying sine, our own sound."""
    end = round(beats * 0.7, 2)
    expr = f"0.9*sin(2*PI*85*t)*exp(-9*mod(t,0.7))*lt(t,{end})"
    run("ffmpeg", "-y", "-f", "lavfi", "-i", f"aevalsrc='{expr}':s=16000:d={end + 0.3:.2f}", out)


def concat_audio(parts: list[str], out: str) -> None:
    """Join WAV files and encode them as Ogg Opus (small, and Chromium plays it)."""
    inputs = [arg for p in parts for arg in ("-i", p)]
    streams = "".join(f"[{i}:a]aresample=16000,aformat=channel_layouts=mono[a{i}];" for i in range(len(parts)))
    joined = "".join(f"[a{i}]" for i in range(len(parts)))
    graph = f"{streams}{joined}concat=n={len(parts)}:v=0:a=1[out]"
    run("ffmpeg", "-y", *inputs, "-filter_complex", graph, "-map", "[out]", *OPUS, *BITEXACT, out)


def timestamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def make_video(lang: str, script: list, work: str, out_video: str, out_vtt: str) -> None:
    """Render each frame, speak its line, and mux VP9 + Opus; write the WebVTT captions."""
    listing, wavs, cues, start = [], [], ["WEBVTT", ""], 0.0
    for index, (state, line) in enumerate(script):
        svg = os.path.join(work, f"f{index}.svg")
        png = os.path.join(work, f"f{index}.png")
        wav = os.path.join(work, f"s{index}.wav")
        with open(svg, "w", encoding="utf-8") as f:
            f.write(frame_svg(*state))
        run("rsvg-convert", "-o", png, svg)
        duration = speak(lang, line, wav) + 0.25
        pad = os.path.join(work, f"p{index}.wav")
        run("ffmpeg", "-y", "-i", wav, "-af", "apad=pad_dur=0.25", pad)
        wavs.append(pad)
        listing += [f"file '{png}'", f"duration {duration:.3f}"]
        cues += [f"{index + 1}", f"{timestamp(start)} --> {timestamp(start + duration)}", line, ""]
        start += duration
    listing.append(f"file '{png}'")  # the concat demuxer needs the last frame twice
    frames = os.path.join(work, "frames.txt")
    with open(frames, "w", encoding="utf-8") as f:
        f.write("\n".join(listing) + "\n")
    audio = os.path.join(work, "speech.ogg")
    concat_audio(wavs, audio)
    run("ffmpeg", "-y", "-f", "concat", "-safe", "0", "-i", frames, "-i", audio,
        "-vf", "fps=10,format=yuv420p", "-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "45",
        "-row-mt", "0", "-threads", "1", "-g", "300", "-c:a", "copy", "-shortest",
        *BITEXACT, out_video)  # fmt: skip
    with open(out_vtt, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(cues))


def store(path: str, media_type: str, ext: str) -> dict:
    """Move a made file into assets/ under its digest; return its manifest entry."""
    with open(path, "rb") as f:
        data = f.read()
    sha = hashlib.sha256(data).hexdigest()
    shutil.copyfile(path, os.path.join(ASSET_DIR, sha + ext))
    return {"path": f"assets/{sha}{ext}", "sha256": sha, "media_type": media_type, "bytes": len(data)}


def build() -> dict:
    """Make every media file; write media.json; return it."""
    os.makedirs(ASSET_DIR, exist_ok=True)
    index = {}
    with tempfile.TemporaryDirectory() as work:
        for name, (lang, words) in READ_ALOUD.items():
            wav = os.path.join(work, name + ".wav")
            speak(lang, words, wav)
            out = os.path.join(work, name + ".ogg")
            concat_audio([wav], out)
            index[name] = store(out, "audio/ogg", ".ogg")
        for name, (lang, before, beats, after) in DRUM_LISTENING.items():
            parts = [os.path.join(work, f"{name}-{p}.wav") for p in ("a", "b", "c")]
            speak(lang, before, parts[0])
            drum(beats, parts[1])
            speak(lang, after, parts[2])
            out = os.path.join(work, name + ".ogg")
            concat_audio(parts, out)
            index[name] = store(out, "audio/ogg", ".ogg")
        for name, (lang, script) in VIDEO_SCRIPT.items():
            video, vtt = os.path.join(work, name + ".webm"), os.path.join(work, name + ".vtt")
            make_video(lang, script, work, video, vtt)
            index[name] = store(video, "video/webm", ".webm")
            index[name + "-captions"] = store(vtt, "text/vtt", ".vtt")
    keep = {os.path.basename(e["path"]) for e in index.values()}
    for fn in os.listdir(ASSET_DIR):
        if fn.endswith(MEDIA_EXTENSIONS) and fn not in keep:
            os.remove(os.path.join(ASSET_DIR, fn))
    with open(MEDIA_INDEX, "w", encoding="utf-8", newline="\n") as f:
        json.dump(index, f, indent=1, sort_keys=True)
        f.write("\n")
    return index


if __name__ == "__main__":
    made = build()
    total = sum(e["bytes"] for e in made.values())
    print(f"wrote {len(made)} media files, {total} bytes; now run build_pack.py")
