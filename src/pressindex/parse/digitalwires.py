"""dpa digitalwires JSON and IPTC ninjs items → StructuredItems.

**Which**: a JSON object is a digitalwires item when it has ``urn`` and ``version`` or
``version_created``; a ninjs item when it has ``uri`` (ninjs 1.x/2.x) or ``guid`` with ``type``
and a headline or body. A list holds items; so does a wrapper object's ``entries``, ``items`` or
``data`` list (wireQ and S3 push deliveries). Other JSON holds no item.

**digitalwires** fields: ``urn`` + ``version`` (dpa id and version), ``version_created`` (published;
``content_created`` is when the event happened, not used), ``embargoed``, ``pubstatus``,
``urgency``, ``language``, ``headline``, ``teaser``, ``byline``, ``dateline`` ("Berlin (dpa) - ":
place and credit), ``article_html`` (or ``article``: HTML or text), ``creditline``,
``copyrightnotice``, ``signal`` and the ``categories`` list by ``type``: ``dnltype:signal``
(``sig:correction``), ``dnltype:pubstatus``, ``dnltype:wire`` (services), ``dnltype:desk``
(category ``dpacat:pl`` → ``pl``), ``dnltype:genre`` (the first), ``dnltype:keyword``
(keywords; also ``keyword_names``), ``dnltype:infosource`` and ``dnltype:provider`` (credits; the
first infosource also the source),
``dnltype:locationcreated``/``dnltype:city`` (place). ``ednotes`` by role as in NewsML-G2
(``correction``, ``closingline``, ``picture``, others editorial notes); a note with
``is_publishable`` false, or a role naming contacts or non-public, is never read, nor are
``dpacontacts``/``contacts`` and the ``notepad`` (whose ``nonpublic_html`` holds the contact
block). Media: ``type`` image/picture/audio/video, or no ``article_html`` and an image, audio or
video association; the caption is ``descriptions`` ``drol:caption``, else the association's.

**ninjs** fields: ``uri``/``guid``, ``version``, ``versioncreated`` (or ``firstcreated``),
``embargoed``, ``pubstatus``, ``urgency``, ``language``, ``headline`` or ``headlines`` (role main
first), ``body_html``/``body_text`` or ``bodies``, ``description_text``/``description_html`` or
``descriptions`` (teaser, and caption for media), ``byline`` or ``by``, ``located``/``place``,
``genre``, ``subject`` (``dpacat:`` codes: category), ``keywords``, ``slugline``,
``copyrightnotice``, ``infosource`` (credits; the first also the source), ``type``
(picture/graphic/audio/video: media).
"""

from __future__ import annotations

from pressindex.parse.structured import (
    StructuredItem,
    file_note,
    html_blocks,
    int_or_none,
    is_nonpublic,
    media_type,
    plain,
    status_of,
)

JsonObject = dict[str, object]  # a decoded JSON object: its values are checked before use

_WRAPPERS = ("entries", "items", "data")
_MEDIA_TYPES = frozenset(("image", "picture", "graphic", "audio", "video"))
_MAX_ITEMS = 100_000


def read_json_items(data: object) -> list[StructuredItem]:
    """The items in decoded JSON (see the module docstring); [] when it holds none."""
    candidates: list[object] = []
    if isinstance(data, list):
        candidates = data
    elif isinstance(data, dict):
        wrapped = next((data[k] for k in _WRAPPERS if isinstance(data.get(k), list)), None)
        candidates = wrapped if wrapped is not None and not _kind(data) else [data]
    items: list[StructuredItem] = []
    for entry in candidates[:_MAX_ITEMS]:
        if not isinstance(entry, dict):
            continue
        kind = _kind(entry)
        if kind == "digitalwires":
            items.append(read_digitalwires(entry))
        elif kind == "ninjs":
            items.append(read_ninjs(entry))
    return items


def _kind(obj: JsonObject) -> str | None:
    if isinstance(obj.get("urn"), str) and ("version" in obj or "version_created" in obj):
        return "digitalwires"
    if isinstance(obj.get("uri"), str) and ("type" in obj or "headline" in obj or "headlines" in obj):
        return "ninjs"
    if (
        isinstance(obj.get("guid"), str)
        and "type" in obj
        and any(k in obj for k in ("headline", "headlines", "body_html", "body_text", "bodies"))
    ):
        return "ninjs"
    return None


def _str(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _word(code: object) -> str | None:
    """``"dpacat:pl"`` → ``"pl"``."""
    text = _str(code)
    return text.rsplit(":", 1)[-1].strip() or None if text else None


def _dicts(value: object) -> list[JsonObject]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def read_digitalwires(obj: JsonObject) -> StructuredItem:
    out = StructuredItem(
        format="digitalwires", guid=_str(obj.get("urn")), version=int_or_none(obj.get("version"))
    )
    out.published = _str(obj.get("version_created"))
    out.embargo = _str(obj.get("embargoed"))
    out.status = status_of(_str(obj.get("pubstatus")))
    out.urgency = int_or_none(obj.get("urgency"))
    out.language = _str(obj.get("language"))
    out.headline = _str(obj.get("headline"))
    out.teaser = plain(obj.get("teaser"))
    out.byline = _str(obj.get("byline"))
    out.dateline = _str(obj.get("dateline"))
    out.copyright = _str(obj.get("copyrightnotice"))
    creditline = _str(obj.get("creditline"))
    if creditline:
        out.credits.append(creditline)
    if (_str(obj.get("signal")) or "").endswith("correction"):
        out.is_correction = True
    _read_categories(obj, out)
    keyword_names = obj.get("keyword_names")
    for name in keyword_names if isinstance(keyword_names, list) else ():  # a number would not iterate
        keyword = _str(name)
        if keyword:
            out.keywords.append(keyword)
    _read_ednotes(obj, out)

    body = obj.get("article_html")
    if not _str(body):
        article = obj.get("article")
        body = article.get("html") or article.get("text") if isinstance(article, dict) else article
    if isinstance(body, str) and body.strip():
        out.blocks = html_blocks(body)
    associations = _dicts(obj.get("associations"))
    kind = (_str(obj.get("type")) or "").lower()
    media_assoc = [a for a in associations if (_str(a.get("type")) or "").lower() in _MEDIA_TYPES]
    out.media = kind in _MEDIA_TYPES or (not out.blocks and len(associations) == 1 and bool(media_assoc))
    if out.media:
        out.media_type = media_type(kind if kind in _MEDIA_TYPES else _str(media_assoc[0].get("type")))
    if out.media:
        captions = [d for d in _dicts(obj.get("descriptions")) if "caption" in (_str(d.get("role")) or "")]
        caption = captions[0].get("description") if captions else None
        out.caption = plain(caption) or plain(media_assoc[0].get("caption") if media_assoc else None)
    return out


def _read_categories(obj: JsonObject, out: StructuredItem) -> None:
    for cat in _dicts(obj.get("categories")):
        kind = (_str(cat.get("type")) or "").rsplit(":", 1)[-1].lower()
        name, qcode = _str(cat.get("name")), _str(cat.get("qcode"))
        if kind == "signal" and (qcode or name or "").endswith("correction"):
            out.is_correction = True
        elif kind == "pubstatus" and out.status == "usable":
            out.status = status_of(qcode or name)
        elif kind == "wire":
            word = _word(qcode) or name
            if word and word not in out.services:
                out.services.append(word)
        elif kind == "desk" and out.category is None:
            out.category = _word(qcode) or name
            if name and name != out.category:
                out.category_name = name
        elif kind == "genre" and out.genre is None and name:
            out.genre = name
        elif kind == "keyword" and name:
            out.keywords.append(name)
        elif kind in ("infosource", "provider") and name:
            out.credits.append(name)
            if kind == "infosource":
                out.source = out.source or name
        elif kind in ("locationcreated", "city") and name and out.place is None:
            out.place = name


def _read_ednotes(obj: JsonObject, out: StructuredItem) -> None:
    for key in ("dpacontacts", "contacts"):
        if obj.get(key):
            out.nonpublic_removed = True  # never read
    notepad = obj.get("notepad")
    if isinstance(notepad, dict) and notepad.get("nonpublic_html"):
        out.nonpublic_removed = True  # the notepad repeats the notes: never read
    for note in _dicts(obj.get("ednotes")):
        role = (_str(note.get("role")) or "").lower()
        if note.get("is_publishable") is False or is_nonpublic(role, _str(note.get("pubconstraint"))):
            out.nonpublic_removed = True
            continue
        file_note(out, role, _str(note.get("ednote")))


def read_ninjs(obj: JsonObject) -> StructuredItem:
    out = StructuredItem(
        format="ninjs",
        guid=_str(obj.get("uri")) or _str(obj.get("guid")),
        version=int_or_none(obj.get("version")),
    )
    out.published = _str(obj.get("versioncreated"))
    out.first_created = _str(obj.get("firstcreated"))
    out.embargo = _str(obj.get("embargoed"))
    out.status = status_of(_str(obj.get("pubstatus")))
    out.urgency = int_or_none(obj.get("urgency"))
    out.language = _str(obj.get("language"))
    out.media = (_str(obj.get("type")) or "").lower() in _MEDIA_TYPES
    out.media_type = media_type(_str(obj.get("type"))) if out.media else None
    headlines = _dicts(obj.get("headlines"))
    main = [h for h in headlines if "main" in (_str(h.get("role")) or "main")]
    out.headline = _str(obj.get("headline")) or _str((main or headlines or [{}])[0].get("value"))
    out.byline = _str(obj.get("byline")) or _by(obj.get("by"))
    out.copyright = _str(obj.get("copyrightnotice"))
    description = plain(obj.get("description_html")) or _str(obj.get("description_text"))
    for desc in _dicts(obj.get("descriptions")):
        role = (_str(desc.get("role")) or "").lower()
        value = plain(desc.get("value"))
        if "caption" in role:
            out.caption = out.caption or value
        elif value:
            description = description or value
    if out.media:
        out.caption = out.caption or description
    else:
        out.teaser = description
    body = _str(obj.get("body_html")) or _str(obj.get("body_text"))
    for entry in _dicts(obj.get("bodies")):
        body = body or _str(entry.get("value"))
    if body:
        out.blocks = html_blocks(body)
    located = obj.get("located")
    out.place = _str(located) or (_str(located.get("name")) if isinstance(located, dict) else None)
    for place in _dicts(obj.get("place")):
        out.place = out.place or _str(place.get("name"))
    genres = _dicts(obj.get("genre"))
    out.genre = _str(genres[0].get("name")) if genres else None
    for subject in _dicts(obj.get("subject")):
        code = _str(subject.get("code")) or _str(subject.get("uri")) or ""
        if code.startswith("dpacat:") and out.category is None:
            out.category = _word(code)
            name = _str(subject.get("name"))
            out.category_name = name if name and name != out.category else None
    keywords = obj.get("keywords")
    if isinstance(keywords, list):
        out.keywords.extend(k.strip() for k in keywords if _str(k))
    slugline = _str(obj.get("slugline"))
    if slugline:
        out.keywords.extend(k.strip() for k in slugline.split("/") if k.strip())
    for source in _dicts(obj.get("infosource")) + _dicts(obj.get("infosources")):
        name = _str(source.get("name"))
        if name:
            out.credits.append(name)
            out.source = out.source or name
    for note in [*_dicts(obj.get("ednotes")), {"value": obj.get("ednote")}]:
        role = (_str(note.get("role")) or "").lower()
        if is_nonpublic(role):
            out.nonpublic_removed = True
            continue
        text = _str(note.get("value"))
        if text:
            out.editorial_notes.append(text)
    return out


def _by(value: object) -> str | None:
    if isinstance(value, str):
        return _str(value)
    names = [_str(p.get("name")) for p in _dicts(value)]
    return ", ".join(n for n in names if n) or None
