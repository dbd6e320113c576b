"""Structured agency files → Articles: NewsML-G2, NITF, dpa digitalwires JSON and ninjs.

**Recognition** is by content, never by file name, and cheap (:func:`detect_structured` looks at
the first bytes only): after an optional BOM and whitespace, ``{"`` or ``[{`` is JSON, and ``<``
is XML when the root element — after the XML declaration, comments, processing instructions and a
DOCTYPE — is ``newsItem``/``newsMessage`` (NewsML-G2, any prefix) or ``nitf``. Anything else,
a text with HTML remnants (``<p>…``) or ``[Eil] …`` included, stays plain text.

**Safety**: XML goes through the standard library's expat parser wrapped by defusedxml: a DTD may
be present, but an entity declaration (internal: billion laughs; external: XXE) or an external
reference refuses the file (:class:`~pressindex.errors.XmlEntitiesForbidden`); nothing is
expanded or fetched. Not well-formed XML or JSON raises MalformedXml/MalformedJson with line and
column. Trees are walked with explicit stacks, so deep nesting costs no recursion; JSON nested
too deep for the decoder is MalformedJson.

**Fields**: each format's reader (:mod:`.newsml_g2`, :mod:`.nitf`, :mod:`.digitalwires`) fills a
:class:`StructuredItem`; :func:`structured_article` turns it into an Article. The story
(teaser, then the body's paragraphs and headings) goes through the same cleaning, structure,
dateline, credit and language rules as any copy (:func:`~.document.text_fields`), and what the
file states is set on top and wins: headline, byline, lead (teaser), subheadings (the body's
``h2``–``h6``), dateline place, credits, published (``published_source`` "file", the value with
its zone offset), language, dpa id and version (from the guid/urn and the version attribute),
urgency, embargo, category, keywords, genre, correction, editorial notes. Warnings about what the
text rules guessed where the file had the value (a future date, an unknown dateline credit, an
undecided language) are dropped.

**Ids**: a dpa item is ``dpa-<story>`` like dpa text, so the same story as IPTC 7901 text is one
document under the newest-version rule; another item is ``guid-<sha1 of its guid>`` (a later
version of the same guid replaces the earlier document); an item without guid gets the text hash
as wire messages do (``sha1-…``).

**Status**: ``canceled`` → ``kind`` "withdrawal". A dpa item withdraws its own story key
(``withdraws``) and gets its own id ``dpa-<story>-canceled``, so the story document stays in the
concrete index for operators and :mod:`pressindex.ingest.withdrawals` takes it (and any later copy) out of
search; a non-dpa item keeps its guid id and replaces the earlier version in place (no key to
name). A canceled item without any text is titled ``canceled <guid>``. ``withheld`` is treated as
an embargo without end: ``embargo_until`` :data:`WITHHELD_UNTIL`, so no search finds it until a
usable version replaces it (same id); warning ``withheld``.

**Non-public**: notes marked non-public (G2 ``pubconstraint`` or a role naming ``nonpublic`` or
contacts, digitalwires ``is_publishable: false`` or a contacts role, the notepad's non-public
part, NITF ``note type="npa"``, contact blocks) are never read into any field or warning;
``repairs`` records ``nonpublic_removed``. Text under dpa's non-public marker sentence is cut as in
plain text.

**Media** (G2 ``itemClass`` picture/graphic/audio/video, digitalwires without text and with one
image/audio/video association or such a ``type``, ninjs ``type`` picture/audio/video):
``kind`` "media", ``title`` the headline (else the caption's first sentence), ``body`` the
caption (else the headline, else the guid), ``lead`` None; every other field as for text. Whether it
is indexed is the pipeline's choice.

**Several items**: a ``newsMessage`` gives one Article per ``newsItem`` (``packageItem``,
``conceptItem`` and ``knowledgeItem`` hold no copy: skipped, named in a warning); a JSON list, or a
wrapper object whose ``entries``/``items``/``data`` list holds items, one per item; ``message_index``
as for multi-message wire files. An item without text is skipped with a warning on the first
Article, as for wire messages.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timezone
from functools import lru_cache
from html.parser import HTMLParser
from typing import Protocol
from xml.etree.ElementTree import Element, ParseError
from xml.etree.ElementTree import fromstring as XMLParser_fromstring  # the C parser (see _safe_fromstring)
from zoneinfo import ZoneInfo

from pressindex.errors import (
    InputError,
    MalformedJson,
    MalformedXml,
    NoText,
    TooLarge,
    UnknownStructure,
    XmlEntitiesForbidden,
)
from pressindex.model import Article, DpaId
from pressindex.parse.agencies import Credit, agent_credit, merge, parse_credit
from pressindex.parse.dateline import find_dateline, normalise_place
from pressindex.parse.decode import DEFAULT_MAX_BYTES, Decoded, decode_bytes
from pressindex.parse.dpa_ids import find_dpa_id
from pressindex.parse.file_articles import FileArticles
from pressindex.parse.nonpublic import may_hold_nonpublic, remove_nonpublic
from pressindex.parse.wire_notes import category_name

FORMATS = ("newsml_g2", "nitf", "digitalwires", "ninjs")
# "withheld": an embargo without end (see the module docstring)
WITHHELD_UNTIL = "9999-12-31T23:59:59+00:00"
_BERLIN = ZoneInfo("Europe/Berlin")
_HEAD_BYTES = 65536  # the prolog (declaration, comments, DOCTYPE) is looked through this far

# ---------------------------------------------------------------------------------------------
# Recognition


_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_SPACES = frozenset(b" \t\r\n")
# what a structured file may start with: markup, whitespace, a BOM's first byte, UTF-16's NUL
_OPENERS = frozenset(b"<{[\xef\xff\xfe\x00") | _SPACES
_XML_ROOT = re.compile(r"<(?:[A-Za-z_][\w.-]{0,40}:)?(newsItem|newsMessage|nitf)(?=[\s/>])")


def detect_structured(raw: bytes) -> str | None:
    """``"json"``, ``"xml"`` or None (plain text, a wire format, anything else), from the first bytes."""
    if not raw or raw[0] not in _OPENERS:
        return None  # most files: one comparison
    if raw[0] in _SPACES and raw[:1024].lstrip()[:1] not in (b"<", b"{", b"["):
        return None
    head = raw[:_HEAD_BYTES]
    text = _head_text(head)
    if text is None:
        return None
    text = text.lstrip()
    if not text:
        return None
    first = text[0]
    if first == "{":
        rest = text[1:].lstrip()
        return "json" if rest[:1] in ('"', "}") else None
    if first == "[":
        rest = text[1:].lstrip()
        return "json" if rest[:1] in ("{", "]") else None
    if first == "<":
        return "xml" if _xml_root(text) else None
    return None


def _head_text(head: bytes) -> str | None:
    """The first bytes as text: UTF-16 by its BOM or its NUL bytes, else Latin-1 (the markup that
    decides is ASCII in every other encoding)."""
    if head.startswith(_BOMS[0]):
        return head[3:].decode("latin-1")
    if head.startswith((_BOMS[1], _BOMS[2])) or head[:2] in (b"<\x00", b"\x00<"):
        codec = "utf-16-be" if head.startswith(_BOMS[2]) or head[:1] == b"\x00" else "utf-16-le"
        start = 2 if head.startswith((_BOMS[1], _BOMS[2])) else 0
        return head[start : start + (len(head) - start) // 2 * 2].decode(codec, "replace")
    return head.decode("latin-1")


_SUBSET_END = re.compile(r"\]\s*>")


def _xml_root(text: str) -> str | None:
    """The local name of the root element when it is a G2 or NITF one. The prolog is passed with
    ``find`` and one bounded pattern, each part once: linear."""
    pos, end = 0, len(text)
    while pos < end:
        lt = text.find("<", pos)
        if lt < 0 or text[pos:lt].strip():
            return None  # no element, or text before the root: not XML
        if text.startswith("<?", lt):
            close = text.find("?>", lt + 2)
            pos = close + 2
        elif text.startswith("<!--", lt):
            close = text.find("-->", lt + 4)
            pos = close + 3
        elif text.startswith(("<!DOCTYPE", "<!doctype"), lt):
            close = text.find(">", lt)
            bracket = text.find("[", lt, close if close >= 0 else end)
            if bracket >= 0:  # an internal subset: up to "]>"
                subset_end = _SUBSET_END.search(text, bracket)
                close = subset_end.end() - 1 if subset_end else -1
            pos = close + 1
        else:
            m = _XML_ROOT.match(text, lt)
            return m.group(1) if m else None
        if close < 0:
            return None
    return None


# ---------------------------------------------------------------------------------------------
# The reader's result


@dataclass(slots=True)
class StructuredItem:
    """What a format reader found in one item. Texts are as the file has them (cleaned later)."""

    format: str
    guid: str | None = None
    version: int | None = None
    headline: str | None = None
    byline: str | None = None
    teaser: str | None = None
    blocks: list[tuple[str, str]] = field(default_factory=list)  # ("p" | "h", text) of the body
    caption: str | None = None  # media items
    media: bool = False
    media_type: str | None = None  # "picture", "graphic", "audio", "video" when the file says
    dateline: str | None = None  # as the file writes it: "New York (dpa) - " or "Berlin"
    place: str | None = None  # a located/city element: the place alone
    credits: list[str] = field(default_factory=list)  # creditline, provider, distributor, infoSource
    source: str | None = None  # the first infoSource (G2, digitalwires) or NITF pubdata/@name
    services: list[str] = field(default_factory=list)  # wire services as sent: "bdt", "lni"
    published: str | None = None  # ISO 8601 as in the file
    first_created: str | None = None
    language: str | None = None
    urgency: int | None = None
    embargo: str | None = None
    status: str = "usable"  # "usable" | "withheld" | "canceled"
    category: str | None = None  # ressort code: "pl"
    category_name: str | None = None
    keywords: list[str] = field(default_factory=list)
    genre: str | None = None
    correction: str | None = None
    is_correction: bool = False
    editorial_notes: list[str] = field(default_factory=list)
    editor_codes: str | None = None
    footer: list[str] = field(default_factory=list)  # picture notes: kept verbatim, not body
    copyright: str | None = None
    nonpublic_removed: bool = False
    warnings: list[str] = field(default_factory=list)


def int_or_none(value: object) -> int | None:
    """An integer from a number or a numeric string (``"3"``), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 9:
        return int(value.strip())
    return None


_MEDIA_TYPE_NAMES = {
    "image": "picture",
    "photo": "picture",
    "picture": "picture",
    "graphic": "graphic",
    "audio": "audio",
    "video": "video",
    "animated": "video",
}


def media_type(value: str | None) -> str | None:
    """A media item's type as the state record and ``media_type`` give it: "picture", "graphic",
    "audio" or "video" (digitalwires "image" and G2 "animated" included), else None."""
    return _MEDIA_TYPE_NAMES.get((value or "").rsplit(":", 1)[-1].strip().lower())


def status_of(value: str | None) -> str:
    """``"stat:canceled"``, ``"canceled"``, ``"cancelled"``, ``"withheld"``, … → one of
    usable, withheld, canceled."""
    word = (value or "").rsplit(":", 1)[-1].strip().lower()
    if word in ("canceled", "cancelled", "kill", "killed", "withdrawn"):
        return "canceled"
    if word == "withheld":
        return "withheld"
    return "usable"


_NONPUBLIC_WORDS = ("nonpublic", "non-public", "notpublic", "not-public", "internal", "contact")


def is_nonpublic(*markers: str | None) -> bool:
    """Whether a note's role, constraint or type names it non-public (or a contact block)."""
    return any(m and any(w in m.lower() for w in _NONPUBLIC_WORDS) for m in markers)


def file_note(out: StructuredItem, role: str, text: str | None) -> None:
    """A public editorial note by its role (G2 ``edNote``, digitalwires ``ednotes``, same roles):
    ``correction`` → correction, ``closingline`` → editor codes, ``picture`` → footer, others →
    editorial notes; ``correctionshort`` repeats the correction and is left out. Call it only for
    notes already found public."""
    role = role.lower()
    if not text or role.endswith("correctionshort"):
        return
    if role.endswith("correction"):
        out.correction = text
    elif role.endswith("closingline"):
        out.editor_codes = text
    elif role.endswith("picture"):
        out.footer.append(text)
    else:
        out.editorial_notes.append(text)


# ---------------------------------------------------------------------------------------------
# (X)HTML bodies → paragraphs and headings

_BLOCKS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd blockquote pre table tr section article hl1 hl2 "
    "block body.content abstract caption figcaption tagline".split()
)  # NITF's hl2, block and tagline too
_HEADINGS = frozenset("h2 h3 h4 h5 h6 hl2".split())
_SKIP = frozenset("script style head header figure aside nav footer template media object".split())
_VOID = frozenset("br hr img meta link input source wbr area col embed param track base".split())
_CELLS = frozenset(("td", "th"))


class Blocks:
    """Collects the paragraphs and headings of (X)HTML content from start/data/end events, fed by
    :func:`walk_element` (XML trees) or :func:`html_blocks` (HTML strings). ``<header>``,
    ``<figure>``, scripts and styles are skipped (a G2 body's header repeats headline and byline);
    ``<br>`` ends a line; ``class="teaser"``/``"byline"`` paragraphs are handed back apart."""

    def __init__(self) -> None:
        self.blocks: list[tuple[str, str]] = []  # ("p" | "h" | "h1" | "teaser" | "byline", text)
        self._parts: list[str] = []
        self._kind = "p"
        self._skip: str | None = None  # the tag whose content is skipped, and its nesting depth
        self._skip_depth = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if self._skip is not None:
            if tag == self._skip:
                self._skip_depth += 1
            return
        if tag in _SKIP:
            self._flush()
            self._skip, self._skip_depth = tag, 1
            return
        if tag == "br":
            self._parts.append("\n")
        elif tag in _BLOCKS:
            self._flush()
            classes = (attrs.get("class") or "").lower().split()
            if tag in _HEADINGS:
                self._kind = "h"
            elif tag in ("h1", "hl1"):
                self._kind = "h1"
            elif "teaser" in classes:
                self._kind = "teaser"
            elif "byline" in classes:
                self._kind = "byline"
        elif tag in _CELLS:
            self._parts.append(" ")

    def data(self, text: str) -> None:
        if self._skip is None:
            self._parts.append(text)

    def end(self, tag: str) -> None:
        if self._skip is not None:
            if tag == self._skip:
                self._skip_depth -= 1
                if self._skip_depth == 0:
                    self._skip = None
            return
        if tag in _BLOCKS:
            self._flush()

    def close(self) -> list[tuple[str, str]]:
        self._flush()
        return self.blocks

    def _flush(self) -> None:
        if self._parts:
            text = "".join(self._parts)
            if "\n" in text:  # a <br>, or line ends in the source: kept only where a <br> was
                text = "\n".join(" ".join(line.split()) for line in text.split("\n")).strip()
            else:
                text = " ".join(text.split())
            if text:
                self.blocks.append((self._kind, text))
            self._parts = []
        self._kind = "p"


def local_name(tag: object) -> str:
    """``{namespace}newsItem`` or ``newsItem`` → ``newsItem`` (comments and PIs: "")."""
    return _local(tag) if isinstance(tag, str) else ""


@lru_cache(maxsize=4096)  # a file uses a few dozen tag names, each thousands of times
def _local(tag: str) -> str:
    return tag[tag.rfind("}") + 1 :]


@lru_cache(maxsize=4096)
def _local_lower(tag: str) -> str:
    return tag[tag.rfind("}") + 1 :].lower()


class ElementEvents(Protocol):
    """What :func:`walk_element` feeds: :class:`Blocks`, or the plain text collector."""

    def start(self, tag: str, attrs: dict[str, str]) -> None: ...

    def data(self, text: str) -> None: ...

    def end(self, tag: str) -> None: ...


def walk_element(root: Element, sink: ElementEvents) -> None:
    """Feed ``root``'s subtree to ``sink`` in document order, with an explicit stack (no
    recursion, whatever the depth). The root's tail is outside the subtree and not fed. A leaf
    (most paragraphs) is started and ended at once, without a second visit."""
    start, end, data = sink.start, sink.end, sink.data
    stack: list[tuple[Element, bool]] = [(root, False)]
    pop, push = stack.pop, stack.append
    while stack:
        el, entered = pop()
        tag = el.tag
        tag = _local_lower(tag) if tag.__class__ is str else ""  # "": a comment or PI, its text not fed
        if entered:
            end(tag)
        elif tag:
            start(tag, el.attrib)  # "class", the one attribute read, has no namespace
            if el.text:
                data(el.text)
            if len(el):
                push((el, True))
                stack.extend([(child, False) for child in reversed(el)])
                continue
            end(tag)
        if el.tail and el is not root:
            data(el.tail)


def element_blocks(root: Element) -> list[tuple[str, str]]:
    sink = Blocks()
    walk_element(root, sink)
    return sink.close()


class _TextSink:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        pass

    def end(self, tag: str) -> None:
        pass

    def data(self, text: str) -> None:
        self.parts.append(text)


def element_text(el: Element) -> str:
    """All the text in ``el`` (``itertext`` without recursion)."""
    if len(el) == 0:
        return el.text or ""
    sink = _TextSink()
    walk_element(el, sink)
    return "".join(sink.parts)


class _HtmlFeed(HTMLParser):
    def __init__(self, sink: Blocks) -> None:
        super().__init__(convert_charrefs=True)
        self.sink = sink

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.sink.start(tag.lower(), {k: v or "" for k, v in attrs})
        if tag.lower() in _VOID:
            self.sink.end(tag.lower())

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag.lower() not in _VOID:
            self.sink.end(tag.lower())

    def handle_endtag(self, tag: str) -> None:
        if tag.lower() not in _VOID:
            self.sink.end(tag.lower())

    def handle_data(self, data: str) -> None:
        self.sink.data(data)


def html_blocks(markup: str) -> list[tuple[str, str]]:
    """Paragraphs and headings of an HTML string (a digitalwires ``article_html``, a ninjs
    ``body_html``): html.parser streams it in one pass, however the tags nest. Text without
    tags gives its blank-line separated paragraphs."""
    if "<" not in markup:
        return text_blocks(markup)
    try:  # well-formed XHTML (digitalwires writes it): expat in C, several times faster
        return element_blocks(_safe_fromstring(f"<div>{markup}</div>".encode()))
    except (ParseError, ValueError, InputError):
        pass  # HTML that is not XML (named entities, unclosed tags): the streaming HTML parser
    sink = Blocks()
    feed = _HtmlFeed(sink)
    feed.feed(markup)
    feed.close()
    return sink.close()


def text_blocks(text: str) -> list[tuple[str, str]]:
    """Plain text: paragraphs at blank lines."""
    return [("p", p.strip()) for p in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")) if p.strip()]


def plain(markup: object) -> str | None:
    """A short HTML-or-text value (a teaser, a caption) as one text, paragraphs at blank lines."""
    if not markup or not isinstance(markup, str):
        return None
    text = "\n\n".join(t for _, t in html_blocks(markup)) if "<" in markup else markup.strip()
    return text or None


# ---------------------------------------------------------------------------------------------
# Parsing the file


def parse_structured(
    raw: bytes,
    source_path: str,
    kind: str,
    *,
    now: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[Article]:
    """One Article per item of a structured file; ``kind`` is :func:`detect_structured`'s.

    Raises MalformedXml, MalformedJson, XmlEntitiesForbidden, UnknownStructure, TooLarge,
    NoText (no item with text) or another InputError, with ``path`` set."""
    now = now or datetime.now(UTC)
    try:
        if len(raw) > max_bytes:
            raise TooLarge(f"file has {len(raw):,} bytes, more than the limit of {max_bytes:,}")
        items, encoding = _read_items(raw, kind, max_bytes)
        return _articles(items, raw, encoding, source_path, now, max_bytes)
    except InputError as exc:
        exc.path = source_path
        raise


def _read_items(raw: bytes, kind: str, max_bytes: int) -> tuple[list[StructuredItem], str]:
    if kind == "json":
        decoded = decode_bytes(raw, max_bytes=max_bytes)
        try:
            data = json.loads(decoded.text)
        except json.JSONDecodeError as exc:
            raise MalformedJson(
                f"not well-formed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from None
        except RecursionError:
            raise MalformedJson("JSON nested too deep to read") from None
        from pressindex.parse.digitalwires import read_json_items

        items = read_json_items(data)
        if not items:
            raise UnknownStructure("JSON, but no dpa digitalwires or ninjs item in it")
        return items, decoded.encoding
    root, encoding = parse_xml(raw)
    name = local_name(root.tag)
    if name == "nitf":
        from pressindex.parse.nitf import read_nitf

        return [read_nitf(root)], encoding
    from pressindex.parse.newsml_g2 import read_g2

    return read_g2(root), encoding


_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")


def parse_xml(raw: bytes) -> tuple[Element, str]:
    """The root element of an XML file, parsed with entities and external references refused;
    and its encoding (the declaration's, else UTF-8)."""
    from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden

    m = _DECLARED_ENCODING.match(raw[:300].lstrip(b"\xef\xbb\xbf"))
    encoding = m.group(1).decode("ascii").lower() if m else "utf-8"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    try:
        root = _safe_fromstring(raw)
    except EntitiesForbidden as exc:
        what = "external entity" if exc.sysid or exc.pubid else "entity"
        raise XmlEntitiesForbidden(
            f"XML declares the {what} {exc.name!r}: entities are refused, never expanded"
        ) from None
    except ExternalReferenceForbidden:
        raise XmlEntitiesForbidden("XML refers to an external resource: refused, never fetched") from None
    except DefusedXmlException as exc:
        raise XmlEntitiesForbidden(f"XML refused: {type(exc).__name__}") from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        raise MalformedXml(
            f"not well-formed XML: {_expat_reason(exc)} (line {line}, column {column})"
        ) from None
    except (LookupError, ValueError) as exc:  # an encoding expat and Python do not know
        raise MalformedXml(f"XML in an unknown encoding: {exc}") from None
    return root, encoding


def _safe_fromstring(raw: bytes) -> Element:
    """The root of an XML document, nothing expanded or fetched.

    Entities can only be declared in a DTD. A document without a DOCTYPE (nearly all: G2 and NITF
    feeds carry none) has none to expand, so the standard library's C parser reads it (expat
    fetches nothing by itself: no handler for external references is set). With a DOCTYPE, or in
    UTF-16/32 where the bytes cannot be searched for one, expat runs through defusedxml: a DTD may
    stand, entity declarations and external references raise (DefusedXmlException
    subclasses). The C parser is several times faster: defusedxml's hooks are Python callbacks
    for every element."""
    if (
        b"\x00" not in raw[:4]
        and not raw.startswith((b"\xff\xfe", b"\xfe\xff"))
        and raw.find(b"<!DOCTYPE") < 0
        and raw.find(b"<!doctype") < 0
    ):
        return XMLParser_fromstring(raw)
    from defusedxml.ElementTree import fromstring

    root: Element = fromstring(
        raw, forbid_dtd=False, forbid_entities=True, forbid_external=True
    )  # defusedxml: no stubs
    return root


def _expat_reason(exc: ParseError) -> str:
    return str(exc).split(":", 1)[0]


def _articles(
    items: list[StructuredItem], raw: bytes, encoding: str, source_path: str, now: datetime, max_bytes: int
) -> list[Article]:
    several = len(items) > 1
    file_sha256 = hashlib.sha256(raw).hexdigest()
    out = FileArticles(several)
    for index, item in enumerate(items):
        try:
            out.add(
                structured_article(
                    item, raw, encoding, source_path, now, max_bytes, index if several else None, file_sha256
                )
            )
        except InputError as exc:
            out.skip(index, exc)
    return out.result(NoText("no item with text in this file"))


# ---------------------------------------------------------------------------------------------
# One item → one Article

# what the text rules guessed where the file states the value
_GUESS_WARNINGS = {
    "published": ("future_date_ignored:", "bad_header_date:"),
    "dateline": ("unknown_agency:",),
    "language": ("language_undecided:",),
}


def structured_article(
    item: StructuredItem,
    raw: bytes,
    encoding: str,
    source_path: str,
    now: datetime,
    max_bytes: int,
    index: int | None,
    file_sha256: str,
) -> Article:
    """The Article of one item (see the module docstring for what wins over the text rules)."""
    from pressindex.parse.document import text_fields

    paragraphs, subheadings = _story(item)
    story = "\n\n".join(paragraphs)
    repairs: list[str] = []
    if may_hold_nonpublic(story):
        story, removed = remove_nonpublic(story)
        item.nonpublic_removed = item.nonpublic_removed or removed
    if not story.strip():
        # a notice or a picture with a headline alone; a cancellation or a picture with nothing at
        # all still takes its story out of search or is recorded: its guid stands in for the text
        if item.headline:
            story = item.headline
        elif item.guid and item.status == "canceled":
            story = f"canceled {item.guid}"
        elif item.guid and item.media:
            story = item.guid
    if not story.strip():
        raise NoText("an item of this file holds no text")
    base = text_fields(
        raw,
        source_path,
        now=now,
        max_bytes=max_bytes,
        headline=item.headline,
        byline=item.byline,
        decoded=Decoded(story, encoding),
        content_sha256=file_sha256,
        identity=False,
    )
    settled: list[str] = []
    warnings = list(base["warnings"])

    # lead and subheadings: the file's
    if item.teaser and not item.media:
        base["lead"] = _clean(item.teaser)
    if subheadings:
        base["subheadings"] = tuple(dict.fromkeys(h for h in map(_clean, subheadings) if h))
    if item.media:
        base["lead"] = None
        base["subheadings"] = ()

    # dateline and credits
    place, place_raw, dateline_credit = _file_dateline(item)
    if place:
        base["dateline"], base["dateline_raw"] = place, place_raw
        settled.append("dateline")
    credits = [parse_credit(c) for c in item.credits if c and c.strip()]
    credit = merge(
        dateline_credit,
        *(Credit(c.agencies, c.services) for c in credits),
        Credit(base["agencies"], base["regional_services"]),
        *(_service_credit(s) for s in item.services),
    )
    base["agencies"], base["regional_services"] = credit.agencies, credit.services
    if credits or dateline_credit:
        settled.append("dateline")

    # published
    given = item.published if iso_moment(item.published) else item.first_created
    published = iso_moment(given)
    if published and given:  # given is a str whenever published is
        when = datetime.fromisoformat(published)
        day_only = _DAY_ONLY.match(given.strip()) is not None  # "2025-03-14": the day, not its midnight
        if when.date() > now.astimezone(when.tzinfo).date():
            warnings.append(f"future_date_ignored:file:{published}")
        elif day_only:
            base.update(published=published[:10], published_precision="day", published_source="file")
            settled.append("published")
        else:
            base.update(published=published, published_precision="minute", published_source="file")
            settled.append("published")

    if item.language:
        code = item.language.split("-")[0].split("_")[0].strip().lower()
        if len(code) == 2 and code.isalpha():
            base["language"], base["language_confidence"] = code, 1.0
            settled.append("language")

    # dpa id and version
    dpa = _dpa_id(item)
    if dpa is None and base["dpa"] is not None and item.guid is None:
        dpa = base["dpa"]  # an item without guid: the text's id, as for text
    if dpa and "dpa" not in base["agencies"]:
        base["agencies"] = ("dpa",) + base["agencies"]

    # status
    kind = "media" if item.media else "news"
    withdraws: tuple[str, ...] = ()
    embargo = iso_moment(item.embargo)
    if item.embargo and not embargo:
        warnings.append("embargo_unread")
    if item.status == "canceled":
        kind = "withdrawal"
        withdraws = (dpa.story,) if dpa else ()
    elif item.status == "withheld":
        embargo = WITHHELD_UNTIL
        warnings.append("withheld")

    footer = base["footer_lines"] + tuple(_clean(f) for f in item.footer if _clean(f))
    text_sha1 = hashlib.sha1(
        "\n\n".join([base["title"], base["body"], "\n".join(footer)]).encode("utf-8")
    ).hexdigest()
    if dpa:
        doc_id = f"dpa-{dpa.story}" + ("-canceled" if kind == "withdrawal" else "")
    elif item.guid:
        doc_id = "guid-" + hashlib.sha1(item.guid.strip().encode("utf-8")).hexdigest()
    else:
        doc_id = f"sha1-{text_sha1}"

    if item.nonpublic_removed:
        repairs.append("nonpublic_removed")
    drop = tuple(p for key in settled for p in _GUESS_WARNINGS.get(key, ()))
    warnings = [w for w in warnings + item.warnings if not (drop and w.startswith(drop))]
    notes = "\n".join(n for n in (_clean(n) for n in item.editorial_notes) if n) or None
    base.update(
        id=doc_id,
        dpa=dpa,
        copyright=_clean(item.copyright) or base["copyright"],
        source=_clean(item.source),
        footer_lines=footer,
        editor_initials=item.editor_codes or base["editor_initials"],
        repairs=tuple(dict.fromkeys(tuple(repairs) + base["repairs"])),
        text_sha1=text_sha1,
        warnings=tuple(dict.fromkeys(warnings)),
        format=item.format,
        wire_service=item.services[0] if item.services else None,
        urgency=item.urgency if item.urgency is not None and 0 < item.urgency < 10 else None,
        category=item.category,
        category_name=item.category_name or category_name(item.category),
        keywords=tuple(dict.fromkeys(k for k in (_clean(k) for k in item.keywords) if k)),
        genre=_clean(item.genre),
        correction=_clean(item.correction),
        is_correction=item.is_correction or bool(item.correction),
        embargo_until=embargo,
        editorial_notes=notes,
        kind=kind,
        media_type=(item.media_type or None) if item.media else None,
        withdraws=withdraws,
        message_index=index,
    )
    return Article(**base)


def _story(item: StructuredItem) -> tuple[list[str], list[str]]:
    """The story's paragraphs (teaser first) and the body's headings."""
    if item.media:
        text = item.caption or item.headline or ""
        return ([text] if text.strip() else []), []
    seen = {_squash(x) for x in (item.headline, item.byline) if x}
    teaser = item.teaser
    paragraphs: list[str] = [teaser] if teaser and teaser.strip() else []
    if teaser:
        seen.add(_squash(teaser))
    headings: list[str] = []
    for kind, text in item.blocks:
        if kind in ("h1", "byline", "teaser"):
            if kind == "teaser" and not teaser:
                teaser = item.teaser = text
                paragraphs.insert(0, text)
                seen.add(_squash(text))
            elif kind == "byline" and not item.byline:
                item.byline = text
            elif kind == "h1" and not item.headline:
                item.headline = text
            continue
        if len(paragraphs) <= 1 and _squash(text) in seen:
            continue  # the headline, byline or teaser repeated at the top of the body
        if kind == "h":
            headings.append(text)
        paragraphs.append(text)
    return paragraphs, headings


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    from pressindex.parse.clean import clean_text

    return clean_text(text).text or None


def _service_credit(service: str) -> Credit:
    """A dpa regional or topic service (``lni``) credits dpa and that service; other service codes
    (``bdt``) credit nobody by themselves."""
    credit = parse_credit(service) if "/" in service else agent_credit(service)  # "dpa/lni" as a credit
    return Credit(credit.agencies, credit.services) if credit.services else Credit()


def _file_dateline(item: StructuredItem) -> tuple[str | None, str | None, Credit]:
    """Place (normalised and as written) and credit from the file's dateline or located place."""
    place_raw = item.place.strip() if item.place and item.place.strip() else None
    credit = Credit()
    if item.dateline and item.dateline.strip():
        text = " ".join(item.dateline.split())
        found = find_dateline(text.rstrip(" -–—:") + " - Text", max_offset=0) if "(" in text else None
        if found:
            credit = Credit(found.credit.agencies, found.credit.services)
            place_raw = place_raw or found.place_raw
        elif not place_raw and "(" not in text:
            place_raw = text.rstrip(" -–—:,") or None
    if place_raw and len(place_raw) > 80:
        place_raw = None  # no place: a sentence
    return (normalise_place(place_raw) if place_raw else None), place_raw, credit


def _dpa_id(item: StructuredItem) -> DpaId | None:
    """The dpa id in the guid/urn (``urn:newsml:dpa.com:20090101:240315-99-123456``), with the
    item's version."""
    if not item.guid or "dpa" not in item.guid:
        return None
    found = find_dpa_id(item.guid.strip())
    if found is None:
        return None
    if item.version is not None:
        return DpaId(found.story, item.version, found.issue_date)
    return found


_DAY_ONLY = re.compile(r"^\d{4}-?\d{2}-?\d{2}$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{2}:?\d{2})?$")


def iso_moment(value: object) -> str | None:
    """An ISO 8601 moment with its offset (``2025-01-28T09:18:34+01:00``): a value without zone
    is taken as Europe/Berlin time (dpa's), a date alone as that day's midnight there; NITF's
    compact ``20250128T091834+0100`` too. None when not a moment."""
    if not isinstance(value, str) or not value.strip() or len(value) > 40:
        return None
    text = value.strip()
    if len(text) == 8 and _DAY_ONLY.match(text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"  # NITF's basic form of a date alone
    m = _COMPACT.match(text)
    if m:
        y, mo, d, hh, mi, ss, zone = m.groups()
        zone = zone or ""
        if zone and zone != "Z" and ":" not in zone:
            zone = zone[:3] + ":" + zone[3:]
        text = f"{y}-{mo}-{d}T{hh}:{mi}:{ss or '00'}{zone}"
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_BERLIN)
    moment = moment.replace(microsecond=0)
    offset = moment.utcoffset()
    return moment.astimezone(timezone(offset)).isoformat() if offset is not None else moment.isoformat()
