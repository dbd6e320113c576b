"""NITF documents (IPTC News Industry Text Format, 3.x) → a StructuredItem.

Read by local name (any namespace). ``head``:

* ``docdata``: ``doc-id/@id-string`` (the guid: a dpa urn gives the dpa id), ``du-key/@version``
  (the version), ``urgency/@ed-urg``, ``date.issue/@norm`` (published), ``date.release/@norm``
  (embargo when later than the issue date), ``@management-status`` (usable, embargoed, withheld,
  canceled), ``doc.copyright/@holder`` (a credit and the copyright line), ``key-list/keyword/@key``
  (keywords), ``ed-msg/@info`` (editorial notes), ``correction/@info`` (correction);
* ``tobject/@tobject.type`` and ``tobject.property/@tobject.property.type`` (genre),
  ``tobject.subject/@tobject.subject.type`` (category name); ``meta`` named ``ressort``,
  ``category`` or ``dpa-ressort`` (category code); ``pubdata/@position.section`` (category name),
  ``pubdata/@name`` (the publication: the source);
* ``title`` (headline when the body has no ``hl1``).

``body``: ``body.head`` — ``hedline/hl1`` (headline), ``byline`` (its text, ``byttl`` included),
``distributor`` (credit), ``dateline`` (``location``/``city`` the place; its text, with the
credit), ``abstract`` (teaser), ``note`` (editorial notes; ``type="npa"``, non-publishable, is never
read); ``body.content`` (paragraphs, ``hl2`` headings, ``block``s, tables; ``media`` skipped);
``body.end/tagline`` (footer). ``head/docdata/@xml:lang`` or the root's ``xml:lang``: the language.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from pressindex.parse.newsml_g2 import child, children, text_of
from pressindex.parse.structured import (
    StructuredItem,
    element_blocks,
    int_or_none,
    is_nonpublic,
    local_name,
    status_of,
)

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_CATEGORY_META = ("ressort", "category", "dpa-ressort", "dpa-category")


def read_nitf(root: Element) -> StructuredItem:
    out = StructuredItem(format="nitf")
    out.language = root.get(_XML_LANG) or root.get("lang")
    head = child(root, "head")
    body = child(root, "body")
    docdata = child(head, "docdata")
    _read_docdata(docdata, out)
    for meta in children(head, "meta"):
        content = meta.get("content")
        if (meta.get("name") or "").lower() in _CATEGORY_META and content:
            out.category = out.category or content.strip()
    tobject = child(head, "tobject")
    if tobject is not None:
        prop = child(tobject, "tobject.property")
        out.genre = (prop.get("tobject.property.type") if prop is not None else None) or None
        subject = child(tobject, "tobject.subject")
        if subject is not None:
            out.category_name = subject.get("tobject.subject.type") or subject.get("tobject.subject.matter")
    pubdata = child(head, "pubdata")
    if pubdata is not None and pubdata.get("position.section"):
        out.category_name = out.category_name or pubdata.get("position.section")
    if pubdata is not None:
        out.source = (pubdata.get("name") or "").strip() or None  # the publication's name
    title = text_of(child(head, "title"))

    body_head = child(body, "body.head")
    if body_head is not None:
        _read_body_head(body_head, out)
    out.headline = out.headline or title
    body_content = child(body, "body.content")
    if body_content is not None:
        out.blocks = element_blocks(body_content)
    end = child(body, "body.end")
    for tagline in children(end, "tagline"):
        text = text_of(tagline)
        if text:
            out.footer.append(text)
    return out


def _read_docdata(docdata: Element | None, out: StructuredItem) -> None:
    if docdata is None:
        return
    out.status = status_of(docdata.get("management-status"))
    out.language = docdata.get(_XML_LANG) or out.language
    doc_id = child(docdata, "doc-id")
    if doc_id is not None:
        out.guid = doc_id.get("id-string") or None
        regsrc = doc_id.get("regsrc")
        if regsrc:
            out.credits.append(regsrc)
    du_key = child(docdata, "du-key")
    if du_key is not None:
        out.version = int_or_none(du_key.get("version"))
    urgency = child(docdata, "urgency")
    if urgency is not None:
        out.urgency = int_or_none(urgency.get("ed-urg"))
    issue = child(docdata, "date.issue")
    release = child(docdata, "date.release")
    out.published = issue.get("norm") if issue is not None else None
    release_norm = release.get("norm") if release is not None else None
    if release_norm and release_norm != out.published:
        out.embargo = release_norm
    copyright_ = child(docdata, "doc.copyright")
    holder = copyright_.get("holder") if copyright_ is not None else None
    if copyright_ is not None and holder:
        holder = holder.strip()
        out.credits.append(holder)
        year = copyright_.get("year")
        out.copyright = f"© {year} {holder}" if year else f"© {holder}"
    for key_list in children(docdata, "key-list"):
        keys = (k.get("key") or "" for k in children(key_list, "keyword"))
        out.keywords.extend(key.strip() for key in keys if key.strip())
    for msg in children(docdata, "ed-msg"):
        if is_nonpublic(msg.get("msg-type")):
            out.nonpublic_removed = True
            continue
        info = (msg.get("info") or "").strip()
        if info:
            out.editorial_notes.append(info)
    correction = child(docdata, "correction")
    if correction is not None:
        out.is_correction = True
        out.correction = (correction.get("info") or "").strip() or None


def _read_body_head(body_head: Element, out: StructuredItem) -> None:
    hedline = child(body_head, "hedline")
    out.headline = text_of(child(hedline, "hl1"))
    for el in body_head:
        name = local_name(el.tag)
        if name == "byline":
            out.byline = out.byline or text_of(el)
        elif name == "distributor":
            text = text_of(el)
            if text:
                out.credits.append(text)
        elif name == "dateline":
            location = child(el, "location")
            city = child(location, "city") if location is not None else None
            out.place = text_of(city) or text_of(location)
            story_date = child(el, "story.date")
            if story_date is not None and not out.published:
                out.published = story_date.get("norm")
            out.dateline = text_of(el)
        elif name == "abstract":
            out.teaser = "\n\n".join(text for _, text in element_blocks(el)) or None
        elif name == "note":
            if (el.get("type") or "").lower() == "npa" or is_nonpublic(el.get("noteclass"), el.get("type")):
                out.nonpublic_removed = True
                continue
            text = "\n".join(text for _, text in element_blocks(el))
            if text:
                out.editorial_notes.append(text)
