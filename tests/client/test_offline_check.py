"""The tablet's offline check agrees with the node's grading: the same SHA-256, the same
normal form of short text on every assigned code point, and the same verdict on every
item of the sample pack for right, wrong, near and oddly typed answers."""

from __future__ import annotations

import hashlib
import unicodedata
from types import SimpleNamespace

import pytest

from server.errors import InvalidInput
from server.services.learning import check_response, normalise_text
from server.services.offline_check import offline_check
from tests.helpers.student import KEYS, api, sign_in

IMPORT = "import('/client/student/check.js')"

EVERY_CODE_POINT = f"""async () => {{
  const {{ normaliseText }} = await {IMPORT};
  const changed = {{}};
  for (let cp = 0; cp <= 0x10ffff; cp++) {{
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const s = String.fromCodePoint(cp);
    const f = normaliseText(s);
    if (f !== s) changed[cp] = f;
  }}
  return changed;
}}"""

TEXTS = [
    "", "abc", "  Une   CHÈVRE ", "une che\u0300vre", "ΟΔΟΣ", "Straße", "STRASSE", "ﬁsh",
    "İstanbul", "ıi", "l’eau", "de\u00a0l'eau", "a\u2003b\u3000c", "x\x1cy\x85z", "\ufeffmoon",
    "ǰ", "Ꭰꭰ", "µ", "ẞ", "ﬀ", "ᾈ", "🐐 goat", "é" * 300,
]  # fmt: skip


@pytest.mark.slow
def test_hash_and_text_normal_form_match_the_node(node, device):
    page = device.new_page()
    page.goto(node.url + "/student/")
    hashes = page.evaluate(
        f"async (texts) => {{ const m = await {IMPORT}; return texts.map((t) => [m.sha256Hex(t), m.normaliseText(t)]); }}",
        TEXTS,
    )
    assert hashes == [[hashlib.sha256(t.encode()).hexdigest(), normalise_text(t)] for t in TEXTS]
    changed = {int(k): v for k, v in page.evaluate(EVERY_CODE_POINT).items()}
    differ = []
    for cp in range(0x110000):
        char = chr(cp)
        if 0xD800 <= cp <= 0xDFFF or unicodedata.category(char) == "Cn":
            continue  # unassigned in Python's Unicode: the browser's may be newer
        if changed.get(cp, char) != normalise_text(char):
            differ.append((hex(cp), changed.get(cp, char), normalise_text(char)))
    assert differ == []


NUMBERS = [(2.5, None), (0.125, 0), (-4, None), (1234567.891, None), (3.14159, 0.01),
           (1e-7, None), (0.1, 0.05), (100, 2)]  # fmt: skip


def candidates(key: dict, others: list) -> list:
    """Responses to try on an item: right, wrong, near misses and odd typing."""
    if key["type"] == "choice":
        return list(range(len(key["choices"]))) + [len(key["choices"]), -1]
    if key["type"] == "numeric":
        a = key["answer"]
        return [a, a + 1, a - 1, a + 1e-10, a - 5e-10, a + 2e-9, a + 0.5, a / 10, -a, a * 10, 0,
                float(a), a + 0.1 + 0.2 - 0.3]  # fmt: skip
    typed = []
    for accepted in key["answer"]:
        typed += [accepted, accepted.upper(), f"  {accepted.title()}  ", accepted.replace(" ", "\u00a0\u00a0"),
                  unicodedata.normalize("NFD", accepted), accepted + "s", accepted[:-1]]  # fmt: skip
    return typed + ["zzz", ""] + others


@pytest.mark.slow
def test_every_sample_item_is_graded_on_the_tablet_as_the_node_grades_it(node, device):
    page = device.new_page()
    sign_in(page, node.url)
    activities = api(node.url, "/activities?per_page=500", page)["items"]
    items = [
        item for a in activities for item in api(node.url, f"/activities/{a['id']}", page)["items"]
    ]  # fmt: skip
    assert len(items) == len(KEYS) and all(i["answer"] is None and i["check"] for i in items)
    texts = [a for k in KEYS.values() if k["type"] == "text" for a in k["answer"]]
    keys = dict(KEYS)
    for n, (answer, tolerance) in enumerate(NUMBERS):  # beyond the pack: decimals, tolerance
        key = {"id": f"x:numeric-{n}", "type": "numeric", "answer": answer, "tolerance": tolerance}
        keys[key["id"]] = key
        items.append({**key, "check": offline_check(SimpleNamespace(**key))})
    cases = []
    for item in items:
        key = keys[item["id"]]
        for response in candidates(key, texts[:20]):
            node_item = SimpleNamespace(
                type=key["type"], answer=key["answer"], tolerance=key.get("tolerance")
            )
            try:
                verdict = check_response(node_item, response)
            except InvalidInput:
                continue  # the node refuses it (422): the app never sends such a response
            cases.append((item, response, verdict))
    on_tablet = page.evaluate(
        f"""async (cases) => {{ const {{ checkOffline }} = await {IMPORT};
              return cases.map(([item, response]) => checkOffline(item, response)); }}""",
        [[item, response] for item, response, _ in cases],
    )
    disagree = [
        (item["id"], response, verdict, mine)
        for (item, response, verdict), mine in zip(cases, on_tablet)
        if mine != verdict
    ]
    assert disagree == [] and len(cases) > 1000
