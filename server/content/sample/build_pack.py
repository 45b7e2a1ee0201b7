#!/usr/bin/env python3
"""Build the Baobab sample content pack ("baobab-pack/1").

Everything in the pack (skills, activities, items and the SVG illustrations)
is defined in this file; the audio, video and captions are made by
``build_media.py`` (espeak-ng, ffmpeg), committed, and listed in ``media.json``.
Running this script rewrites ``manifest.json`` and the content-addressed SVG
files in ``assets/`` next to it:

    python3 server/content/sample/build_media.py   # only when the media change
    python3 server/content/sample/build_pack.py

Standard library only. The output is deterministic: running the script twice
gives byte-identical files.
"""

# ruff: noqa: E501  (the SVG source lines are kept verbatim)

import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
ASSET_DIR = os.path.join(HERE, "assets")

# ---------------------------------------------------------------------------
# Illustrations (original, simple SVG; each must stay under 2 KB)
# ---------------------------------------------------------------------------

SVGS = {
    "goats": """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 300 110" width="300" height="110" role="img">
<title>Five goats</title>
<defs>
<g id="goat" stroke="#5b4636" stroke-width="3" stroke-linecap="round">
<path d="M18 44v20M26 46v18M38 46v18M46 44v20M12 34l-6-7M50 20l-5-10M55 19l2-10" fill="none"/>
<ellipse cx="32" cy="38" rx="22" ry="11" fill="#d9b48f"/>
<ellipse cx="55" cy="25" rx="8" ry="7" fill="#d9b48f"/>
<path d="M58 31l1 7" fill="none"/>
<circle cx="57" cy="23" r="1.5" fill="#222" stroke="none"/>
</g>
</defs>
<rect width="300" height="110" fill="#eef7e4"/>
<path d="M0 96h300" stroke="#8bbf6a" stroke-width="6"/>
<use xlink:href="#goat" x="2" y="28"/>
<use xlink:href="#goat" x="60" y="22"/>
<use xlink:href="#goat" x="118" y="30"/>
<use xlink:href="#goat" x="176" y="24"/>
<use xlink:href="#goat" x="234" y="29"/>
</svg>
""",
    "mangoes": """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 320 100" width="320" height="100" role="img">
<title>Three mangoes and five mangoes</title>
<defs>
<g id="mango">
<ellipse rx="11" ry="15" transform="rotate(-25)" fill="#f6a623" stroke="#c46d12" stroke-width="2"/>
<path d="M3-14q9-9 15-1q-8 5-15 1z" fill="#4c9a3b"/>
</g>
</defs>
<rect width="320" height="100" fill="#fff7e6"/>
<rect x="10" y="62" width="115" height="14" rx="4" fill="#d9a066"/>
<rect x="150" y="62" width="160" height="14" rx="4" fill="#d9a066"/>
<use xlink:href="#mango" x="35" y="46"/>
<use xlink:href="#mango" x="67" y="46"/>
<use xlink:href="#mango" x="99" y="46"/>
<use xlink:href="#mango" x="170" y="46"/>
<use xlink:href="#mango" x="202" y="46"/>
<use xlink:href="#mango" x="234" y="46"/>
<use xlink:href="#mango" x="266" y="46"/>
<use xlink:href="#mango" x="298" y="46"/>
</svg>
""",
    "drum": """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 160" width="120" height="160" role="img">
<title>A djembe drum</title>
<path d="M18 30Q18 72 44 88L38 150H82L76 88Q102 72 102 30Z" fill="#a0522d" stroke="#5a3215" stroke-width="3" stroke-linejoin="round"/>
<path d="M22 36L38 80L49 36L60 80L71 36L82 80L98 36" fill="none" stroke="#f2dfb8" stroke-width="2.5" stroke-linejoin="round"/>
<rect x="37" y="140" width="46" height="10" fill="#5a3215"/>
<ellipse cx="60" cy="30" rx="42" ry="11" fill="#f2dfb8" stroke="#5a3215" stroke-width="3"/>
</svg>
""",
    "football": """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 122" width="120" height="122" role="img">
<title>A football</title>
<ellipse cx="60" cy="116" rx="38" ry="4" fill="#cfd8c4"/>
<circle cx="60" cy="60" r="50" fill="#fff" stroke="#222" stroke-width="3"/>
<path d="M60 44V10M75.2 55.1L107.6 44.5M69.4 72.9L89.4 100.5M50.6 72.9L30.6 100.5M44.8 55.1L12.4 44.5" stroke="#222" stroke-width="3"/>
<path d="M60 44L75.2 55.1L69.4 72.9L50.6 72.9L44.8 55.1Z" fill="#222"/>
</svg>
""",
    "letters": """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 100" width="240" height="100" role="img">
<title>Letter tiles: a, m, s</title>
<g fill="#fde9b7" stroke="#b5832a" stroke-width="3">
<rect x="10" y="15" width="66" height="70" rx="10"/>
<rect x="87" y="15" width="66" height="70" rx="10"/>
<rect x="164" y="15" width="66" height="70" rx="10"/>
</g>
<g font-family="Andika, sans-serif" font-size="52" text-anchor="middle">
<text x="43" y="67" fill="#c0392b">a</text>
<text x="120" y="67" fill="#1d4e89">m</text>
<text x="197" y="67" fill="#2e7d32">s</text>
</g>
</svg>
""",
    "river": """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 140" width="300" height="140" role="img">
<title>A boat on the river</title>
<rect width="300" height="140" fill="#dff1fb"/>
<circle cx="250" cy="30" r="16" fill="#ffcc33"/>
<path d="M0 70Q150 58 300 70V140H0Z" fill="#3a8fc9"/>
<path d="M20 110q10-6 20 0M200 120q10-6 20 0M120 130q10-6 20 0" stroke="#bfe3f7" stroke-width="3" fill="none"/>
<path d="M132 62L156 112" stroke="#5a3a1a" stroke-width="4" stroke-linecap="round"/>
<circle cx="120" cy="48" r="8" fill="#7a4a2a"/>
<rect x="112" y="56" width="16" height="26" rx="3" fill="#e07b39"/>
<circle cx="168" cy="62" r="6" fill="#7a4a2a"/>
<rect x="162" y="68" width="12" height="14" rx="3" fill="#6a4c9c"/>
<path d="M70 82H230L215 100H85Z" fill="#8b5a2b" stroke="#5a3a1a" stroke-width="3" stroke-linejoin="round"/>
<ellipse cx="250" cy="96" rx="10" ry="5" fill="#f2a33a"/>
<path d="M259 96l9-6v12z" fill="#f2a33a"/>
</svg>
""",
}


def img(name):
    """Placeholder for an illustration; resolved to its asset path at build time."""
    return "@" + name


# ---------------------------------------------------------------------------
# Item helpers
# ---------------------------------------------------------------------------


def choice(id_, prompt, choices, answer, hints):
    assert 2 <= len(choices) <= 4 and 0 <= answer < len(choices), id_
    return {"id": id_, "type": "choice", "prompt": prompt, "choices": choices,
            "answer": answer, "hints": hints}


def numeric(id_, prompt, answer, hints):
    return {"id": id_, "type": "numeric", "prompt": prompt, "answer": answer,
            "hints": hints}


def text(id_, prompt, answers, hints):
    """Text item; adds lower-case, capitalised and apostrophe variants."""
    out = []
    for a in answers:
        for v in (a, a.lower(), a[:1].upper() + a[1:]):
            for w in (v, v.replace("'", "\u2019")):
                if w not in out:
                    out.append(w)
    return {"id": id_, "type": "text", "prompt": prompt, "answer": out,
            "hints": hints}


STAR = "\u2605"


def row(n, sym="\u25cf"):
    """n counting symbols separated by spaces, e.g. '● ● ●'."""
    return " ".join([sym] * n)


def count(id_, prompt, n, hints, sym="\u25cf"):
    """Numeric 'how many?' item; the answer is the number of symbols shown."""
    return numeric(id_, prompt.format(row(n, sym)), n, hints)


def add(id_, prompt, a, b, hints):
    """Numeric addition item; prompt may use {a} and {b}; answer is a + b."""
    assert a + b <= 10, id_
    return numeric(id_, prompt.format(a=a, b=b), a + b, hints)


def bigger(id_, prompt, a, b, hints):
    return numeric(id_, prompt.format(a=a, b=b), max(a, b), hints)


def smaller(id_, prompt, a, b, hints):
    return numeric(id_, prompt.format(a=a, b=b), min(a, b), hints)


def media(name):
    """Placeholder for a file made by build_media.py (listed in media.json)."""
    return "@" + name


def act(id_, kind, lang, title, skills, difficulty, minutes, modality,
        interests, culture, body_text, items=(), image=None, mastery=None,
        audio=None, video=None, captions=None, voice=None):
    body = {"text": body_text}
    for field, ref in (("image", image), ("audio", audio), ("video", video),
                       ("captions", captions), ("voice", voice)):
        if ref:
            body[field] = ref
    if mastery:
        m, n = mastery
        body["mastery"] = {"rule": "m_of_n", "m": m, "n": n}
    return {"id": id_, "kind": kind, "language": lang, "title": title,
            "skills": list(skills), "difficulty": difficulty,
            "minutes": minutes, "modality": modality,
            "interests": list(interests), "culture": list(culture),
            "body": body, "items": list(items)}


# ---------------------------------------------------------------------------
# Pack metadata and skills
# ---------------------------------------------------------------------------

PACK = {
    "format": "baobab-pack/1",
    "id": "baobab-sample",
    "version": "1.0.0",
    "title": {
        "en": "Baobab sample pack: first numbers and first reading",
        "fr": "Pack d'exemple Baobab : premiers nombres et premières lectures",
    },
    "description": {
        "en": ("A small bilingual starter pack for the early years: counting, "
               "comparing and adding within 10, letter sounds, blending short "
               "words and reading simple sentences. The stories take place in "
               "West and East African villages, markets and rivers, and in "
               "everyday places anywhere."),
        "fr": ("Un petit pack bilingue pour les premières années d'école : "
               "compter, comparer et additionner jusqu'à 10, le son des "
               "lettres, lire des syllabes et des mots courts, puis des "
               "phrases simples. Les histoires se passent dans des villages, "
               "des marchés et au bord des fleuves d'Afrique de l'Ouest et de "
               "l'Est, mais aussi dans la vie de tous les jours."),
    },
    "license": "CC-BY-4.0",
    "languages": ["en", "fr"],
}

SKILLS = [
    {"id": "count-to-10",
     "title": {"en": "Count to 10", "fr": "Compter jusqu'à 10"},
     "description": {
         "en": ("Say the numbers from 1 to 10 in order and count up to 10 "
                "objects, saying one number for each object."),
         "fr": ("Dire les nombres de 1 à 10 dans l'ordre et compter jusqu'à "
                "10 objets, en disant un nombre pour chaque objet.")},
     "standard": "CCSS.MATH.CONTENT.K.CC.B.5",
     "case_uri": None,
     "prerequisites": [],
     "bkt": {"prior": 0.3, "learn": 0.2, "guess": 0.2, "slip": 0.1}},
    {"id": "compare-numbers",
     "title": {"en": "Compare numbers", "fr": "Comparer des nombres"},
     "description": {
         "en": ("Tell whether a group has more, fewer or the same number of "
                "objects as another group, and which of two numbers up to 10 "
                "is bigger."),
         "fr": ("Dire si un groupe a plus, moins ou autant d'objets qu'un "
                "autre groupe, et quel est le plus grand de deux nombres "
                "jusqu'à 10.")},
     "standard": "CCSS.MATH.CONTENT.K.CC.C.6",
     "case_uri": None,
     "prerequisites": ["count-to-10"]},
    {"id": "add-within-10",
     "title": {"en": "Add within 10", "fr": "Additionner jusqu'à 10"},
     "description": {
         "en": ("Put two small groups together and find how many there are "
                "in all, with totals up to 10."),
         "fr": ("Réunir deux petits groupes et trouver combien il y en a en "
                "tout, avec des totaux jusqu'à 10.")},
     "standard": "CCSS.MATH.CONTENT.K.OA.A.2",
     "case_uri": None,
     "prerequisites": ["compare-numbers"],
     "bkt": {"prior": 0.1, "learn": 0.15, "guess": 0.15, "slip": 0.1}},
    {"id": "letter-sounds",
     "title": {"en": "Letter sounds", "fr": "Le son des lettres"},
     "description": {
         "en": ("Say the main sound a letter makes, such as /s/ for s and "
                "/m/ for m, and hear that sound at the start of words."),
         "fr": ("Dire le son principal d'une lettre, par exemple [sss] pour "
                "s et [mmm] pour m, et l'entendre au début des mots.")},
     "standard": "CCSS.ELA-LITERACY.RF.K.3.A",
     "case_uri": None,
     "prerequisites": [],
     "bkt": {"prior": 0.25, "learn": 0.2, "guess": 0.25, "slip": 0.1}},
    {"id": "blend-cvc-words",
     "title": {"en": "Blend sounds into words",
               "fr": "Assembler les sons"},
     "description": {
         "en": ("Blend three sounds together to read short words such as "
                "c-a-t, cat."),
         "fr": ("Faire glisser les sons les uns dans les autres pour lire des "
                "syllabes (m-a, ma) et des mots courts comme s-a-c, sac.")},
     "standard": "CCSS.ELA-LITERACY.RF.1.2.B",
     "case_uri": None,
     "prerequisites": ["letter-sounds"]},
    {"id": "read-simple-sentences",
     "title": {"en": "Read simple sentences",
               "fr": "Lire des phrases simples"},
     "description": {
         "en": ("Read short sentences made of familiar words and say what "
                "they mean."),
         "fr": ("Lire de courtes phrases faites de mots connus et dire ce "
                "qu'elles racontent.")},
     "standard": "CCSS.ELA-LITERACY.RF.K.4",
     "case_uri": None,
     "prerequisites": ["blend-cvc-words"]},
]

# ---------------------------------------------------------------------------
# Activities: English
# ---------------------------------------------------------------------------

NUM = ["count-to-10", "compare-numbers", "add-within-10"]
LIT = ["letter-sounds", "blend-cvc-words", "read-simple-sentences"]

ACTIVITIES_EN = [
    # --- count-to-10 -------------------------------------------------------
    act("count-to-10-read-en", "reading", "en", "Amina counts the goats",
        ["count-to-10"], 1, 5, "read",
        ["animals", "farming", "family"], ["east-africa"],
        "In the evening, Amina waits by the gate. Her goats are coming home "
        "from the hill.\n\n"
        "Here comes the first goat. \"One!\" says Amina. Here comes another "
        "goat. \"Two!\" Then \"Three!\" and \"Four!\"\n\n"
        "One little goat is last. It stops to eat a leaf. \"Come on, little "
        "goat!\" laughs Amina. \"Five!\"\n\n"
        "Amina touches each goat and counts again: one, two, three, four, "
        "five. All her goats are home. Grandma smiles. \"Good counting, "
        "Amina!\"",
        [numeric("q1", "How many goats came home?", 5,
                 ["Count the goats in the picture. Touch each goat once.",
                  "Say one number for each goat, starting with one."]),
         choice("q2", "Which number comes after four?",
                ["three", "five", "two"], 1,
                ["Say the numbers from one: one, two, three, four..."])],
        image=img("goats")),
    act("count-to-10-quiz-en", "quiz", "en", "Counting quiz",
        ["count-to-10"], 1, 5, "do",
        ["food", "market"], ["west-africa"],
        "Count carefully. Touch each thing with your finger as you say a "
        "number.",
        [count("q1", "Mama sells tomatoes at the market. Count her "
                     "tomatoes: {}", 7,
               ["Touch each tomato once as you count.",
                "Start with one and go slowly."]),
         choice("q2", "What number comes after 6?", ["5", "7", "8"], 1,
                ["Count up from 1 and stop when you say 6. What do you say "
                 "next?"]),
         count("q3", "Kwame has a bag of oranges. Count the oranges: {}", 9,
               ["Cover each orange with a finger as you count it.",
                "Check by counting again from the other end."]),
         choice("q4", "Which number is missing? 1, 2, 3, _, 5",
                ["6", "4", "2"], 1,
                ["Say the numbers out loud and listen for the gap."]),
         count("q5", "Count the bananas on the table: {}", 4,
               ["Say one number for each banana."], sym="\u25b2")]),
    act("count-to-10-practice-en", "practice", "en", "Count with me",
        ["count-to-10"], 2, 10, "do",
        ["animals", "space"], ["global"],
        "Let's practise counting. Point to each thing and say one number "
        "for it. Take your time!",
        [count("p1", "Count the stars: {}", 4,
               ["Point to each star as you count."], sym=STAR),
         count("p2", "Count the hens: {}", 6,
               ["Say one number for each hen.",
                "Count again to check."]),
         choice("p3", "What number comes just before 10?", ["8", "9", "7"], 1,
                ["Count up to 10 slowly. Which number do you say just "
                 "before it?"]),
         numeric("p4", "Keep counting: 7, 8, ... What number comes next?", 9,
                 ["Say 7, 8 out loud, then keep going."]),
         count("p5", "Count the birds on the wire: {}", 10,
               ["Touch each bird once.",
                "Counting in a line is easier if you go from left to "
                "right."], sym="\u25b2"),
         choice("p6", "Which list is in the right order?",
                ["1, 2, 4, 3", "1, 2, 3, 4", "2, 1, 3, 4"], 1,
                ["Say the numbers from 1 and check each list."])],
        mastery=(5, 6)),

    # --- compare-numbers ---------------------------------------------------
    act("compare-numbers-read-en", "reading", "en", "Who has more mangoes?",
        ["compare-numbers"], 2, 6, "read",
        ["food", "family"], ["west-africa"],
        "Kofi and his sister Esi pick mangoes under the big tree.\n\n"
        "Kofi puts his mangoes in a row: one, two, three. Esi puts her "
        "mangoes in a row: one, two, three, four, five.\n\n"
        "\"I have more!\" says Esi. Kofi looks at the two rows. Esi's row is "
        "longer. Five is more than three.\n\n"
        "\"Then I will pick two more,\" says Kofi. Now Kofi has five mangoes "
        "too. \"Now we have the same!\" they shout. Then they share the "
        "mangoes with Grandpa.",
        [choice("q1", "Who had more mangoes at first?", ["Kofi", "Esi"], 1,
                ["Count Kofi's mangoes, then count Esi's mangoes.",
                 "Look at the picture: which row is longer?"]),
         numeric("q2", "How many mangoes did Kofi have at the end?", 5,
                 ["Kofi had three mangoes, then he picked two more.",
                  "Start at three and count on."])],
        image=img("mangoes")),
    act("compare-numbers-quiz-en", "quiz", "en", "More or fewer?",
        ["compare-numbers"], 2, 5, "do",
        ["animals", "farming"], ["east-africa"],
        "Look at each question. Which is more? Which is fewer? Or are they "
        "the same?",
        [choice("q1", f"Herd A: {row(4)}\nHerd B: {row(7)}\nWhich herd has more cows?",
                ["Herd A", "Herd B", "They are the same"], 1,
                ["Count each herd and compare the two numbers."]),
         choice("q2", "Which number is bigger: 6 or 9?", ["6", "9"], 1,
                ["Count up from 1. The number you say later is bigger."]),
         numeric("q3", "Juma has 5 chickens. Neema has the same number of "
                       "chickens. How many chickens does Neema have?", 5,
                 ["\"The same number\" means they have just as many."]),
         choice("q4", "Which number is smaller: 8 or 3?", ["8", "3"], 1,
                ["Count up from 1. The number you say first is smaller."]),
         bigger("q5", "Type the bigger number: {a} or {b}", 4, 7,
                ["Show each number on your fingers. Which needs more "
                 "fingers?"])]),
    act("compare-numbers-practice-en", "practice", "en",
        "Bigger, smaller, the same",
        ["compare-numbers"], 3, 10, "do",
        ["sport", "space"], ["global"],
        "Compare the groups and the numbers. You can line things up to see "
        "which group is longer.",
        [choice("p1", "Which is more: 2 balls or 6 balls?",
                ["2 balls", "6 balls"], 1,
                ["Show 2 fingers, then 6 fingers."]),
         choice("p2", f"Team Red: {row(5)}\nTeam Blue: {row(5)}\nCompare the two teams.",
                ["Red has more", "Blue has more", "They are the same"], 2,
                ["Count both teams. Are the numbers different?"]),
         bigger("p3", "Type the bigger number: {a} or {b}", 10, 8,
                ["Which number comes later when you count?"]),
         smaller("p4", "Type the smaller number: {a} or {b}", 3, 5,
                 ["Which number comes first when you count?"]),
         choice("p5", "Which number is between 4 and 6?", ["3", "5", "7"], 1,
                ["Count 4, ..., 6. Which number did you say in the "
                 "middle?"]),
         choice("p6", f"First group: {row(3, STAR)}\nSecond group: "
                      f"{row(8, STAR)}\nWhich group has fewer stars?",
                ["The first group", "The second group"], 0,
                ["Fewer means less. Count both groups."]),
         numeric("p7", "What number is one more than 7?", 8,
                 ["Start at 7 and count one more."])],
        mastery=(5, 7)),

    # --- add-within-10 -----------------------------------------------------
    act("add-within-10-read-en", "reading", "en", "Goals at the football match",
        ["add-within-10"], 3, 6, "read",
        ["sport", "stories"], ["west-africa"],
        "It is Saturday in Accra. The children play football on the dusty "
        "field. Yaw is the goalkeeper for the Lions.\n\n"
        "Before the break, the Stars score two goals. \"Two goals!\" shouts "
        "Abena. After the break, the Stars score three more goals.\n\n"
        "Yaw counts on his fingers: two fingers, then three more fingers. "
        "One, two, three, four, five. Two and three make five.\n\n"
        "\"Five goals!\" says Yaw. \"Next week I will stop them all!\" "
        "Everyone laughs and drinks cold water under the tree.",
        [numeric("q1", "How many goals did the Stars score in all?", 5,
                 ["Find the goals before the break and after the break.",
                  "Put the two groups together on your fingers."]),
         choice("q2", "Which sum tells the story?",
                ["2 + 3", "2 + 2", "3 + 3"], 0,
                ["How many goals came first? How many came after the "
                 "break?"])],
        image=img("football")),
    act("add-within-10-quiz-en", "quiz", "en", "Adding quiz",
        ["add-within-10"], 3, 6, "do",
        ["food", "market"], ["east-africa"],
        "Put the groups together and find how many there are in all. You "
        "can use your fingers or small stones.",
        [add("q1", "Baraka buys {a} bananas and {b} oranges at the market. "
                   "How many fruits does he buy in all?", 4, 2,
             ["Show the bananas on one hand and the oranges on the other.",
              "Start at the bigger number and count on."]),
         choice("q2", "What is 3 + 4?", ["6", "7", "8"], 1,
                ["Start at 4 and count on 3 more."]),
         add("q3", "{a} + {b} = ?", 5, 5,
             ["Show 5 fingers on each hand. Count them all."]),
         choice("q4", "Which sum makes 8?",
                ["4 + 3", "5 + 3", "6 + 1"], 1,
                ["Work out each sum with stones or fingers."]),
         add("q5", "Mama cooks {a} chapatis. Then she cooks {b} more. How "
                   "many chapatis are there now?", 6, 3,
             ["Start at 6 and count on 3 more."])]),
    act("add-within-10-practice-en", "practice", "en", "Adding practice",
        ["add-within-10"], 4, 12, "do",
        ["animals", "water"], ["global"],
        "Let's practise adding. Put the two groups together and count them "
        "all. Stones, seeds or fingers can help.",
        [add("p1", "{a} + {b} = ?", 2, 1,
             ["One more than 2."]),
         add("p2", "{a} + {b} = ?", 3, 3,
             ["Show 3 fingers on each hand."]),
         add("p3", "{a} fish swim in the pond. {b} more fish come. How many "
                   "fish are there now?", 4, 3,
             ["Start at 4 and count on."]),
         choice("p4", "What is 5 + 4?", ["8", "9", "10"], 1,
                ["Start at 5 and count on 4 more."]),
         add("p5", "{a} + {b} = ?", 0, 6,
             ["Adding zero means adding nothing."]),
         add("p6", "{a} + {b} = ?", 7, 3,
             ["Start at 7 and count on 3 more."]),
         choice("p7", "Which sum makes 5?",
                ["2 + 3", "2 + 2", "4 + 2"], 0,
                ["Work out each sum and look for 5."]),
         add("p8", "There are {a} ducks on the water and {b} ducks on the "
                   "grass. How many ducks are there in all?", 2, 6,
             ["Start at the bigger number and count on.",
              "Draw the ducks and count them all."])],
        mastery=(6, 8)),

    # --- letter-sounds -----------------------------------------------------
    act("letter-sounds-read-en", "reading", "en", "The sound game",
        ["letter-sounds"], 1, 5, "listen",
        ["animals", "food"], ["global"],
        "Letters make sounds. Let's play the sound game!\n\n"
        "This is the letter s. It says /sss/, like a snake: sssss. Sun "
        "starts with /s/. Sand starts with /s/.\n\n"
        "This is the letter m. It says /mmm/, like when food is yummy: "
        "mmmm! Mango starts with /m/. Milk starts with /m/.\n\n"
        "This is the letter a. It says /a/, like at the start of ant. Apple "
        "starts with /a/ too.\n\n"
        "Now you try: say /s/, /m/, /a/. Can you find something in the room "
        "that starts with /s/ or /m/?",
        [choice("q1", "Which word starts with the /m/ sound?",
                ["sun", "mango", "ant"], 1,
                ["Say each word slowly. Listen to the very first sound."]),
         text("q2", "Which letter makes the /sss/ sound, like a snake? Type "
                    "the letter.", ["s"],
              ["Look at the letter tiles in the picture.",
               "Think of the first sound in \"sand\"."])],
        image=img("letters")),
    act("letter-sounds-quiz-en", "quiz", "en", "Letter sounds quiz",
        ["letter-sounds"], 1, 5, "do",
        ["food", "animals"], ["east-africa"],
        "Say each sound out loud before you answer.",
        voice={"items": {"q1": {"prompt": "@voice-letter-sounds-q1-en"}}},
        items=[choice("q1", "Which food starts with the /b/ sound?",
                ["beans", "rice", "maize"], 0,
                ["Say each food slowly and listen to the first sound."]),
         text("q2", "Goat starts with which letter? Type the letter.", ["g"],
              ["Say \"goat\" slowly. What is the first sound?"]),
         choice("q3", "Which letter says /d/, like the start of drum?",
                ["b", "d", "p"], 1,
                ["Say /d/ and look carefully: these letters look alike."]),
         text("q4", "Type the letter that makes the first sound in "
                    "\"fish\".", ["f"],
              ["Say \"fish\" very slowly. Stop after the first sound."]),
         choice("q5", "Which word starts with the same sound as \"sun\"?",
                ["sock", "moon", "hat"], 0,
                ["Say \"sun\", then say each word. Which one starts the "
                 "same way?"])]),
    act("letter-sounds-practice-en", "practice", "en", "Sound practice",
        ["letter-sounds"], 2, 10, "do",
        ["animals", "stories"], ["global"],
        "Say each sound out loud. Listen to the first sound of each word.",
        [choice("p1", "Which letter says /m/?", ["n", "m", "w"], 1,
                ["/m/ is the sound you make when food is yummy."]),
         text("p2", "Type the first letter of \"dog\".", ["d"],
              ["Say \"dog\" slowly. What sound comes first?"]),
         choice("p3", "Which word starts with /p/?", ["pig", "big", "dig"], 0,
                ["Put your hand in front of your mouth. /p/ makes a puff "
                 "of air."]),
         text("p4", "Type the first letter of \"hen\".", ["h"],
              ["Say \"hen\" slowly and feel your breath on the first "
               "sound."]),
         choice("p5", "Which two words start with the same sound?",
                ["cat, cup", "cat, dog", "sun, hat"], 0,
                ["Say the first sound of each word in a pair."]),
         text("p6", "Type the letter that makes the /a/ sound at the start "
                    "of \"ant\".", ["a"],
              ["Say \"ant\" slowly. What is the first sound?"])],
        mastery=(5, 6)),

    # --- blend-cvc-words ---------------------------------------------------
    act("blend-cvc-words-read-en", "reading", "en", "Sounds hold hands",
        ["blend-cvc-words"], 2, 6, "read",
        ["animals", "farming"], ["global"],
        "Let's blend sounds to make words. Say each sound, then push them "
        "together, fast.\n\n"
        "s - u - n. Sun! The sun is hot.\n\n"
        "h - e - n. Hen! The hen is on the farm.\n\n"
        "p - i - g. Pig! The pig is in the mud.\n\n"
        "c - a - t. Cat! The cat naps on a mat.\n\n"
        "Now you try: d - o - g. Say the sounds slowly, then fast. What word "
        "is it?",
        [text("q1", "Blend the sounds d - o - g. Type the word.", ["dog"],
              ["Say d - o - g slowly, then say it again faster and "
               "faster."]),
         choice("q2", "Blend h - e - n. Which word is it?",
                ["hen", "hat", "pen"], 0,
                ["Check the first sound, then the middle sound."])]),
    act("blend-cvc-words-quiz-en", "quiz", "en", "Blending quiz",
        ["blend-cvc-words"], 2, 6, "do",
        ["food", "family"], ["global"],
        "Say each sound, then blend the sounds together to read the word.",
        [text("q1", "Blend m - a - p. Type the word.", ["map"],
              ["Say the three sounds, then push them together."]),
         choice("q2", "Which word do the sounds b - u - s make?",
                ["bus", "bat", "sun"], 0,
                ["Listen for the middle sound, /u/."]),
         text("q3", "Blend c - u - p. Type the word.", ["cup"],
              ["Say the sounds slowly, then fast."]),
         choice("q4", "Which word do the sounds j - a - m make?",
                ["jam", "ham", "jet"], 0,
                ["Check the first sound and the middle sound."]),
         text("q5", "Blend p - o - t. Type the word.", ["pot"],
              ["Say each sound, then say them without stopping."])]),
    act("blend-cvc-words-practice-en", "practice", "en", "Blending practice",
        ["blend-cvc-words"], 3, 10, "do",
        ["animals", "sport"], ["global"],
        "Blend the sounds to read each word. Say the sounds slowly, then "
        "fast.",
        [text("p1", "Blend r - u - n. Type the word.", ["run"],
              ["Say the sounds slowly, then faster."]),
         text("p2", "Blend h - o - p. Type the word.", ["hop"],
              ["Stretch the sounds like a rubber band, then let go."]),
         choice("p3", "Which word do the sounds n - e - t make?",
                ["nut", "net", "ten"], 1,
                ["Listen for the middle sound.",
                 "Check which sound comes first."]),
         text("p4", "Blend f - o - x. Type the word.", ["fox"],
              ["Say the sounds slowly, then fast."]),
         choice("p5", "Which sounds make the word \"bat\"?",
                ["b - a - t", "b - i - t", "p - a - t"], 0,
                ["Say \"bat\" slowly and listen to each sound."]),
         text("p6", "Blend w - e - t. Type the word.", ["wet"],
              ["Say each sound, then push them together."]),
         choice("p7", "Change the first sound of \"cat\" to /h/. What word "
                      "do you get?", ["hat", "cot", "hot"], 0,
                ["Keep the middle and last sounds the same."])],
        mastery=(5, 7)),

    # --- read-simple-sentences ---------------------------------------------
    act("read-simple-sentences-read-en", "reading", "en", "At the river",
        ["read-simple-sentences"], 3, 7, "read",
        ["water", "animals", "family"], ["west-africa"],
        "Dad has a boat.\n\n"
        "The boat is on the river.\n\n"
        "Ama sits in the boat with Dad.\n\n"
        "Ama can see a big fish. The fish is in the net!\n\n"
        "\"We can eat fish for dinner,\" says Dad. Ama is happy.",
        [choice("q1", "Where is the boat?",
                ["on the river", "at the market", "in the house"], 0,
                ["Read the second sentence again."]),
         text("q2", "What is in the net?",
              ["fish", "a fish", "big fish", "a big fish"],
              ["Find the sentence with the word \"net\"."])],
        image=img("river"), audio=media("read-aloud-river-en")),
    act("read-simple-sentences-quiz-en", "quiz", "en", "Sentence quiz",
        ["read-simple-sentences"], 3, 6, "do",
        ["sport", "music"], ["west-africa"],
        "Read each sentence. Then answer the question.",
        [choice("q1", "Read: \"Kofi has a red ball.\" What colour is the "
                      "ball?", ["blue", "red", "green"], 1,
                ["Find the colour word in the sentence."]),
         text("q2", "Read: \"The drum is big. Tom hits the drum.\" What does "
                    "Tom hit?", ["drum", "the drum", "a drum"],
              ["Read the second sentence again."]),
         choice("q3", "Which sentence is about a cat?",
                ["The cat sat on the mat.", "The sun is hot.",
                 "I can run."], 0,
                ["Look for the word \"cat\"."]),
         text("q4", "Read: \"I can kick the ball.\" What can I kick?",
              ["ball", "the ball"],
              ["Find the word that comes after \"kick the\"."]),
         choice("q5", "Read: \"Mum sings a song.\" Who sings?",
                ["Dad", "Mum", "the dog"], 1,
                ["The sentence starts with the name of the person."])]),
    act("read-simple-sentences-practice-en", "practice", "en",
        "Sentence practice",
        ["read-simple-sentences"], 4, 10, "do",
        ["animals", "space", "food"], ["global", "east-africa"],
        "Read each sentence carefully, then answer. You can point to each "
        "word as you read.",
        [choice("p1", "Read: \"The hen is in the pen.\" Where is the hen?",
                ["in the pen", "on the bus", "in the sun"], 0,
                ["Read the words after \"is\"."]),
         text("p2", "Read: \"The moon is big and the stars are bright.\" "
                    "What is big?", ["moon", "the moon"],
              ["Find the word just before \"is big\"."]),
         choice("p3", "Read: \"Zawadi has six eggs.\" How many eggs does "
                      "Zawadi have?", ["five", "six", "seven"], 1,
                ["Find the number word in the sentence."]),
         text("p4", "Read: \"A cat sat on a hat.\" What did the cat sit on?",
              ["hat", "a hat"],
              ["Read the words after \"sat on\"."]),
         choice("p5", "Which sentence is true?",
                ["A fish can swim.", "A goat can fly.", "The sun is cold."],
                0,
                ["Read each sentence and think: can this really happen?"]),
         text("p6", "Read: \"We eat ugali for lunch.\" What do we eat?",
              ["ugali"],
              ["Find the word after \"eat\"."])],
        mastery=(5, 6)),

    # --- listening and watching ---------------------------------------------
    act("count-drum-listen-en", "audio", "en", "Listen: Kofi's drum",
        ["count-to-10"], 1, 3, "listen",
        ["music", "family"], ["west-africa"],
        "Press play and listen to Kofi's drum. Count every beat on your "
        "fingers. You can listen again as many times as you like.",
        [numeric("q1", "How many beats did you hear?", 6,
                 ["Listen again and hold up one finger for each beat.",
                  "The beats are slow: say one number for each boom."]),
         choice("q2", "Whose drum did you hear?",
                ["Kofi's", "Ama's", "Grandma's"], 0,
                ["Listen to the first words again."])],
        audio=media("drum-count-en")),
    act("add-mangoes-video-en", "video", "en", "Watch: Ama's mangoes",
        ["add-within-10"], 2, 3, "watch",
        ["food", "market", "family"], ["west-africa"],
        "Watch Ama and Kofi put their mangoes together, and count with "
        "them. Turn on the captions to read what they say.",
        [add("q1", "Ama has {a} mangoes. Kofi gives her {b} more. How many "
                   "mangoes does Ama have now?", 3, 2,
             ["Watch the video again and count all the mangoes.",
              "Start at three and count on two more: four, five."]),
         choice("q2", "Which mangoes did Kofi give?",
                ["the yellow ones", "the orange ones", "the green ones"], 0,
                ["Look at the mangoes that come after Ama's three."]),
         add("q3", "Now you: {a} mangoes and {b} more. How many in all?",
             4, 2,
             ["Start at four and count on two more."])],
        video=media("mangoes-video-en"),
        captions=media("mangoes-video-en-captions")),

    # --- projects ----------------------------------------------------------
    act("project-count-animals-en", "project", "en",
        "Count the animals at home",
        ["count-to-10", "compare-numbers"], 2, 30, "do",
        ["animals", "farming", "family"], ["west-africa", "east-africa"],
        "Ask a grown-up to go with you to see the animals near your home: "
        "goats, hens, cows or ducks.\n\n"
        "Count one kind of animal. Point to each animal as you say a "
        "number. Then count a second kind of animal.\n\n"
        "Draw each group on paper, one drawing for each animal. Write the "
        "number next to each group.\n\n"
        "Which group has more? Tomorrow, show your drawing to your teacher "
        "and tell the story of your animals."),
    act("project-play-market-en", "project", "en", "Play market",
        ["add-within-10", "count-to-10"], 3, 30, "do",
        ["market", "food", "family"], ["west-africa", "global"],
        "Make a little market at home with someone in your family.\n\n"
        "Collect up to 10 small things to sell, such as bottle tops, beans "
        "or leaves. Give each thing a price from 1 to 5 stones.\n\n"
        "Take turns being the seller and the buyer. When you buy two "
        "things, put the two prices together and count how many stones you "
        "must pay.\n\n"
        "At school, tell your teacher one sum you made, like \"2 and 3 make "
        "5\"."),
    act("project-sound-hunt-en", "project", "en", "Sound hunt at home",
        ["letter-sounds", "blend-cvc-words"], 2, 20, "do",
        ["family", "stories"], ["global"],
        "Choose one sound: /s/, /m/ or /t/.\n\n"
        "Walk around your home with a grown-up. Find things whose names "
        "start with your sound. For /s/ you might find a spoon or a "
        "sock.\n\n"
        "Draw three things you found. Under each drawing, write the first "
        "letter.\n\n"
        "At school, say the name of each thing slowly and ask your friends "
        "to guess the first sound."),

    # --- reflections -------------------------------------------------------
    act("reflection-numbers-en", "reflection", "en",
        "How do I feel about numbers?",
        NUM, 1, 5, "listen",
        ["family"], ["global"],
        "Think about the number work you did today.\n\n"
        "How sure do you feel? Show it with your hand: thumb up means \"I am "
        "sure\", a flat hand means \"a little bit sure\", thumb down means "
        "\"not sure yet\".\n\n"
        "What was hard today? Tell your teacher or a friend about one "
        "question that was tricky.\n\n"
        "What helped you? Maybe your fingers, counting stones or a "
        "friend.\n\n"
        "Everyone learns step by step. What do you want to practise next "
        "time?"),
    act("reflection-reading-en", "reflection", "en",
        "How do I feel about reading?",
        LIT, 1, 5, "listen",
        ["stories"], ["global"],
        "Think about the sounds, words and sentences you read today.\n\n"
        "How sure do you feel? Show it with your hand: thumb up for \"I am "
        "sure\", a flat hand for \"a little bit sure\", thumb down for \"not "
        "sure yet\".\n\n"
        "Which sound or word was hard? Say it to your teacher. You can try "
        "it again together, slowly.\n\n"
        "Which word are you proud you can read now? Say it out loud!\n\n"
        "What do you want to read next time?"),
]

# ---------------------------------------------------------------------------
# Activities: French
# ---------------------------------------------------------------------------

ACTIVITIES_FR = [
    # --- count-to-10 -------------------------------------------------------
    act("count-to-10-read-fr", "reading", "fr", "Le tambour d'Awa",
        ["count-to-10"], 1, 5, "read",
        ["music", "family"], ["west-africa", "francophone"],
        "Ce soir, c'est la fête au village. Awa a un petit tambour. Elle "
        "veut jouer avec les grands.\n\n"
        "Tonton Ibrahima lui dit : « Écoute bien. On frappe dix fois, pas "
        "une de plus ! »\n\n"
        "Awa frappe et tout le monde compte avec elle : un, deux, trois, "
        "quatre, cinq… six, sept, huit, neuf, dix !\n\n"
        "Boum ! Awa s'arrête juste au bon moment. Tout le monde danse. Awa "
        "est très fière.",
        [numeric("q1", "Combien de fois Awa frappe-t-elle sur son tambour ?",
                 10,
                 ["Relis la phrase où tout le monde compte avec Awa.",
                  "Compte sur tes doigts en même temps."]),
         choice("q2", "Quel nombre vient juste après cinq ?",
                ["quatre", "six", "sept"], 1,
                ["Récite les nombres depuis un : un, deux, trois, quatre, "
                 "cinq…"])],
        image=img("drum")),
    act("count-to-10-quiz-fr", "quiz", "fr", "Petit quiz : compter",
        ["count-to-10"], 1, 5, "do",
        ["food", "market"], ["sahel", "francophone"],
        "Compte bien. Touche chaque objet avec ton doigt quand tu dis un "
        "nombre.",
        [count("q1", "Au marché, Maman vend des oignons. Compte les "
                     "oignons : {}", 7,
               ["Touche chaque oignon une seule fois.",
                "Commence par un et va doucement."]),
         choice("q2", "Quel nombre vient après 6 ?", ["5", "8", "7"], 2,
                ["Compte à partir de 1 et arrête-toi à 6. Quel nombre "
                 "dis-tu ensuite ?"]),
         count("q3", "Grand-mère a fait des beignets. Compte les "
                     "beignets : {}", 5,
               ["Dis un nombre pour chaque beignet."]),
         choice("q4", "Quel nombre manque ? 6, 7, _, 9, 10",
                ["8", "5", "3"], 0,
                ["Dis les nombres à voix haute et cherche le trou."]),
         numeric("q5", "Combien de doigts as-tu sur une main ?", 5,
                 ["Lève une main et touche chaque doigt en comptant."])]),
    act("count-to-10-practice-fr", "practice", "fr", "On compte ensemble",
        ["count-to-10"], 2, 10, "do",
        ["animals", "water"], ["west-africa", "francophone"],
        "Entraîne-toi à compter. Montre chaque objet du doigt et dis un "
        "nombre pour chacun. Prends ton temps !",
        [count("p1", "Le pêcheur a des poissons dans son filet. Compte les "
                     "poissons : {}", 6,
               ["Montre chaque poisson du doigt."], sym="\u25c6"),
         count("p2", "Compte les canards sur la rivière : {}", 3,
               ["Dis un nombre pour chaque canard."], sym="\u25b2"),
         choice("p3", "Quel nombre vient juste avant 10 ?",
                ["9", "8", "1"], 0,
                ["Compte jusqu'à 10 lentement. Quel nombre dis-tu juste "
                 "avant ?"]),
         numeric("p4", "Continue : 4, 5, 6… Quel nombre vient ensuite ?", 7,
                 ["Dis 4, 5, 6 à voix haute, puis continue."]),
         count("p5", "Compte les grenouilles au bord de l'eau : {}", 8,
               ["Touche chaque grenouille une seule fois.",
                "Recompte pour vérifier."]),
         choice("p6", "Quelle suite est dans le bon ordre ?",
                ["3, 4, 5, 6", "3, 5, 4, 6", "6, 5, 3, 4"], 0,
                ["Récite les nombres à partir de 3 et compare."])],
        mastery=(5, 6)),

    # --- compare-numbers ---------------------------------------------------
    act("compare-numbers-read-fr", "reading", "fr",
        "Qui a le plus de mangues ?",
        ["compare-numbers"], 2, 6, "read",
        ["food", "market"], ["sahel", "francophone"],
        "Au marché de Ségou, Mariam et Bintou vendent des mangues.\n\n"
        "Mariam pose ses mangues en ligne : une, deux, trois. Bintou pose "
        "ses mangues en ligne : une, deux, trois, quatre, cinq.\n\n"
        "Le petit Adama regarde les deux lignes. « La ligne de Bintou est "
        "plus longue. Bintou a plus de mangues ! » Cinq, c'est plus que "
        "trois.\n\n"
        "Mariam rit : « Moi, j'en ai moins. Mais mes mangues sont les plus "
        "sucrées ! » Alors Adama achète une mangue à chacune.",
        [choice("q1", "Qui a le plus de mangues ?", ["Mariam", "Bintou"], 1,
                ["Compte les mangues de chaque marchande.",
                 "Regarde l'image : quelle ligne est la plus longue ?"]),
         numeric("q2", "Combien de mangues a Mariam ?", 3,
                 ["Relis la phrase où Mariam pose ses mangues."])],
        image=img("mangoes")),
    act("compare-numbers-quiz-fr", "quiz", "fr", "Quiz : plus ou moins ?",
        ["compare-numbers"], 2, 5, "do",
        ["animals", "farming"], ["west-africa", "francophone"],
        "Regarde bien chaque question. Qui en a plus ? Qui en a moins ? Ou "
        "bien est-ce pareil ?",
        [choice("q1", f"Troupeau A : {row(6)}\nTroupeau B : {row(2)}\nQuel troupeau a le "
                "plus de moutons ?",
                ["Le troupeau A", "Le troupeau B", "C'est pareil"], 0,
                ["Compte chaque troupeau, puis compare les deux nombres."]),
         choice("q2", "Quel nombre est le plus grand : 5 ou 8 ?",
                ["5", "8"], 1,
                ["Compte à partir de 1. Le nombre que tu dis en dernier est "
                 "le plus grand."]),
         smaller("q3", "Écris le plus petit nombre : {a} ou {b}", 9, 4,
                 ["Lequel dis-tu en premier quand tu comptes ?"]),
         choice("q4", "Ali a 3 poules. Fanta a 3 poules. Qui en a le plus ?",
                ["Ali", "Fanta", "Ils en ont autant"], 2,
                ["Compare les deux nombres. Sont-ils différents ?"]),
         bigger("q5", "Écris le plus grand nombre : {a} ou {b}", 7, 10,
                ["Montre chaque nombre avec tes doigts. Lequel demande le "
                 "plus de doigts ?"])]),
    act("compare-numbers-practice-fr", "practice", "fr",
        "Plus grand, plus petit, pareil",
        ["compare-numbers"], 3, 10, "do",
        ["sport", "music"], ["global", "francophone"],
        "Compare les groupes et les nombres. Tu peux aligner les objets pour "
        "voir quelle ligne est la plus longue.",
        [choice("p1", "Léo a 7 ballons. Nina a 4 ballons. Qui a le plus de "
                      "ballons ?", ["Léo", "Nina"], 0,
                ["Montre 7 doigts, puis 4 doigts."]),
         bigger("p2", "Écris le plus grand nombre : {a} ou {b}", 2, 9,
                ["Quel nombre vient plus tard quand tu comptes ?"]),
         smaller("p3", "Écris le plus petit nombre : {a} ou {b}", 6, 8,
                 ["Quel nombre vient en premier quand tu comptes ?"]),
         choice("p4", f"Premier groupe de tambours : {row(4)}\nDeuxième groupe de "
                f"tambours : {row(4)}\nCompare les deux groupes.",
                ["Le premier groupe en a plus", "Le deuxième groupe en a "
                 "plus", "Il y en a autant"], 2,
                ["Compte les deux groupes. Les nombres sont-ils "
                 "différents ?"]),
         choice("p5", "Quel nombre est entre 7 et 9 ?", ["6", "8", "10"], 1,
                ["Compte 7, …, 9. Quel nombre dis-tu au milieu ?"]),
         numeric("p6", "Quel nombre a un de moins que 5 ?", 4,
                 ["Compte jusqu'à 5. Quel nombre dis-tu juste avant ?"]),
         choice("p7", f"Premier groupe : {row(9, STAR)}\nDeuxième groupe : "
                      f"{row(5, STAR)}\nQuel groupe a le moins d'étoiles ?",
                ["Le premier groupe", "Le deuxième groupe"], 1,
                ["Le moins, c'est le plus petit nombre. Compte les deux "
                 "groupes."])],
        mastery=(5, 7)),

    # --- add-within-10 -----------------------------------------------------
    act("add-within-10-read-fr", "reading", "fr", "Les chèvres de Fatou",
        ["add-within-10"], 3, 6, "read",
        ["animals", "farming", "family"], ["sahel", "francophone"],
        "Le matin, Fatou ouvre l'enclos. Dedans, il y a trois chèvres qui "
        "bêlent : « Bêê ! Bêê ! »\n\n"
        "Papa revient du marché avec deux chèvres de plus. Elles ont de "
        "petites cornes et une barbichette.\n\n"
        "Fatou veut savoir combien de chèvres il y a maintenant. Elle "
        "compte d'abord les trois chèvres, puis elle continue : quatre, "
        "cinq. Trois plus deux, ça fait cinq !\n\n"
        "« Cinq chèvres ! dit Fatou. Il va falloir beaucoup d'herbe ! »",
        [numeric("q1", "Combien de chèvres y a-t-il dans l'enclos à la "
                       "fin ?", 5,
                 ["Compte les chèvres sur l'image.",
                  "Trois chèvres au début, puis Papa en ramène deux."]),
         choice("q2", "Quelle addition raconte l'histoire ?",
                ["3 + 2", "3 + 3", "2 + 2"], 0,
                ["Combien de chèvres au début ? Combien Papa en "
                 "ramène-t-il ?"])],
        image=img("goats")),
    act("add-within-10-quiz-fr", "quiz", "fr", "Quiz : additionner",
        ["add-within-10"], 3, 6, "do",
        ["food", "market"], ["west-africa", "francophone"],
        "Réunis les deux groupes et trouve combien il y en a en tout. Tu "
        "peux utiliser tes doigts ou des cailloux.",
        [add("q1", "Au marché, Awa achète {a} ananas, puis {b} papayes. "
                   "Combien de fruits a-t-elle en tout ?", 3, 3,
             ["Mets 3 cailloux pour les ananas et 3 cailloux pour les "
              "papayes.", "Compte tous les cailloux."]),
         choice("q2", "Combien font 4 + 4 ?", ["7", "8", "9"], 1,
                ["Montre 4 doigts sur chaque main, puis compte-les tous."]),
         add("q3", "{a} + {b} = ?", 2, 5,
             ["Commence à 5 et avance encore de 2."]),
         choice("q4", "Quelle addition fait 10 ?",
                ["5 + 4", "6 + 3", "8 + 2"], 2,
                ["Calcule chaque addition avec tes doigts."]),
         add("q5", "Grand-mère fait {a} beignets, puis encore {b}. Combien "
                   "de beignets y a-t-il ?", 7, 2,
             ["Commence à 7 et compte encore 2."])]),
    act("add-within-10-practice-fr", "practice", "fr",
        "On s'entraîne à additionner",
        ["add-within-10"], 4, 12, "do",
        ["sport", "space"], ["global", "francophone"],
        "Entraîne-toi à additionner. Réunis les deux groupes et compte-les "
        "tous. Des cailloux, des graines ou tes doigts peuvent t'aider.",
        [add("p1", "{a} + {b} = ?", 1, 2,
             ["Commence à 2 et ajoute 1."]),
         add("p2", "{a} + {b} = ?", 4, 1,
             ["Un de plus que 4."]),
         add("p3", "Dans le ciel, on voit {a} étoiles. Puis {b} autres "
                   "étoiles s'allument. Combien d'étoiles y a-t-il en "
                   "tout ?", 5, 2,
             ["Commence à 5 et compte encore 2."]),
         choice("p4", "Combien font 6 + 2 ?", ["7", "8", "9"], 1,
                ["Commence à 6 et avance de 2."]),
         add("p5", "{a} + {b} = ?", 3, 0,
             ["Ajouter zéro, c'est n'ajouter rien du tout."]),
         add("p6", "Moussa marque {a} buts et Ali marque {b} buts. Combien "
                   "de buts en tout ?", 4, 4,
             ["Montre 4 doigts sur chaque main.",
              "Compte tous les doigts levés."]),
         choice("p7", "Quelle addition fait 6 ?",
                ["3 + 2", "4 + 2", "5 + 2"], 1,
                ["Calcule chaque addition et cherche 6."]),
         add("p8", "{a} + {b} = ?", 9, 1,
             ["Un de plus que 9."])],
        mastery=(6, 8)),

    # --- letter-sounds -----------------------------------------------------
    act("letter-sounds-read-fr", "reading", "fr", "Le jeu des sons",
        ["letter-sounds"], 1, 5, "listen",
        ["animals", "family"], ["francophone", "global"],
        "Les lettres font des sons. On joue au jeu des sons ?\n\n"
        "Voici la lettre s. Elle fait [sss], comme le serpent qui siffle : "
        "sssss ! On l'entend au début de « soleil » et de « sable ».\n\n"
        "Voici la lettre m. Elle fait [mmm], comme quand c'est bon : "
        "mmmm ! On l'entend au début de « maman » et de « mangue ».\n\n"
        "Voici la lettre a. Elle fait [a], comme au début de « ananas » et "
        "d'« avion ».\n\n"
        "À toi ! Dis [sss], puis [mmm], puis [a]. Cherche autour de toi une "
        "chose qui commence par [sss] ou par [mmm].",
        [choice("q1", "Quel mot commence par le son [mmm] ?",
                ["soleil", "mangue", "ananas"], 1,
                ["Dis chaque mot lentement. Écoute bien le tout premier "
                 "son."]),
         text("q2", "Quelle lettre fait le son [sss], comme le serpent ? "
                    "Écris la lettre.", ["s"],
              ["Regarde les lettres sur l'image.",
               "Pense au premier son de « sable »."])],
        image=img("letters")),
    act("letter-sounds-quiz-fr", "quiz", "fr", "Quiz : le son des lettres",
        ["letter-sounds"], 1, 5, "do",
        ["food", "market"], ["west-africa", "francophone"],
        "Dis chaque son à voix haute avant de répondre.",
        [choice("q1", "Quel aliment commence par le son [rrr] ?",
                ["riz", "mil", "lait"], 0,
                ["Dis chaque mot lentement et écoute le premier son."]),
         text("q2", "« Lune » commence par quelle lettre ? Écris la "
                    "lettre.", ["l"],
              ["Dis « lune » lentement. Quel est le premier son ?"]),
         choice("q3", "Quelle lettre fait le son [p], comme au début de "
                      "« papaye » ?", ["b", "p", "d"], 1,
                ["Ces lettres se ressemblent. Regarde de quel côté est le "
                 "rond, et si la barre monte ou descend."]),
         text("q4", "Écris la lettre du premier son de « tomate ».", ["t"],
              ["Dis « tomate » très lentement et arrête-toi après le "
               "premier son."]),
         choice("q5", "Quel mot commence par le même son que « sac » ?",
                ["sel", "mur", "lit"], 0,
                ["Dis « sac », puis dis chaque mot. Lequel commence "
                 "pareil ?"])]),
    act("letter-sounds-practice-fr", "practice", "fr",
        "On s'entraîne avec les sons",
        ["letter-sounds"], 2, 10, "do",
        ["animals", "stories"], ["francophone"],
        "Dis chaque son à voix haute. Écoute bien le premier son de chaque "
        "mot.",
        [choice("p1", "Quelle lettre fait le son [lll] ?", ["l", "i", "t"], 0,
                ["[lll], c'est le premier son de « lune »."]),
         text("p2", "Écris la lettre du premier son de « vache ».", ["v"],
              ["Dis « vache » lentement. Sens comme tes lèvres "
               "vibrent."]),
         choice("p3", "Quel mot commence par le son [i] ?",
                ["igloo", "âne", "ours"], 0,
                ["Dis chaque mot et écoute le tout premier son."]),
         text("p4", "Écris la lettre du premier son de « fourmi ».", ["f"],
              ["Dis « fourmi » lentement et souffle le premier son."]),
         choice("p5", "Quels deux mots commencent par le même son ?",
                ["moto, mouton", "moto, lapin", "rat, sac"], 0,
                ["Dis le premier son de chaque mot, deux par deux."]),
         text("p6", "Écris la lettre qui fait le son [o] au début de "
                    "« orange ».", ["o"],
              ["Fais une bouche toute ronde et dis le premier son "
               "d'« orange »."])],
        mastery=(5, 6)),

    # --- blend-cvc-words ---------------------------------------------------
    act("blend-cvc-words-read-fr", "reading", "fr",
        "Les sons se donnent la main",
        ["blend-cvc-words"], 2, 6, "read",
        ["food", "stories"], ["sahel", "francophone"],
        "Quand les sons se donnent la main, ils font des syllabes et des "
        "mots.\n\n"
        "m et a, ça fait « ma ». Comme dans « maman ».\n\n"
        "l et i, ça fait « li ». Comme dans « livre ».\n\n"
        "Maintenant, trois lettres : s - a - c. On fait glisser les sons "
        "l'un dans l'autre : sac ! Le sac de l'école.\n\n"
        "b - o - l : bol ! Le bol de bouillie du matin.\n\n"
        "m - i - l : mil ! Grand-mère pile le mil dans le mortier.\n\n"
        "À toi ! Fais glisser les sons l - a - c. Quel mot entends-tu ?",
        [text("q1", "Lis l - a - c en faisant glisser les sons. Écris le "
                    "mot.", ["lac"],
              ["Dis les trois sons lentement, puis de plus en plus "
               "vite."]),
         choice("q2", "m et a, ça fait…", ["mi", "ma", "mo"], 1,
                ["Dis [mmm], puis [a], sans t'arrêter."])]),
    act("blend-cvc-words-quiz-fr", "quiz", "fr",
        "Quiz : je lis des mots courts",
        ["blend-cvc-words"], 2, 6, "do",
        ["family", "stories"], ["francophone"],
        "Dis chaque son, puis fais-les glisser ensemble pour lire le mot.",
        [text("q1", "Lis s - o - l. Écris le mot.", ["sol"],
              ["Dis les trois sons, puis colle-les ensemble."]),
         choice("q2", "Quelle syllabe fais-tu avec r et i ?",
                ["ra", "ri", "ro"], 1,
                ["Dis [rrr], puis [i], sans t'arrêter."]),
         text("q3", "Lis f - i - l. Écris le mot.", ["fil"],
              ["Dis les sons lentement, puis vite."]),
         choice("q4", "Quel mot font les lettres b - u - s ?",
                ["bus", "bol", "sac"], 0,
                ["Regarde bien la lettre du milieu."]),
         text("q5", "Lis m - u - r. Écris le mot.", ["mur"],
              ["Fais glisser [mmm] vers [u], puis ajoute [rrr]."])]),
    act("blend-cvc-words-practice-fr", "practice", "fr",
        "On s'entraîne à lire des syllabes",
        ["blend-cvc-words"], 3, 10, "do",
        ["animals", "water"], ["west-africa", "francophone"],
        "Lis les syllabes et les mots. Dis les sons lentement, puis fais-les "
        "glisser ensemble.",
        [choice("p1", "l et o, ça fait…", ["lo", "la", "li"], 0,
                ["Dis [lll], puis [o], sans t'arrêter."]),
         text("p2", "Lis p - a. Écris la syllabe.", ["pa"],
              ["Colle le son [p] au son [a]."]),
         text("p3", "Lis c - o - q. Écris le mot.", ["coq"],
              ["Ici, la lettre q fait le même son que c.",
               "Dis [k], puis [o], puis encore [k], sans t'arrêter."]),
         choice("p4", "Quel mot font les lettres l - a - c ?",
                ["lac", "sac", "bac"], 0,
                ["Regarde bien la première lettre."]),
         text("p5", "Lis les syllabes mo - to. Écris le mot.", ["moto"],
              ["Lis chaque syllabe, puis dis-les l'une après l'autre."]),
         choice("p6", "Quelles lettres font le mot « sac » ?",
                ["s - a - c", "s - o - c", "c - a - s"], 0,
                ["Dis « sac » lentement et écoute chaque son."]),
         text("p7", "Lis les syllabes ca - na - ri. Écris le mot.",
              ["canari"],
              ["Lis les syllabes une par une, puis dis-les sans "
               "t'arrêter.",
               "Chez nous, c'est aussi une jarre en terre qui garde l'eau "
               "bien fraîche."])],
        mastery=(5, 7)),

    # --- read-simple-sentences ---------------------------------------------
    act("read-simple-sentences-read-fr", "reading", "fr", "Le ballon de Sali",
        ["read-simple-sentences"], 3, 7, "read",
        ["sport", "family"], ["west-africa", "francophone"],
        "Sali a un ballon.\n\n"
        "Le ballon est rond.\n\n"
        "Sali tape dans le ballon. Le ballon file !\n\n"
        "Oh non ! Le ballon est dans l'arbre.\n\n"
        "Papi prend un bâton. Hop ! Le ballon tombe. Sali rit.",
        [choice("q1", "Où va le ballon quand Sali tape dedans ?",
                ["dans l'arbre", "dans l'eau", "dans la maison"], 0,
                ["Relis la phrase qui commence par « Oh non ! »."]),
         text("q2", "Qui aide Sali ? Écris un mot.", ["Papi"],
              ["Cherche qui prend un bâton."])],
        image=img("football"), audio=media("read-aloud-ballon-fr")),
    act("read-simple-sentences-quiz-fr", "quiz", "fr",
        "Quiz : je lis des phrases",
        ["read-simple-sentences"], 3, 6, "do",
        ["animals", "farming"], ["sahel", "francophone"],
        "Lis chaque phrase. Puis réponds à la question.",
        [choice("q1", "Lis : « Le chat dort sur le lit. » Où dort le chat ?",
                ["sur le lit", "sous la table", "dans le sac"], 0,
                ["Lis les mots après « dort »."]),
         text("q2", "Lis : « Moussa a une chèvre. » Qu'est-ce que Moussa "
                    "a ?", ["une chèvre", "chèvre", "une chevre", "chevre"],
              ["Cherche le mot après « a une »."]),
         choice("q3", "Quelle phrase parle d'un âne ?",
                ["L'âne porte le mil.", "Le coq chante.", "La vache boit."],
                0,
                ["Cherche le mot « âne »."]),
         text("q4", "Lis : « Le coq chante le matin. » Quel animal chante ?",
              ["le coq", "coq"],
              ["Lis le début de la phrase."]),
         choice("q5", "Lis : « Papa a vu un lion. » Qu'est-ce que Papa a "
                      "vu ?", ["un lion", "un âne", "un bus"], 0,
                ["Lis les mots après « a vu »."])]),
    act("read-simple-sentences-practice-fr", "practice", "fr",
        "On s'entraîne à lire des phrases",
        ["read-simple-sentences"], 4, 10, "do",
        ["water", "food", "space"], ["global", "francophone"],
        "Lis chaque phrase avec soin, puis réponds. Tu peux montrer chaque "
        "mot du doigt quand tu lis.",
        [choice("p1", "Lis : « La lune est dans le ciel. » Où est la lune ?",
                ["dans le ciel", "dans le lac", "dans le sac"], 0,
                ["Lis les mots après « est »."]),
         text("p2", "Lis : « Rita boit de l'eau. » Que boit Rita ?",
              ["de l'eau", "l'eau", "eau"],
              ["Lis les mots après « boit »."]),
         choice("p3", "Lis : « Le riz est chaud. » Comment est le riz ?",
                ["froid", "chaud", "salé"], 1,
                ["Lis le dernier mot de la phrase."]),
         text("p4", "Lis : « Ali a un vélo rouge. » De quelle couleur est le "
                    "vélo ?", ["rouge"],
              ["Cherche le mot qui vient juste après « vélo »."]),
         choice("p5", "Quelle phrase est vraie ?",
                ["Le poisson nage.", "La chèvre vole.",
                 "Le soleil est bleu."], 0,
                ["Lis chaque phrase et demande-toi : est-ce que c'est "
                 "possible ?"]),
         text("p6", "Lis : « Mina mange une mangue. » Que mange Mina ?",
              ["une mangue", "mangue"],
              ["Lis les mots après « mange »."])],
        mastery=(5, 6)),

    # --- écouter et regarder ---------------------------------------------
    act("count-drum-listen-fr", "audio", "fr", "Écoute : le tambour d'Awa",
        ["count-to-10"], 1, 3, "listen",
        ["music", "family"], ["west-africa", "francophone"],
        "Appuie sur lecture et écoute le tambour d'Awa. Compte chaque coup "
        "sur tes doigts. Tu peux écouter autant de fois que tu veux.",
        [numeric("q1", "Combien de coups as-tu entendus ?", 7,
                 ["Écoute encore et lève un doigt à chaque coup.",
                  "Les coups sont lents : dis un nombre à chaque boum."]),
         choice("q2", "À qui est le tambour ?",
                ["à Awa", "à Sali", "à Papi"], 0,
                ["Écoute encore les premiers mots."])],
        audio=media("drum-count-fr")),
    act("add-mangoes-video-fr", "video", "fr", "Regarde : les mangues d'Ama",
        ["add-within-10"], 2, 3, "watch",
        ["food", "market", "family"], ["west-africa", "francophone"],
        "Regarde Ama et Kofi réunir leurs mangues, et compte avec eux. "
        "Active les sous-titres pour lire ce qu'ils disent.",
        [add("q1", "Ama a {a} mangues. Kofi lui en donne {b} de plus. "
                   "Combien de mangues Ama a-t-elle maintenant ?", 3, 2,
             ["Regarde encore la vidéo et compte toutes les mangues.",
              "Pars de trois et avance de deux : quatre, cinq."]),
         choice("q2", "Quelles mangues Kofi a-t-il données ?",
                ["les jaunes", "les orange", "les vertes"], 0,
                ["Regarde les mangues qui arrivent après les trois d'Ama."]),
         add("q3", "À toi : {a} mangues et encore {b}. Combien en tout ?",
             4, 2,
             ["Pars de quatre et avance de deux."])],
        video=media("mangoes-video-fr"),
        captions=media("mangoes-video-fr-captions")),

    # --- projects ----------------------------------------------------------
    act("project-count-animals-fr", "project", "fr",
        "Compter les animaux de la maison",
        ["count-to-10", "compare-numbers"], 2, 30, "do",
        ["animals", "farming", "family"], ["sahel", "francophone"],
        "Avec un grand, va voir les animaux près de chez toi : chèvres, "
        "poules, moutons ou canards.\n\n"
        "Compte les animaux d'une même sorte. Montre chaque animal du doigt "
        "quand tu dis un nombre. Puis compte une autre sorte d'animal.\n\n"
        "Dessine chaque groupe sur une feuille : un dessin pour chaque "
        "animal. Écris le nombre à côté de chaque groupe.\n\n"
        "Quel groupe a le plus d'animaux ? Demain, montre ton dessin à ta "
        "maîtresse ou à ton maître et raconte l'histoire de tes animaux."),
    act("project-play-market-fr", "project", "fr", "On joue au marché",
        ["add-within-10", "count-to-10"], 3, 30, "do",
        ["market", "food", "family"], ["west-africa", "francophone"],
        "Avec quelqu'un de ta famille, installe un petit marché à la "
        "maison.\n\n"
        "Rassemble jusqu'à 10 petites choses à vendre : des capsules, des "
        "graines, des feuilles. Chaque chose coûte entre 1 et 5 "
        "cailloux.\n\n"
        "Chacun son tour, tu es le vendeur ou l'acheteur. Quand tu achètes "
        "deux choses, réunis les deux prix et compte combien de cailloux tu "
        "dois payer.\n\n"
        "À l'école, raconte un calcul que tu as fait, par exemple « 2 et 3, "
        "ça fait 5 »."),
    act("project-sound-hunt-fr", "project", "fr", "La chasse aux sons",
        ["letter-sounds", "blend-cvc-words"], 2, 20, "do",
        ["family", "stories"], ["francophone"],
        "Choisis un son : [sss], [mmm] ou [lll].\n\n"
        "Avec un grand, fais le tour de la maison. Cherche des objets dont "
        "le nom commence par ce son. Pour [mmm], tu trouveras peut-être une "
        "marmite ou un mortier.\n\n"
        "Dessine trois objets que tu as trouvés. Sous chaque dessin, écris "
        "la première lettre.\n\n"
        "À l'école, dis le nom de chaque objet lentement et fais deviner le "
        "premier son à tes amis."),

    # --- reflections -------------------------------------------------------
    act("reflection-numbers-fr", "reflection", "fr",
        "Et moi, avec les nombres ?",
        NUM, 1, 5, "listen",
        ["family"], ["francophone"],
        "Pense à tout ce que tu as fait avec les nombres aujourd'hui.\n\n"
        "Te sens-tu sûr de toi ? Montre-le avec ta main : le pouce en haut, "
        "c'est « J'y arrive bien ! » ; la main à plat, c'est « J'y arrive un "
        "peu » ; le pouce en bas, c'est « Je n'y arrive pas encore ».\n\n"
        "Qu'est-ce qui était difficile aujourd'hui ? Raconte à ta maîtresse, "
        "à ton maître ou à un ami une question qui t'a donné du mal.\n\n"
        "Qu'est-ce qui t'a aidé ? Tes doigts, des cailloux, un ami ?\n\n"
        "On apprend petit à petit. Sur quoi veux-tu t'entraîner la "
        "prochaine fois ?"),
    act("reflection-reading-fr", "reflection", "fr",
        "Et moi, avec la lecture ?",
        LIT, 1, 5, "listen",
        ["stories"], ["francophone"],
        "Pense aux sons, aux mots et aux phrases que tu as lus "
        "aujourd'hui.\n\n"
        "Te sens-tu sûr de toi ? Montre-le avec ta main : le pouce en haut, "
        "c'est « J'y arrive bien ! » ; la main à plat, c'est « J'y arrive un "
        "peu » ; le pouce en bas, c'est « Je n'y arrive pas encore ».\n\n"
        "Quel son ou quel mot était difficile ? Dis-le à ta maîtresse ou à "
        "ton maître. Vous pouvez le relire ensemble, tout doucement.\n\n"
        "Quel mot es-tu fier de savoir lire maintenant ? Dis-le bien "
        "fort !\n\n"
        "Qu'as-tu envie de lire la prochaine fois ?"),
]


# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# Recordings of instructions, questions and choices (body.voice). A real pack
# records a teacher's voice; the sample's one recording is a short generated
# sound (standard library, deterministic), enough to show and test the field.
# ---------------------------------------------------------------------------

VOICES = ("voice-letter-sounds-q1-en",)


def voice_wav():
    """Half a second of a soft two-note chime, 8 kHz mono 8-bit WAV (about 4 KB)."""
    import io
    import math
    import wave

    rate, frames = 8000, bytearray()
    for i in range(rate // 2):
        freq = 523.25 if i < rate // 4 else 659.25
        fade = min(1.0, (rate // 2 - i) / 800)
        frames.append(128 + int(60 * fade * math.sin(2 * math.pi * freq * i / rate)))
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return out.getvalue()


def build_voices():
    """Write the recordings as content-addressed files; return {name: entry}."""
    entries = {}
    for name in VOICES:
        data = voice_wav()
        sha = hashlib.sha256(data).hexdigest()
        with open(os.path.join(ASSET_DIR, sha + ".wav"), "wb") as f:
            f.write(data)
        entries[name] = {"path": f"assets/{sha}.wav", "sha256": sha,
                         "media_type": "audio/wav", "bytes": len(data)}
    return entries


def voice_refs(voice, assets, used):
    """body.voice with its "@name" references made asset paths."""
    def ref(value):
        if isinstance(value, str) and value.startswith("@"):
            used.add(value[1:])
            return assets[value[1:]]["path"]
        return value
    out = {}
    if voice.get("text"):
        out["text"] = ref(voice["text"])
    if voice.get("items"):
        out["items"] = {
            item: {k: ([ref(c) for c in v] if k == "choices" else ref(v)) for k, v in spoken.items()}
            for item, spoken in voice["items"].items()
        }
    return out


def build_assets():
    """Write the SVGs as content-addressed files; return {name: entry}."""
    os.makedirs(ASSET_DIR, exist_ok=True)
    entries = {}
    for name, svg in SVGS.items():
        data = svg.encode("utf-8")
        assert len(data) < 2048, f"{name} is {len(data)} bytes"
        sha = hashlib.sha256(data).hexdigest()
        with open(os.path.join(ASSET_DIR, sha + ".svg"), "wb") as f:
            f.write(data)
        entries[name] = {"path": f"assets/{sha}.svg", "sha256": sha,
                         "media_type": "image/svg+xml", "bytes": len(data)}
    # Remove stale assets left over from earlier builds.
    keep = {e["sha256"] + ".svg" for e in entries.values()}
    for fn in os.listdir(ASSET_DIR):
        if fn.endswith(".svg") and fn not in keep:
            os.remove(os.path.join(ASSET_DIR, fn))
    return entries


def build():
    assets = build_assets()
    with open(os.path.join(HERE, "media.json"), encoding="utf-8") as f:
        made = json.load(f)  # written by build_media.py
    overlap = set(assets) & set(made)
    assert not overlap, f"names both drawn and made: {sorted(overlap)}"
    assets.update(made)
    voices = build_voices()
    assets.update(voices)
    activities = []
    used = set()
    for a in ACTIVITIES_EN + ACTIVITIES_FR:
        for field in ("image", "audio", "video", "captions"):
            ref = a["body"].get(field)
            if ref:
                name = ref[1:]
                a["body"][field] = assets[name]["path"]
                used.add(name)
        if a["body"].get("voice"):
            a["body"]["voice"] = voice_refs(a["body"]["voice"], assets, used)
        activities.append(a)
    unused = set(assets) - used
    assert not unused, f"unused assets: {sorted(unused)}"

    manifest = dict(PACK)
    manifest["skills"] = SKILLS
    manifest["activities"] = activities
    manifest["assets"] = [assets[name] for name in list(SVGS) + sorted(made) + list(VOICES)]

    with open(os.path.join(HERE, "manifest.json"), "w", encoding="utf-8",
              newline="\n") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return manifest


if __name__ == "__main__":
    m = build()
    print(f"wrote manifest.json: {len(m['skills'])} skills, "
          f"{len(m['activities'])} activities, {len(m['assets'])} assets")
