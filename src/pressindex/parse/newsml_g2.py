"""NewsML-G2 items (IPTC): a ``newsItem``, or a ``newsMessage`` holding several, → StructuredItems.

Read by local name, so any namespace prefix (or none) works. Per ``newsItem``:

* ``guid`` and ``version`` (attributes): the dpa id and version when the guid is a dpa urn;
  ``xml:lang`` or ``contentMeta/language/@tag``: the language;
* ``itemMeta``: ``itemClass`` (``ninat:picture``/``graphic``/``audio``/``video`` → a media item),
  ``versionCreated``/``firstCreated`` (published), ``embargoed``, ``pubStatus`` (usable, withheld,
  canceled), ``service`` (wire services: ``dpasrv:bdt`` → ``bdt``), ``signal`` (``sig:correction``),
  ``edNote`` (by role: ``correction`` → correction, ``closingline`` → editor codes, ``picture`` →
  footer, ``correctionshort`` and the ``notepad`` copy are left out, others → editorial notes; a
  ``pubconstraint`` or role naming non-public or contacts is never read);
* ``contentMeta``: ``urgency``, ``headline`` (the first without a ``rank`` above 1 or with role
  main), ``by``, ``dateline``, ``located/name``, ``creditline``, ``infoSource`` (a credit; the first
  also the source), ``description``
  (``drol:teaser``/``drol:summary`` → teaser, ``drol:caption`` → caption), ``genre/name``,
  ``subject`` of type ``dpatype:category`` or qcode ``dpacat:…`` (category), ``keyword`` and
  ``slugline`` (keywords); ``contactInfo`` is never read;
* ``rightsInfo/copyrightNotice``: the copyright line; ``itemMeta/provider``: a credit;
* ``contentSet``: ``inlineXML`` (XHTML: paragraphs and ``h2``–``h6`` headings; the ``<header>``
  that repeats headline and byline is skipped) or ``inlineData`` (plain text).

``packageItem``, ``conceptItem`` and ``knowledgeItem`` carry no copy: skipped with a warning
``g2_skipped:<name>`` on the message's first item.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.etree.ElementTree import Element

from pressindex.parse.structured import (
    StructuredItem,
    element_blocks,
    element_text,
    file_note,
    int_or_none,
    is_nonpublic,
    local_name,
    media_type,
    status_of,
    text_blocks,
)

_ITEM_NAMES = ("newsItem", "packageItem", "conceptItem", "knowledgeItem")
_MEDIA_CLASSES = ("picture", "graphic", "audio", "video", "animated")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def read_g2(root: Element) -> list[StructuredItem]:
    """The items of a ``newsItem`` or ``newsMessage`` root, in document order."""
    if local_name(root.tag) == "newsItem":
        return [read_news_item(root)]
    items: list[StructuredItem] = []
    skipped: list[str] = []
    for el in root.iter():  # the C iterator: no recursion; items are not nested in one another
        name = local_name(el.tag)
        if name == "newsItem":
            items.append(read_news_item(el))
        elif name in _ITEM_NAMES:
            skipped.append(f"g2_skipped:{name}")
    if items and skipped:
        items[0].warnings.extend(dict.fromkeys(skipped))
    return items


def children(parent: Element | None, name: str) -> list[Element]:
    """Direct children of ``parent`` with local name ``name``."""
    if parent is None:
        return []
    return [c for c in parent if local_name(c.tag) == name]


def child(parent: Element | None, name: str) -> Element | None:
    found = children(parent, name)
    return found[0] if found else None


def by_name(parent: Element | None) -> dict[str, list[Element]]:
    """``parent``'s children by local name: one pass, then a lookup per field read."""
    index: dict[str, list[Element]] = {}
    for c in parent if parent is not None else ():
        index.setdefault(local_name(c.tag), []).append(c)
    return index


def _first(index: dict[str, list[Element]], name: str) -> Element | None:
    found = index.get(name)
    return found[0] if found else None


def text_of(el: Element | None) -> str | None:
    if el is None:
        return None
    text = " ".join(element_text(el).split())
    return text or None


def qcode_word(el: Element | None) -> str | None:
    """``<service qcode="dpasrv:bdt"/>`` → ``bdt``; a ``literal`` or the ``name`` child otherwise."""
    if el is None:
        return None
    code = el.get("qcode") or el.get("literal")
    if code:
        return code.rsplit(":", 1)[-1].strip() or None
    return text_of(child(el, "name"))


def name_of(el: Element | None) -> str | None:
    """The ``<name>`` child's text, else the literal or qcode's word."""
    if el is None:
        return None
    return text_of(child(el, "name")) or el.get("literal") or qcode_word(el)


def read_news_item(item: Element) -> StructuredItem:
    out = StructuredItem(format="newsml_g2", guid=item.get("guid"), version=int_or_none(item.get("version")))
    out.language = item.get(_XML_LANG)
    parts = by_name(item)
    meta = by_name(_first(parts, "itemMeta"))

    item_class = _first(meta, "itemClass")
    class_word = (item_class.get("qcode") or "" if item_class is not None else "").rsplit(":", 1)[-1].lower()
    out.media = class_word in _MEDIA_CLASSES
    out.media_type = media_type(class_word) if out.media else None
    out.published = text_of(_first(meta, "versionCreated"))
    out.first_created = text_of(_first(meta, "firstCreated"))
    out.embargo = text_of(_first(meta, "embargoed"))
    status = _first(meta, "pubStatus")
    out.status = status_of(status.get("qcode") if status is not None else None)
    out.services = [s for s in (qcode_word(el) for el in meta.get("service", ())) if s]
    provider = name_of(_first(meta, "provider"))
    if provider:
        out.credits.append(provider)
    for signal in meta.get("signal", ()):
        if (signal.get("qcode") or "").lower().endswith("correction"):
            out.is_correction = True
    _read_notes(meta.get("edNote", ()), out)

    out.copyright = text_of(child(_first(parts, "rightsInfo"), "copyrightNotice"))
    content = _first(parts, "contentMeta")
    if content is not None:
        _read_content_meta(by_name(content), out)
    _read_content_set(_first(parts, "contentSet"), out)
    return out


def _read_notes(notes: Iterable[Element], out: StructuredItem) -> None:
    for note in notes:
        role = (note.get("role") or "").lower()
        if is_nonpublic(note.get("pubconstraint"), role):
            out.nonpublic_removed = True
            continue
        if role.endswith("notepad"):
            # the notepad repeats the notes, with its non-public part: never read
            if any("nonpublic" in (el.get("class") or "").replace("-", "") for el in note.iter()):
                out.nonpublic_removed = True
            continue
        file_note(out, role, text_of(note))


def _read_content_meta(content: dict[str, list[Element]], out: StructuredItem) -> None:
    out.urgency = int_or_none(text_of(_first(content, "urgency")))
    language = _first(content, "language")
    if language is not None and language.get("tag"):
        out.language = language.get("tag")
    headlines = content.get("headline", [])
    main = [h for h in headlines if (h.get("rank") or "1") == "1" or "main" in (h.get("role") or "")]
    preferred = main or headlines
    out.headline = text_of(preferred[0] if preferred else None)
    out.byline = text_of(_first(content, "by"))
    out.dateline = text_of(_first(content, "dateline"))
    located = _first(content, "located")
    out.place = name_of(located)
    creditline = text_of(_first(content, "creditline"))
    if creditline:
        out.credits.append(creditline)
    for source in content.get("infoSource", ()):
        name = name_of(source)
        if name:
            out.credits.append(name)
            out.source = out.source or name
    for desc in content.get("description", ()):
        role = (desc.get("role") or "").lower()
        text = text_of(desc)
        if not text:
            continue
        if "caption" in role:
            out.caption = out.caption or text
        elif "teaser" in role or "summary" in role or not role:
            out.teaser = out.teaser or text
    out.genre = name_of(_first(content, "genre"))
    for subject in content.get("subject", ()):
        qcode = subject.get("qcode") or ""
        if "category" in (subject.get("type") or "") or qcode.startswith("dpacat:"):
            code = qcode.rsplit(":", 1)[-1] if qcode else None
            name = text_of(child(subject, "name"))
            out.category = out.category or code or name
            if name and name != code:
                out.category_name = out.category_name or name
    out.keywords.extend(k for k in (text_of(el) for el in content.get("keyword", ())) if k)
    slugline = text_of(_first(content, "slugline"))
    if slugline:
        out.keywords.extend(k.strip() for k in slugline.split("/") if k.strip())


def _read_content_set(content_set: Element | None, out: StructuredItem) -> None:
    for el in content_set if content_set is not None else ():
        name = local_name(el.tag)
        if name == "inlineXML":
            for body in el:
                out.blocks.extend(element_blocks(body))
            if len(el) == 0 and el.text:
                out.blocks.extend(text_blocks(el.text))
        elif name == "inlineData" and el.text:
            out.blocks.extend(text_blocks(el.text))
        elif name == "remoteContent" and not out.blocks:
            content = (el.get("contenttype") or "").split("/")[0]
            if not out.media and content in ("image", "audio", "video"):
                out.media, out.media_type = True, media_type(content)
