"""Is an SVG of a content pack only a picture? Script, event handlers, foreign
objects and references outside the file are refused at validation.

A pack's SVG is shown to students in ``<img>`` (where no script runs), but the
same URL opened as a page would run whatever the file holds, as whoever opened
it (issue 11, finding 2). The node also serves every asset under a policy that
forbids script (server.pages.headers); this check keeps such files out of the
district's content in the first place, and tells the author which file and why.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
#: Namespaces drawing tools put in metadata; nothing in them is run or rendered.
METADATA = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://purl.org/dc/elements/1.1/",
    "http://creativecommons.org/ns#",
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
)
#: SVG elements that run script or hold another document.
REFUSED = {"script", "foreignObject", "handler", "listener", "iframe", "embed", "object"}
#: Animation elements, which could rewrite a link into a script URL.
ANIMATIONS = {"animate", "set", "animateMotion", "animateTransform"}
#: What a link may point at: a part of the same file, or an embedded raster picture.
_LOCAL_REF = re.compile(r"^\s*(#|data:image/(png|jpeg|gif|webp)[;,])", re.IGNORECASE)
_INSTRUCTION = re.compile(r"<\?(?!xml\s)")
_URL = re.compile(r"url\(\s*['\"]?([^'\")]*)", re.IGNORECASE)


def _split(tag: str) -> tuple[str, str]:
    """``{ns}name`` into (ns, name)."""
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _css_problems(where: str, css: str) -> list[str]:
    problems = []
    if "\\" in css:
        problems.append(f"{where}: CSS escapes are not allowed")
    if "@import" in css.lower():
        problems.append(f"{where}: @import loads a file from outside")
    for target in _URL.findall(css):
        if not _LOCAL_REF.match(target):
            problems.append(f"{where}: url({target[:60]}) refers outside the file")
    return problems


def _element_problems(element: ET.Element) -> list[str]:
    ns, name = _split(element.tag)
    where = f"<{name}>"
    problems = []
    if ns not in (SVG, *METADATA):
        problems.append(f"{where} is not an SVG element (namespace {ns or 'none'!r})")
    elif ns == SVG and name in REFUSED:
        problems.append(f"{where} is not allowed (it runs script or holds another document)")
    if ns == SVG and name in ANIMATIONS:
        target = element.get("attributeName", "").split(":")[-1].lower()
        if target in ("href", "src"):
            problems.append(f"{where} may not animate a link")
    if ns == SVG and name == "style":
        problems += _css_problems(where, "".join(element.itertext()))
    for key, value in element.attrib.items():
        attr_ns, attr = _split(key)
        at = f"{where} attribute {attr!r}"
        if attr.lower().startswith("on"):
            problems.append(f"{at} is an event handler (script)")
        elif attr in ("href", "src") and attr_ns in ("", XLINK):
            if not _LOCAL_REF.match(value):
                problems.append(f"{at} refers outside the file ({value[:60]!r})")
        elif "javascript:" in value.lower().replace(" ", ""):
            problems.append(f"{at} holds a script URL")
        if "url(" in value.lower() or attr == "style":
            problems += _css_problems(at, value)
    return problems


def svg_problems(data: bytes) -> list[str]:
    """Why this SVG is not a plain picture (empty when it is one)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ["is refused: not UTF-8 text (an SVG in a pack is UTF-8)"]
    # Declarations could define entities (which expand, or name files); SVG needs none.
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return ["is refused: a DOCTYPE or ENTITY declaration (not allowed in a pack's SVG)"]
    if _INSTRUCTION.search(text):  # e.g. <?xml-stylesheet href=...?>, anywhere in the file
        return ["is refused: a processing instruction (not allowed in a pack's SVG)"]
    parser = ET.XMLParser()
    try:
        parser.feed(text)
        root = parser.close()
    except ET.ParseError as exc:
        return [f"is refused: not well-formed XML ({exc})"]
    if _split(root.tag) != (SVG, "svg"):
        return ["is refused: not an SVG document (its root is not <svg> in the SVG namespace)"]
    problems: list[str] = []
    for element in root.iter():
        problems += [p for p in _element_problems(element) if p not in problems]
    return ["is refused: " + p for p in problems]
